"""The title-vector cache: bounded, thread-safe, and with the int8 encoder the same bits as no cache."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from matcher.embed import encode_documents
from matcher.embed.cache import VectorCache

TITLED = [  # each names job titles; "Software Engineer" and "Project Manager" come back
    "Software Engineer at Contoso, 2019 - present\nI build Go services and review code.",
    "Project Manager, Northwind, 2018 - 2021\nI ran delivery for three client programmes.\n"
    "Software Engineer at Fabrikam, 2015 - 2018\nI wrote the billing service.",
    "Senior Account Executive, Northwind, 2019 - present\nI run enterprise deals and coach two reps.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",  # no title
    "Project Manager at Tailspin, 2020 - present\nI plan releases with four teams.",
]


def vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(384).astype(np.float32)


def run_in_threads(work, args) -> None:
    """``work(a)`` for each ``a`` in ``args``, all in threads at once; returns when all have ended."""
    threads = [threading.Thread(target=work, args=(a,)) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_the_cache_keeps_the_most_recently_used_texts_within_its_bound():
    cache = VectorCache(size=2)
    cache.put_many([("a", vector(0)), ("b", vector(1))])
    assert set(cache.get_many(["a"])) == {"a"}  # "a" used last: "b" goes first
    cache.put_many([("c", vector(2))])
    assert len(cache) == 2 and set(cache.get_many(["a", "b", "c"])) == {"a", "c"}
    cache.put_many([(t, vector(i)) for i, t in enumerate("defgh")])
    assert len(cache) == 2 and set(cache.get_many(list("abcdefgh"))) == {"g", "h"}
    with pytest.raises(ValueError, match="at least 1"):
        VectorCache(size=0)


def test_kept_vectors_are_read_only_copies():
    batch = np.stack([vector(0), vector(1)])
    cache = VectorCache()
    cache.put_many([("a", batch[0])])
    kept = cache.get_many(["a"])["a"]
    batch[0] = 0.0  # the caller reuses its array: the kept vector does not change
    assert np.array_equal(kept, vector(0)) and kept.dtype == np.float32
    assert not kept.flags.writeable and not np.shares_memory(kept, batch)


def test_threads_sharing_a_cache_get_their_own_vectors_and_keep_the_bound():
    cache = VectorCache(size=50)
    wrong: list[str] = []

    def work(worker: int) -> None:
        for i in range(400):
            text = f"title {(worker * 7 + i) % 120}"
            cache.put_many([(text, np.full(4, hash(text) % 1000, np.float32))])
            for got, vec in cache.get_many([text, f"title {i % 120}"]).items():
                if vec[0] != hash(got) % 1000:
                    wrong.append(got)

    run_in_threads(work, range(8))
    assert not wrong and len(cache) == 50


# ---------------------------------------------------------------------------------- the int8 encoder


@pytest.fixture(scope="module")
def onnx_embedder():
    """The default encoder, unpacked from the committed models/encoder/ (no torch needed)."""
    pytest.importorskip("onnxruntime")
    from matcher.embed.onnx import OnnxEmbedder

    return OnnxEmbedder()


def same_documents(a, b) -> bool:
    return all(
        x.text == y.text
        and x.spans == y.spans
        and x.chunks == y.chunks
        and x.titles == y.titles
        and np.array_equal(x.chunk_tokens, y.chunk_tokens)
        and all(
            getattr(x, k).dtype == getattr(y, k).dtype
            and getattr(x, k).tobytes() == getattr(y, k).tobytes()
            and getattr(x, k).shape == getattr(y, k).shape
            for k in ("chunk_vectors", "span_vectors", "title_vectors")
        )
        for x, y in zip(a, b, strict=True)
    )


def counted_runs(embedder, monkeypatch) -> list[str]:
    """Every text the encoder tokenizes from now on: the sentences, once, and the titles it runs."""
    runs: list[str] = []
    tokenize = type(embedder).tokenize

    def spy(self, texts):
        runs.extend(texts)
        return tokenize(self, texts)

    monkeypatch.setattr(type(embedder), "tokenize", spy)
    return runs


@pytest.mark.model
def test_cached_title_vectors_are_the_bits_of_a_fresh_run(onnx_embedder, monkeypatch):
    monkeypatch.setattr(onnx_embedder, "title_cache", None)
    plain_together = encode_documents(onnx_embedder, TITLED)
    plain_alone = [encode_documents(onnx_embedder, [t])[0] for t in TITLED]
    monkeypatch.setattr(onnx_embedder, "title_cache", VectorCache())
    runs = counted_runs(onnx_embedder, monkeypatch)
    together = encode_documents(onnx_embedder, TITLED)  # a title twice in one batch
    assert runs.count("Software Engineer") == 1 and runs.count("Project Manager") == 1
    runs.clear()
    again = [encode_documents(onnx_embedder, [t])[0] for t in TITLED]  # every title seen before
    assert runs and not set(runs) & {t.text for d in together for t in d.titles}
    assert same_documents(together, plain_together) and same_documents(again, plain_alone)
    assert same_documents(again, plain_together)
    titles = [t.text for d in together for t in d.titles]
    assert {"Software Engineer", "Project Manager"} <= set(titles) and len(titles) > len(set(titles))
    alone = onnx_embedder.encode(titles)  # each title run by itself, as in tests/test_onnx.py
    alone = alone / np.linalg.norm(alone, axis=1, keepdims=True)
    assert np.array_equal(np.concatenate([d.title_vectors for d in together]), alone)


@pytest.mark.model
def test_a_small_cache_stays_within_its_bound_and_changes_no_bit(onnx_embedder, monkeypatch):
    monkeypatch.setattr(onnx_embedder, "title_cache", None)
    plain = encode_documents(onnx_embedder, TITLED)
    small = VectorCache(size=2)
    monkeypatch.setattr(onnx_embedder, "title_cache", small)
    for _ in range(2):
        for text in TITLED:  # more titles than room: every batch evicts some
            assert same_documents(encode_documents(onnx_embedder, [text]), [plain[TITLED.index(text)]])
            assert len(small) <= 2
        assert same_documents(encode_documents(onnx_embedder, TITLED), plain)
        assert len(small) <= 2


@pytest.mark.model
def test_threads_encoding_with_one_cache_get_the_bits_of_no_cache(onnx_embedder, monkeypatch):
    monkeypatch.setattr(onnx_embedder, "title_cache", None)
    plain = {t: encode_documents(onnx_embedder, [t]) for t in TITLED}
    monkeypatch.setattr(onnx_embedder, "title_cache", VectorCache(size=3))
    wrong: list[str] = []

    def work(offset: int) -> None:
        for i in range(3 * len(TITLED)):
            text = TITLED[(offset + i) % len(TITLED)]
            if not same_documents(encode_documents(onnx_embedder, [text]), plain[text]):
                wrong.append(text)

    run_in_threads(work, range(4))
    assert not wrong


@pytest.mark.model
@pytest.mark.parametrize("workers", [1, 2])
def test_batches_with_the_title_cache_give_the_bytes_of_batches_without(
    onnx_embedder, tmp_path, monkeypatch, workers
):
    """In process (pipelined, one row per chunk: titles come back across chunks) and in a local
    process pool, whose workers each load their own encoder with its own cache."""
    import pandas as pd

    from matcher import RoleMatcher
    from matcher.batch import run_batch

    people = tmp_path / "people.csv"
    texts = TITLED + TITLED[::-1]
    pd.DataFrame({"id": range(len(texts)), "text": texts}).to_csv(people, index=False)
    matcher = RoleMatcher.load(embedder=onnx_embedder)
    monkeypatch.setattr(onnx_embedder, "title_cache", None)
    run_batch(str(people), tmp_path / "plain.csv", matcher=matcher, chunk_rows=1)
    monkeypatch.setattr(onnx_embedder, "title_cache", VectorCache())
    if workers == 1:
        run_batch(str(people), tmp_path / "cached.csv", matcher=matcher, chunk_rows=1)
    else:
        run_batch(str(people), tmp_path / "cached.csv", backend="onnx", workers=workers, chunk_rows=1)
    assert (tmp_path / "cached.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert len(onnx_embedder.title_cache) or workers > 1


@pytest.mark.model
def test_matches_with_the_title_cache_equal_matches_without(onnx_embedder, monkeypatch):
    from matcher import RoleMatcher

    matcher = RoleMatcher.load(embedder=onnx_embedder)
    monkeypatch.setattr(onnx_embedder, "title_cache", None)
    plain = [r.to_dict() for r in matcher.match(TITLED, top=5)]
    monkeypatch.setattr(onnx_embedder, "title_cache", VectorCache())
    first = [r.to_dict() for r in matcher.match(TITLED, top=5)]
    second = [matcher.match(t, top=5).to_dict() for t in TITLED]
    assert first == plain and second == plain
