"""Flat batch rows from array operations over a chunk (``matcher.batch.flat``) equal the rows built from a
``MatchResult`` per text, to the last byte: same features, roles, quotes, evidence and closest occupation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from matcher.batch.flat import chunk_signals, closest_occupations, featurize_chunk, index_tables
from matcher.batch.frame import BatchSpec, Chunk, encode_chunk, finish_chunk, flat_record, rank_encoded
from matcher.embed import encode_documents
from matcher.explain import closest_outside
from matcher.rank import featurize_docs
from matcher.results import MatchResult

ODD = [
    "",  # an error row
    "Jane Doe | jane@example.com | +1 555 0100",  # contact details only: no sentence is evidence
    "Registered nurse on a cardiac ward: triage, medication rounds and patient education.",  # abstains
    "Staff Accountant (AP/AR)",  # a bare title
    "Led a team.\n\nLed a team.\n\nShipped the billing service in Go and Kafka.",  # repeated sentences
    "%%%% #### 1234 ////",  # an error row
    "company - own practice\n\nM.Tech (IT-DBS) B.Tech (CSE) SRM University\n\nBuilt payment APIs in Go.",  # levels
    "Senior Product Marketing Manager [EMAIL] | [PHONE]\n\nMBA (Marketing), 2015",  # fragments only
    # a heading on the line before a long sentence or list is one span with it; lists come after statements
    "SUMMARY\nProduct manager with six years on B2B payments products, from discovery interviews to pricing, "
    "launch plans and the quarterly roadmap reviews.\n\nSKILLS\nRoadmaps, discovery, pricing, A/B testing, SQL, "
    "Amplitude, Jira, stakeholder management, payments APIs, launch planning",
    "Product Manager | Payments | Roadmaps | Pricing",  # a list only
]


def texts() -> list[str]:
    frames = [pd.read_csv(p) for p in sorted((ROOT / "corpus" / "examples").glob("*.csv"))]
    examples = pd.concat(frames, ignore_index=True)["text"]
    picked = examples.sample(60, random_state=3).tolist()
    resume = "\n\n".join(examples.iloc[:5])  # several hundred words: several chunks
    return [*ODD, resume, *picked]


@pytest.fixture(scope="module")
def static_matcher():
    from matcher import RoleMatcher

    return RoleMatcher.load(backend="static")


@pytest.fixture(params=["fake", "static"])
def matcher(request, fake_matcher, static_matcher):
    return fake_matcher if request.param == "fake" else static_matcher


def reference(matcher, chunk: Chunk, spec: BatchSpec) -> list[dict]:
    """The flat rows as ``finish_chunk`` built them before: from a ``MatchResult`` per text."""
    stage = encode_chunk(matcher, chunk)
    outcomes = rank_encoded(matcher, stage.encoded, spec.top, spec.quotes)
    rows = []
    for row, outcome in zip(chunk.rows, outcomes):
        result = outcome if isinstance(outcome, MatchResult) else None
        error = "" if result is not None else str(outcome)
        warning = "; ".join(result.warnings) if result is not None else ""  # e.g. repaired characters
        rows.append(flat_record(spec, f"r{row}", error, warning, result, matcher.model_version))
    return rows


def test_chunk_features_equal_the_per_text_features_bit_for_bit(matcher):
    docs = encode_documents(matcher.embedder, [t for t in texts() if t and not t.startswith("%")])
    expected = featurize_docs(docs, matcher.index)
    got = featurize_chunk(docs, matcher.index, index_tables(matcher))
    for name in ("vectors", "similarity", "backbone", "world"):
        assert getattr(got, name).dtype == getattr(expected, name).dtype, name
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert all(np.array_equal(a, b) for a, b in zip(got.chunks, expected.chunks))


def test_closest_occupations_equal_closest_outside_for_every_text(matcher):
    docs = encode_documents(matcher.embedder, [t for t in texts() if t and not t.startswith("%")])
    signals = chunk_signals(docs, matcher.index, index_tables(matcher))
    found = closest_occupations(signals, np.arange(len(docs)), index_tables(matcher))
    expected = {i: r[0] for i, r in enumerate(closest_outside(d, matcher.index) for d in docs) if r}
    assert found == expected
    assert len(signals.named) > 0  # texts with and without job titles


@pytest.mark.parametrize(("top", "quotes"), [(1, 1), (3, 0), (3, 3), (14, 1)])
def test_flat_rows_equal_the_rows_built_from_match_results(matcher, top, quotes):
    items = texts()
    rows = list(range(1, len(items) + 1))
    chunk = Chunk(rows, items, [f"r{r}" for r in rows], [None] * len(rows), [None] * len(rows))
    top = min(top, len(matcher.corpus.roles))
    spec = BatchSpec(id_column="id", top=top, quotes=quotes, calibrated=matcher.calibrated)
    got = finish_chunk(matcher, encode_chunk(matcher, chunk), spec)
    expected = reference(matcher, chunk, spec)
    assert [list(r) for r in got] == [list(r) for r in expected]  # same columns, same order
    assert got == expected
    assert {r["status"] for r in got} == {"ok", "error"}
    if quotes == 0:
        assert all(r["quote_1"] == "" for r in got)
    else:
        assert any(r["quote_1"] for r in got)
    assert any(r["evidence_1"] for r in got)


def test_cosine_blocks_cover_every_text_once_and_do_not_change_the_rows(static_matcher, monkeypatch):
    from matcher.batch import flat

    counts = np.array([3, 1, 40, 2, 2, 9])
    blocks = flat._blocks(counts, width=10, budget=50)
    assert [i for b in blocks for i in range(len(counts))[b]] == list(range(len(counts)))
    assert all(counts[b].sum() * 10 <= 50 or b.stop - b.start == 1 for b in blocks)

    items = texts()
    rows = list(range(1, len(items) + 1))
    chunk = Chunk(rows, items, None, [None] * len(rows), [None] * len(rows))
    spec = BatchSpec(top=3, quotes=1, calibrated=static_matcher.calibrated)
    whole = finish_chunk(static_matcher, encode_chunk(static_matcher, chunk), spec)
    blocks = flat._blocks
    monkeypatch.setattr(flat, "_blocks", lambda counts, width: blocks(counts, width, budget=1))
    assert finish_chunk(static_matcher, encode_chunk(static_matcher, chunk), spec) == whole
