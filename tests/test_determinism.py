"""A row's output does not depend on how the rows were batched: chunk size, worker count, resumption."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from matcher.batch import run_batch
from matcher.embed import encode_documents

BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
    "Partner at an early-stage fund; I source deals and sit on five boards.",
    "Head of product for three teams: strategy, roadmap and hiring product managers.",
]
TEXTS = [f"{BIOS[i % 5]} Case {i}." + (" I also mentor juniors." * (i % 4)) for i in range(45)]


def _stacked(scores) -> np.ndarray:
    return np.concatenate([scores.score, scores.confidence, scores.fit[:, None]], axis=1)


def test_a_rows_scores_do_not_depend_on_the_batch_it_is_ranked_in(fake_matcher):
    docs = encode_documents(fake_matcher.embedder, TEXTS)
    whole = _stacked(fake_matcher.score_documents(docs))
    for size in (1, 7):
        parts = [
            _stacked(fake_matcher.score_documents(docs[b : b + size])) for b in range(0, len(docs), size)
        ]
        # float32 ranking had moved scores by ~2e-7 between one row and many: visible in the 6th decimal
        assert np.abs(np.concatenate(parts) - whole).max() < 1e-12


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    path = tmp_path_factory.mktemp("det") / "people.csv"
    pd.DataFrame({"id": [f"c{i}" for i in range(len(TEXTS))], "bio": TEXTS}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def reference(fake_matcher, people, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "ref.csv"
    run_batch(str(people), out, text_column="bio", matcher=fake_matcher, chunk_rows=512)
    return out.read_bytes()


@pytest.mark.parametrize("chunk_rows", [1, 7, 512])
def test_chunk_size_gives_the_same_bytes(fake_matcher, people, reference, tmp_path, chunk_rows):
    out = tmp_path / "out.csv"
    run_batch(str(people), out, text_column="bio", matcher=fake_matcher, chunk_rows=chunk_rows)
    assert out.read_bytes() == reference


def test_two_workers_with_one_row_chunks_give_the_same_bytes(fake_models, people, reference, tmp_path):
    out = tmp_path / "out.csv"
    run_batch(
        str(people), out, text_column="bio", backend="fake", models_dir=fake_models, workers=2, chunk_rows=1
    )
    assert out.read_bytes() == reference


def test_scores_are_written_with_four_decimals(reference):
    frame = pd.read_csv(io.BytesIO(reference), dtype=str, keep_default_na=False)
    decimals = {len(v.split(".")[1]) for v in frame["score_1"].tolist() + frame["fit"].tolist() if "." in v}
    assert decimals and max(decimals) <= 4


@pytest.mark.model
def test_minilm_vectors_of_a_text_do_not_depend_on_its_neighbours(real_embedder):
    texts = [BIOS[0], BIOS[1] * 6, BIOS[2]]
    alone = encode_documents(real_embedder, [texts[0]])[0]
    together = encode_documents(real_embedder, texts)[0]
    assert np.array_equal(alone.chunk_vectors, together.chunk_vectors)
    assert np.array_equal(alone.span_vectors, together.span_vectors)
