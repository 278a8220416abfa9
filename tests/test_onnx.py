"""The int8 ONNX encoder: CPU family detection, and the real export (same weights as the torch backend)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from matcher.embed import encode_documents
from matcher.embed.onnx import cpu_family, quantize_settings

pytest.importorskip("onnxruntime")

BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green. " * 8,
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
]


def test_cpu_family_is_read_from_the_flags():
    assert cpu_family("flags\t: fpu sse avx2 avx512f avx512_vnni\n", "x86_64") == "avx512_vnni"
    assert cpu_family("flags\t: fpu sse avx2 fma\n", "x86_64") == "avx2"
    assert cpu_family("", "aarch64") == "arm64"
    assert quantize_settings("avx2")["reduce_range"] and not quantize_settings("avx512_vnni")["reduce_range"]
    with pytest.raises(ValueError, match="family must be one of"):
        quantize_settings("sparc")


@pytest.fixture(scope="session")
def onnx_embedder(tmp_path_factory):
    from matcher.embed.onnx import OnnxEmbedder, export_onnx

    folder = export_onnx(tmp_path_factory.mktemp("onnx") / "model")
    return OnnxEmbedder(folder)


@pytest.mark.model
def test_int8_vectors_are_close_to_fp32_and_keep_late_chunking(onnx_embedder, real_embedder):
    int8 = encode_documents(onnx_embedder, BIOS)
    ref = encode_documents(real_embedder, BIOS)
    for a, b in zip(int8, ref):
        assert a.spans == b.spans and a.chunks == b.chunks  # same tokenizer, same chunks
        assert float(a.vector @ b.vector) > 0.97
        assert np.min(np.sum(a.span_vectors * b.span_vectors, axis=1)) > 0.9


@pytest.mark.model
def test_int8_vectors_of_a_text_do_not_depend_on_its_neighbours(onnx_embedder):
    alone = encode_documents(onnx_embedder, [BIOS[0]])[0]
    together = encode_documents(onnx_embedder, BIOS)[0]
    assert np.array_equal(alone.chunk_vectors, together.chunk_vectors)
    assert np.array_equal(alone.span_vectors, together.span_vectors)


@pytest.mark.model
def test_a_tampered_model_file_is_refused(onnx_embedder, tmp_path):
    import shutil

    from matcher.embed.onnx import OnnxEmbedder
    from matcher.errors import ModelUnavailableError

    folder = tmp_path / "m"
    shutil.copytree(onnx_embedder.path.parent, folder)
    with open(folder / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelUnavailableError, match="rolematch build --backend onnx"):
        OnnxEmbedder(folder)


@pytest.mark.model
def test_the_onnx_run_time_path_imports_neither_torch_nor_transformers(onnx_embedder):
    code = (
        "import sys; from matcher.embed.onnx import OnnxEmbedder; "
        f"e = OnnxEmbedder({str(onnx_embedder.path.parent)!r}); e.encode(['I fix laptops.']); "
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


RESUME = (
    "Jordan Reyes\nSales Leader\nSenior Account Executive, Northwind, 2019 - present\n"
    "I run enterprise deals from first call to signature and coach two junior reps.\n"
    "Sales Development Representative at Contoso, 2016 - 2019\n"
    "I booked meetings for the field team and kept the CRM clean."
)


@pytest.mark.model
def test_titles_share_the_chunk_pass_with_the_same_bits(onnx_embedder):
    doc = encode_documents(onnx_embedder, [RESUME, BIOS[0]])[0]
    titles = [t.text for t in doc.titles]
    assert len(titles) >= 2
    alone = onnx_embedder.encode(titles)
    alone = alone / np.linalg.norm(alone, axis=1, keepdims=True)
    assert np.array_equal(doc.title_vectors, alone)


@pytest.mark.model
def test_an_abbreviated_title_is_embedded_written_out(onnx_embedder):
    doc = encode_documents(onnx_embedder, ["Sr. AE, Northwind, 2019 - present\nI close enterprise deals."])[0]
    assert [t.text for t in doc.titles] == ["Sr. AE"]  # the person's words, as written
    written_out = onnx_embedder.encode(["Senior Account Executive"])
    assert np.array_equal(doc.title_vectors, written_out / np.linalg.norm(written_out, axis=1, keepdims=True))


@pytest.mark.model
@pytest.mark.parametrize("chunk_rows", [1, 3])
def test_a_pipelined_onnx_batch_gives_the_bytes_of_a_plain_one(
    onnx_embedder, tmp_path, monkeypatch, chunk_rows
):
    """Encoding the next chunk while this one is ranked (and titles in the chunks' pass) changes no byte."""
    import pandas as pd

    from matcher import RoleMatcher
    from matcher.batch import run_batch

    people = tmp_path / "people.csv"
    texts = [RESUME, *BIOS, RESUME.lower(), BIOS[0]]  # a repeated row too
    pd.DataFrame({"id": range(len(texts)), "text": texts}).to_csv(people, index=False)
    matcher = RoleMatcher.load(embedder=onnx_embedder)
    run_batch(str(people), tmp_path / "piped.csv", matcher=matcher, chunk_rows=chunk_rows)
    monkeypatch.setattr(type(onnx_embedder), "per_text", False)  # one pass after another, no second thread
    run_batch(str(people), tmp_path / "plain.csv", matcher=matcher, chunk_rows=512)
    assert (tmp_path / "piped.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
