"""Batch files (``run_batch``): readers, writers, bad input, and ``--resume`` (fake embedder: fast)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from matcher.batch import BatchInputError, BatchOutputError, ColumnError, run_batch

BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
    "Partner at an early-stage fund; I source deals and sit on five boards.",
    "Head of product for three teams: strategy, roadmap and hiring product managers.",
]


def write_csv(path, rows, header=("id", "bio")):
    frame = pd.DataFrame(rows, columns=list(header))
    frame.to_csv(path, index=False)
    return path


def size(path) -> int:
    return path.stat().st_size if path.exists() else 0


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def people(tmp_path):
    rows = [(f"c{i}", BIOS[i % len(BIOS)] + f" Case {i}.") for i in range(60)]
    return write_csv(tmp_path / "people.csv", rows)


def run(matcher, source, output, **kw):
    kw.setdefault("text_column", "bio")
    return run_batch(str(source), output, matcher=matcher, **kw)


def test_csv_output_has_one_row_per_input_row_in_order(fake_matcher, people, tmp_path):
    summary = run(fake_matcher, people, tmp_path / "out.csv", chunk_rows=7)
    out = read(tmp_path / "out.csv")
    assert list(out["id"]) == list(read(people)["id"])
    assert summary.rows_ok == 60 and summary.rows_error == 0
    assert list(out.columns[:8]) == [
        "id",
        "status",
        "error",
        "warning",
        "abstain",
        "fit",
        "closest_occupation",
        "model_version",
    ]
    assert "bio" not in out.columns  # the input text is personal data: not copied unless asked
    expected = fake_matcher.score_frame(read(people), text_column="bio")
    assert list(out["role_1"]) == list(expected["role_1"])
    assert out["score_1"].astype(float).tolist() == expected["score_1"].tolist()


def test_chunk_size_does_not_change_the_output(fake_matcher, people, tmp_path):
    run(fake_matcher, people, tmp_path / "a.csv", chunk_rows=512)
    run(fake_matcher, people, tmp_path / "b.csv", chunk_rows=5)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_bad_rows_are_reported_and_nothing_is_dropped(fake_matcher, tmp_path):
    raw = (
        "id,name,bio\n"
        f'a,Ann,"{BIOS[0]}"\n'
        "b,Bob,\n"
        'c,Cy,"   "\n'
        f'a,Dup,"{BIOS[1]}"\n'
        "d,Too,many,fields,here\n"
        "e,few\n"
        f'f,Multi,"He said ""hi"" and\n{BIOS[2]}"\n'
        f'g,Bad,"{BIOS[3]}"x\n'
        f'h,Ok,"{BIOS[4]}"\n'
    ).encode() + "i,Latin,Caf\xe9 owner who manages product launches and pricing.\n".encode("cp1252")
    (tmp_path / "in.csv").write_bytes(raw)
    summary = run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    out = read(tmp_path / "out.csv").set_index("id", drop=False)
    assert len(out) == 10 and summary.rows == 10
    assert list(out["status"]) == ["ok", "error", "error", "ok", "error", "error", "ok", "error", "ok", "ok"]
    assert "empty" in out["error"].iloc[1] and "empty" in out["error"].iloc[2]
    assert out["warning"].iloc[3] == "duplicate id 'a' (first at row 1)"
    assert "5 fields but the header has 3" in out["error"].iloc[4]
    assert "2 fields but the header has 3" in out["error"].iloc[5]
    assert out["id"].iloc[5] == "e"  # a short row keeps its id
    assert "could not be parsed" in out["error"].iloc[7]
    assert "not valid UTF-8" in out["warning"].iloc[9]


def test_a_5_mb_cell_in_a_csv_is_one_error_row(fake_matcher, tmp_path):
    huge = "Product manager. " * (5_000_000 // 17)
    write_csv(tmp_path / "in.csv", [("a", BIOS[0]), ("b", huge), ("c", BIOS[1])])
    run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert list(out["status"]) == ["ok", "error", "ok"]
    assert "the limit is 200,000" in out["error"].iloc[1]


def test_an_unclosed_quote_is_an_error_row_not_a_silent_loss(fake_matcher, tmp_path):
    (tmp_path / "in.csv").write_text(f'id,bio\na,"{BIOS[0]}"\nb,"unclosed {BIOS[1]}\nc,{BIOS[2]}\n')
    run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert list(out["status"]) == ["ok", "error"]
    error = out["error"].iloc[1]
    assert "unclosed quote" in error and "starts on line 3" in error and "lines 3-4" in error
    assert "Close the quote" in error
    assert out["warning"].iloc[1] == ""  # not "the id is empty": the row could not be split into cells


def test_blank_lines_inside_a_csv_keep_the_row_numbers(fake_matcher, tmp_path):
    """A blank line between rows is an error row of its own, so later rows keep their number in the file;
    blank lines after the last row are not rows (a line of empty fields is a row: it was written)."""
    (tmp_path / "in.csv").write_text(f"name,bio\nA,{BIOS[0]}\n\n,\nB,{BIOS[3]}\nC,x,y\n\n\n")
    summary = run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert list(out["row"]) == ["1", "2", "3", "4", "5"] and summary.rows == 5
    assert list(out["status"]) == ["ok", "error", "error", "ok", "error"]
    assert out["error"].iloc[1].startswith("the row is empty")
    assert out["error"].iloc[2].startswith("the text is empty")
    assert "the row has 3 fields but the header has 2 columns" in out["error"].iloc[4]
    (tmp_path / "one.csv").write_text(f"id,bio\na,{BIOS[0]}\nb\n")
    run(fake_matcher, tmp_path / "one.csv", tmp_path / "one_out.csv")
    assert (
        "the row has 1 field but the header has 2 columns" in read(tmp_path / "one_out.csv")["error"].iloc[1]
    )


def test_a_csv_converted_to_windows_line_ends_twice_has_no_blank_rows(fake_matcher, tmp_path):
    """ "\\r\\r\\n" after each row (a file converted twice) is one line break: the rows are not doubled, and a
    real blank line in such a file still keeps its place."""
    rows = [f"A,{BIOS[0]}", f"B,{BIOS[3]}", "", f"C,{BIOS[0]}"]
    (tmp_path / "in.csv").write_bytes("\r\r\n".join(["name,bio", *rows, ""]).encode())
    summary = run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert summary.rows == 4 and list(out["status"]) == ["ok", "ok", "error", "ok"]
    assert out["error"].iloc[2].startswith("the row is empty")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty; expected a header row"),
        (b"\n\n  \n", "is empty; expected a header row"),
        (b"id,bio\n", "has a header but no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "does not look like a CSV text file"),
        (b"id,summary\n1,hello\n", "column 'bio' not found in"),
    ],
)
def test_whole_file_problems_fail_with_a_clear_message(fake_matcher, tmp_path, content, message):
    (tmp_path / "in.csv").write_bytes(content)
    with pytest.raises(BatchInputError, match=message):
        run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_missing_column_lists_the_columns(fake_matcher, tmp_path):
    write_csv(tmp_path / "in.csv", [("1", "x", "y")], header=("id", "name", "summary"))
    with pytest.raises(ColumnError, match=r"columns are: id, name, summary \(use --text-column\)"):
        run(fake_matcher, tmp_path / "in.csv", tmp_path / "out.csv")


def test_a_missing_input_file_is_named(fake_matcher, tmp_path):
    with pytest.raises(BatchInputError, match="nope.csv does not exist"):
        run(fake_matcher, tmp_path / "nope.csv", tmp_path / "out.csv")


@pytest.mark.parametrize("target", ["missing-folder/out.csv", "folder.csv", "out.xls"])
def test_an_unwritable_output_fails_before_any_work(fake_matcher, people, tmp_path, target, monkeypatch):
    (tmp_path / "folder.csv").mkdir()
    calls = []
    monkeypatch.setattr(fake_matcher, "score_documents", lambda docs: calls.append(docs))
    with pytest.raises(BatchOutputError):
        run(fake_matcher, people, tmp_path / target)
    assert calls == []


def test_the_input_is_never_overwritten(fake_matcher, people, tmp_path):
    before = people.read_bytes()
    with pytest.raises(BatchOutputError, match="is the input file"):
        run(fake_matcher, people, people.with_suffix(".csv"), overwrite=True)
    assert people.read_bytes() == before


def test_an_existing_output_needs_resume_or_overwrite(fake_matcher, people, tmp_path):
    (tmp_path / "out.csv").write_text("precious\n")
    with pytest.raises(BatchOutputError, match="--resume or replace it with --overwrite"):
        run(fake_matcher, people, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == "precious\n"
    run(fake_matcher, people, tmp_path / "out.csv", overwrite=True)
    assert len(read(tmp_path / "out.csv")) == 60


def test_jsonl_output_carries_the_full_result(fake_matcher, people, tmp_path):
    run(fake_matcher, people, tmp_path / "out.jsonl", top=2)
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == list(read(people)["id"])
    first = records[0]["result"]
    assert len(first["roles"]) == 2 and len(first["roles"][0]["quotes"]) == 3
    assert first["roles"][0]["evidence"] and first["model_version"] == fake_matcher.model_version


def test_jsonl_and_parquet_inputs_and_parquet_output(fake_matcher, tmp_path):
    lines = [{"id": "a", "bio": BIOS[0]}, {"id": "b", "bio": None}, "not json", {"id": "d", "other": 1}]
    text = "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines)
    latin = '{"id": "e", "bio": "Caf\xe9 owner who runs product launches."}\n'.encode("cp1252")
    (tmp_path / "in.jsonl").write_bytes(text.encode() + b"\n\n" + latin)
    run(fake_matcher, tmp_path / "in.jsonl", tmp_path / "out.parquet", include_text=True)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out["status"]) == ["ok", "error", "error", "error", "ok"]
    assert "not valid JSON" in out["error"][2] and "no 'bio' key" in out["error"][3]
    assert "not valid UTF-8" in out["warning"][4] and out["bio"][4].startswith("Café owner")
    pd.DataFrame({"id": [1, 2], "bio": [BIOS[0], BIOS[1]]}).to_parquet(tmp_path / "in.parquet")
    run(fake_matcher, tmp_path / "in.parquet", tmp_path / "out2.csv")
    assert list(read(tmp_path / "out2.csv")["id"]) == ["1", "2"]


def test_stdin_is_read_as_csv(fake_matcher, people, tmp_path):
    with open(people, "rb") as fh:
        run_batch("-", tmp_path / "out.csv", text_column="bio", matcher=fake_matcher, stdin=fh)
    assert len(read(tmp_path / "out.csv")) == 60


# ------------------------------------------------------------------------------------------ resume


def test_resume_after_a_torn_write_gives_the_uninterrupted_rows(fake_matcher, people, tmp_path):
    full = tmp_path / "full.csv"
    run(fake_matcher, people, full, chunk_rows=8)
    data = full.read_bytes()
    lines = data.split(b"\n")
    torn = tmp_path / "torn.csv"
    torn.write_bytes(b"\n".join(lines[:23]) + b"\n" + lines[23][:40])  # 22 whole rows, then half a row
    summary = run(fake_matcher, people, torn, chunk_rows=8, resume=True)
    assert summary.rows_resumed == 22 and summary.rows == 38
    assert torn.read_bytes() == data


def test_resume_of_a_complete_file_writes_nothing(fake_matcher, people, tmp_path):
    out = tmp_path / "out.jsonl"
    run(fake_matcher, people, out)
    before = out.read_bytes()
    summary = run(fake_matcher, people, out, resume=True)
    assert summary.rows == 0 and summary.rows_resumed == 60
    assert out.read_bytes() == before


def test_resume_keeps_duplicate_checks_across_the_restart(fake_matcher, tmp_path):
    rows = [("a", BIOS[0]), ("b", BIOS[1]), ("a", BIOS[2]), ("c", BIOS[3]), ("b", BIOS[4])]
    source = write_csv(tmp_path / "in.csv", rows)
    run(fake_matcher, source, tmp_path / "full.csv")
    lines = (tmp_path / "full.csv").read_text().splitlines(keepends=True)
    (tmp_path / "part.csv").write_text("".join(lines[:3]))
    run(fake_matcher, source, tmp_path / "part.csv", resume=True)
    assert (tmp_path / "part.csv").read_text() == (tmp_path / "full.csv").read_text()


def test_resume_refuses_another_model_version(fake_matcher, people, tmp_path):
    out = tmp_path / "out.csv"
    run(fake_matcher, people, out)
    out.write_text(out.read_text().replace(fake_matcher.model_version, "0123456789ab"))
    with pytest.raises(BatchOutputError, match="written by model version 0123456789ab"):
        run(fake_matcher, people, out, resume=True)


def test_resume_refuses_other_options_or_another_input(fake_matcher, people, tmp_path):
    out = tmp_path / "out.csv"
    run(fake_matcher, people, out, top=3)
    with pytest.raises(BatchOutputError, match="other columns"):
        run(fake_matcher, people, out, top=2, resume=True)
    other = write_csv(tmp_path / "other.csv", [(f"x{i}", BIOS[0]) for i in range(80)])
    with pytest.raises(BatchOutputError, match="does not continue"):
        run(fake_matcher, other, out, resume=True)
    with pytest.raises(BatchOutputError, match="cannot be appended"):
        run(fake_matcher, people, tmp_path / "out.parquet", resume=True)


KILLED_RUN = textwrap.dedent(
    """
    import sys
    from matcher.batch import run_batch
    if __name__ == "__main__":
        run_batch(sys.argv[1], sys.argv[2], text_column="bio", backend="fake", models_dir=sys.argv[3],
                  chunk_rows=20)
    """
)


def test_resume_after_a_killed_run_gives_exactly_the_uninterrupted_rows(fake_matcher, fake_models, tmp_path):
    rows = [(f"c{i}", f"{BIOS[i % 5]} Note {i}.") for i in range(3000)]
    source = write_csv(tmp_path / "in.csv", rows)
    run(fake_matcher, source, tmp_path / "full.csv", chunk_rows=20)
    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN)
    out = tmp_path / "killed.csv"
    proc = subprocess.Popen([sys.executable, str(script), str(source), str(out), str(fake_models)])
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None and size(out) < 20_000:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(out.read_bytes().splitlines())
    summary = run(fake_matcher, source, out, chunk_rows=20, resume=True)
    assert summary.rows_resumed + summary.rows == 3000
    assert written > 1 and summary.rows_resumed < 3000  # it really was cut short
    assert out.read_bytes() == (tmp_path / "full.csv").read_bytes()


def test_two_local_processes_give_the_same_output(fake_matcher, fake_models, people, tmp_path):
    run(fake_matcher, people, tmp_path / "one.csv", chunk_rows=9)
    run_batch(
        str(people),
        tmp_path / "two.csv",
        text_column="bio",
        backend="fake",
        models_dir=fake_models,
        workers=2,
        chunk_rows=9,
    )
    assert (tmp_path / "two.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_cells_that_open_like_a_formula_stay_text_in_csv_and_xlsx(fake_matcher, tmp_path):
    """A bio or a kept column starting with '=', '+', '-' or '@' must not run as a spreadsheet formula."""
    import openpyxl

    source = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "id": ["@a1", "b2"],
            "name": ['=HYPERLINK("http://evil.example","click")', "Ann"],
            "bio": [
                "=1+2 Product manager for a mobile banking app; roadmap, user interviews, specs.",
                "+cmd I run payroll and reconcile the accounts every month for a retail chain.",
            ],
        }
    ).to_csv(source, index=False)
    run(
        fake_matcher,
        source,
        tmp_path / "out.csv",
        text_column="bio",
        keep_columns=("name",),
        include_text=True,
    )
    frame = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert frame["id"].tolist() == ["'@a1", "b2"]
    assert frame["name"].tolist()[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert [t[:3] for t in frame["bio"]] == ["'=1", "'+c"]
    cells = [v for row in frame.itertuples(index=False) for v in row]
    assert not any(v.startswith(("=", "+", "@")) for v in cells if isinstance(v, str))

    run(
        fake_matcher,
        source,
        tmp_path / "out.xlsx",
        text_column="bio",
        keep_columns=("name",),
        include_text=True,
    )
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
    values = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    formulas = [c.value for c in values if c.data_type == "f"]
    assert not formulas
    assert '=HYPERLINK("http://evil.example","click")' in [c.value for c in values]  # verbatim, as text
