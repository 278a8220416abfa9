"""Batch scoring of a DataFrame (``score_frame``): one row out per row in, bad rows say why."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from matcher.batch import ColumnError
from matcher.batch.frame import DuplicateTracker, score_texts
from matcher.textproc import MAX_CHARS

GOOD = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
]
BASE = ["status", "error", "warning", "abstain", "fit", "closest_occupation", "model_version"]
ROLE = ("role", "title", "score", "confidence", "quote", "evidence")
QUOTE = re.compile(r"^“(?P<text>.*)” \((?P<source>articles/[^:]+):(?P<start>\d+)-(?P<end>\d+)\)$", re.S)


def columns(key: str, top: int) -> list[str]:
    return [key, *BASE] + [f"{name}_{i}" for i in range(1, top + 1) for name in ROLE]


def test_one_row_per_input_row_in_order_with_the_input_index(fake_matcher):
    frame = pd.DataFrame({"id": ["a", "b", "c"], "bio": GOOD}, index=[7, 3, 5])
    out = fake_matcher.score_frame(frame, text_column="bio", top=2)
    assert list(out.columns) == columns("id", 2)
    assert list(out.index) == [7, 3, 5]
    assert list(out["id"]) == ["a", "b", "c"]
    assert set(out["status"]) == {"ok"}
    assert set(out["model_version"]) == {fake_matcher.model_version}
    for i, text in enumerate(GOOD):  # batching does not change a row's result
        alone = fake_matcher.match(text, top=2, quotes=1)
        assert out["role_1"].iloc[i] == alone.roles[0].id
        assert out["score_1"].iloc[i] == round(alone.roles[0].score, 4)  # the same digits, not just close
        assert out["fit"].iloc[i] == round(alone.fit, 4)


def test_rows_are_numbered_without_an_id_column(fake_matcher):
    out = fake_matcher.score_frame(pd.DataFrame({"text": GOOD}), top=1)
    assert list(out.columns) == columns("row", 1)
    assert list(out["row"]) == [1, 2, 3]


def test_each_bad_row_gets_an_error_and_the_others_are_scored(fake_matcher):
    texts = [
        GOOD[0],
        "",
        "   \n\t ",
        None,
        np.nan,
        "\x00\x01\x02 binary",
        "%%%% #### 1234 ////",
        "word " * (MAX_CHARS // 4),
        GOOD[1],
        b"Caf\xe9 owner who manages product launches.",
    ]
    out = fake_matcher.score_frame(pd.DataFrame({"text": texts}), top=3)
    assert len(out) == len(texts)
    assert list(out["status"]) == ["ok"] + ["error"] * 7 + ["ok", "ok"]
    errors = list(out["error"])
    assert all("empty" in e for e in errors[1:5])
    assert "binary" in errors[5]
    assert "no letters" in errors[6]
    assert "characters; the limit is 200,000" in errors[7]
    bad = out[out["status"] == "error"]
    assert (bad["role_1"] == "").all() and bad["score_1"].isna().all() and bad["fit"].isna().all()
    assert out["role_1"].iloc[8] == fake_matcher.match(GOOD[1], top=1).roles[0].id


def test_a_5_mb_cell_is_refused_with_its_size(fake_matcher):
    huge = "Product manager. " * (5_000_000 // 17)
    out = fake_matcher.score_frame(pd.DataFrame({"text": [huge, GOOD[0]]}), top=1)
    assert list(out["status"]) == ["error", "ok"]
    assert "the limit is 200,000" in out["error"].iloc[0]


def test_duplicate_ids_are_kept_flagged_and_scored(fake_matcher):
    frame = pd.DataFrame({"cid": ["x", "y", "x", ""], "text": [GOOD[0], GOOD[1], GOOD[2], GOOD[0]]})
    out = fake_matcher.score_frame(frame, id_column="cid", top=1)
    assert list(out["cid"]) == ["x", "y", "x", ""]
    assert list(out["status"]) == ["ok"] * 4
    assert list(out["warning"]) == ["", "", "duplicate id 'x' (first at row 1)", "the id is empty"]


def test_missing_column_names_the_columns_that_exist(fake_matcher):
    expected = (
        r"column 'bio' not found in the DataFrame; columns are: id, Bio, name \(did you mean 'Bio'\? use"
    )
    with pytest.raises(ColumnError, match=expected):
        fake_matcher.score_frame(pd.DataFrame({"id": [1], "Bio": ["x"], "name": ["y"]}), text_column="bio")
    with pytest.raises(ColumnError, match="column 'key' not found"):
        fake_matcher.score_frame(pd.DataFrame({"text": GOOD}), id_column="key")


def test_flat_quotes_are_verbatim_passages_of_the_articles(fake_matcher):
    out = fake_matcher.score_frame(pd.DataFrame({"text": GOOD}), top=3)
    seen = 0
    for i in range(1, 4):
        for cell in out[f"quote_{i}"]:
            match = QUOTE.match(cell)
            assert match, cell
            article = (ROOT / "corpus" / match["source"]).read_text(encoding="utf-8")
            assert article[int(match["start"]) : int(match["end"])] == match["text"]
            seen += 1
    assert seen == 9


def test_include_text_copies_the_input_only_when_asked(fake_matcher):
    frame = pd.DataFrame({"bio": GOOD})
    assert "bio" not in fake_matcher.score_frame(frame, text_column="bio").columns
    out = fake_matcher.score_frame(frame, text_column="bio", include_text=True)
    assert list(out["bio"]) == GOOD


def test_score_texts_isolates_bad_texts_in_one_batched_pass(fake_matcher):
    results = score_texts(fake_matcher, [GOOD[0], "", GOOD[1]], top=2, quotes=1)
    assert isinstance(results[1], str) and "empty" in results[1]
    assert [r.roles[0].id for r in (results[0], results[2])] == [
        fake_matcher.match(t, top=1).roles[0].id for t in (GOOD[0], GOOD[1])
    ]


def test_duplicate_tracker_remembers_the_first_row():
    tracker = DuplicateTracker()
    assert [tracker.note(k, r) for r, k in enumerate(["a", "b", "a", "a"], 1)] == [
        None,
        None,
        "duplicate id 'a' (first at row 1)",
        "duplicate id 'a' (first at row 1)",
    ]


@pytest.fixture
def pipelined(fake_matcher, monkeypatch):
    """The in-process engine with a backend that encodes each text on its own: the next chunk is encoded
    in a second thread while this one is ranked."""
    from matcher.batch.engine import InProcess

    monkeypatch.setattr(type(fake_matcher.embedder), "per_text", True, raising=False)
    return InProcess(source=None, matcher=fake_matcher)  # type: ignore[arg-type]


def _chunks(n: int, fail_at: int | None = None):
    from matcher.batch.frame import Chunk

    for k in range(n):
        if k == fail_at:
            raise OSError("the input file went away")
        yield Chunk(rows=[2 * k + 1, 2 * k + 2], texts=[f"I run payroll, batch {k}.", "I write Go services."])


def test_the_pipelined_engine_gives_the_rows_of_the_plain_one_in_order(pipelined, fake_matcher):
    from matcher.batch.frame import BatchSpec, score_chunk

    spec = BatchSpec(top=2, quotes=1)
    got = [(c.rows, records) for c, records in pipelined.map(_chunks(5), spec)]
    assert [rows for rows, _ in got] == [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]
    assert [records for _, records in got] == [score_chunk(fake_matcher, c, spec) for c in _chunks(5)]


def test_the_pipelined_engine_cuts_chunks_into_pieces_and_puts_them_back_together(
    pipelined, fake_matcher, monkeypatch
):
    from matcher.batch import engine
    from matcher.batch.frame import BatchSpec, Chunk, score_chunk

    monkeypatch.setattr(engine, "PIECE_ROWS", 2)
    texts = [f"I run payroll and write Go services, row {i}." for i in range(5)]
    chunks = [
        Chunk([1, 2, 3, 4, 5], texts, problems=[None, "a ragged row", None, None, None]),
        Chunk([6], texts[:1]),
    ]
    spec = BatchSpec(top=2, quotes=1)
    got = list(pipelined.map(iter(chunks), spec))
    assert [c.rows for c, _ in got] == [
        [1, 2, 3, 4, 5],
        [6],
    ]  # one result per chunk read, as the writer expects
    assert [records for _, records in got] == [score_chunk(fake_matcher, c, spec) for c in chunks]


def test_pieces_cover_every_row_once_and_mark_each_chunk_s_last_piece():
    from matcher.batch.engine import pieces
    from matcher.batch.frame import Chunk

    chunks = [Chunk(list(range(1, 6)), list("abcde"), ids=list("vwxyz")), Chunk([], [])]
    got = [
        (chunk.rows[0] if chunk.rows else None, piece.rows, piece.ids, last)
        for chunk, piece, last in pieces(iter(chunks), 2)
    ]
    assert got == [
        (1, [1, 2], ["v", "w"], False),
        (1, [3, 4], ["x", "y"], False),
        (1, [5], ["z"], True),
        (None, [], None, True),  # an empty chunk still comes out (once)
    ]


def test_the_pipelined_engine_writes_the_chunk_read_before_the_reader_failed(pipelined):
    from matcher.batch.frame import BatchSpec

    seen = []
    with pytest.raises(OSError, match="went away"):
        for chunk, _ in pipelined.map(_chunks(5, fail_at=3), BatchSpec()):
            seen.append(chunk.rows)
    assert seen == [[1, 2], [3, 4], [5, 6]]  # as the plain loop: every chunk read was scored


def test_closing_the_pipelined_engine_early_does_not_wait_for_the_rest(pipelined):
    from matcher.batch.frame import BatchSpec

    scored = pipelined.map(_chunks(1000), BatchSpec())
    first, _ = next(scored)
    scored.close()  # as run_batch does on Ctrl+C or a writer error
    assert first.rows == [1, 2]


def test_a_repaired_row_says_so_in_its_warning_and_the_others_do_not(fake_matcher):
    texts = ["NaÃ¯ve Bayes and SQL dashboards for the teamâ€™s weekly reports.", GOOD[0]]
    out = fake_matcher.score_frame(pd.DataFrame({"text": texts}), top=1)
    assert "mojibake" in out["warning"].iloc[0]
    assert not out["warning"].iloc[1]
