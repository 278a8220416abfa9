"""``rolematch batch`` through click's CliRunner: file and stdin input, options, messages (fake matcher)."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.batch.engine import BatchInterrupted, BatchSummary
from matcher.batch.worker import MatcherSource
from matcher.cli import main

BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "",
]


@pytest.fixture(autouse=True)
def fake_model(monkeypatch, fake_matcher):
    """Every load in this process gets the session's fake matcher (the CLI has no fake backend)."""
    monkeypatch.setattr(MatcherSource, "load", lambda self: fake_matcher)


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    pd.DataFrame({"id": ["a", "b", "c"], "name": ["Ann", "Bo", "Cy"], "bio": BIOS}).to_csv(path, index=False)
    return path


def invoke(fake_models, *args, input=None):
    return CliRunner().invoke(main, ["batch", *map(str, args), "--models", str(fake_models)], input=input)


def test_scores_a_file_and_prints_a_summary(fake_models, people, tmp_path):
    result = invoke(fake_models, people, "--text-column", "bio", "--top", "2", "-o", tmp_path / "out.csv")
    assert result.exit_code == 3, result.output  # one row failed: exit status 3
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["id"]) == ["a", "b", "c"]
    assert list(out["status"]) == ["ok", "ok", "error"]
    assert list(out.columns[-6:]) == ["role_2", "title_2", "score_2", "confidence_2", "quote_2", "evidence_2"]
    assert "2 rows ok, 1 with errors in" in result.stderr and "rows/s" in result.stderr
    assert result.stdout == ""


def test_reads_stdin_and_writes_jsonl(fake_models, people, tmp_path):
    result = invoke(
        fake_models,
        "-",
        "--text-column",
        "bio",
        "-o",
        tmp_path / "out.jsonl",
        "--quiet",
        input=people.read_bytes(),
    )
    assert result.exit_code == 3, result.output
    assert result.output == ""  # --quiet: no progress, no summary
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["status"] for r in records] == ["ok", "ok", "error"]
    assert records[0]["result"]["roles"][0]["quotes"]


def test_include_text_and_an_explicit_id_column(fake_models, people, tmp_path):
    result = invoke(
        fake_models,
        people,
        "--text-column",
        "bio",
        "--id-column",
        "name",
        "--include-text",
        "-o",
        tmp_path / "out.csv",
    )
    assert result.exit_code == 3, result.output
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["name"]) == ["Ann", "Bo", "Cy"] and list(out["bio"]) == BIOS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-column", "summary"], "column 'summary' not found in"),
        (["--text-column", "bio", "--id-column", "key"], "column 'key' not found in"),
    ],
)
def test_missing_columns_are_named(fake_models, people, tmp_path, args, message):
    result = invoke(fake_models, people, *args, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1
    assert message in result.stderr and "columns are: id, name, bio" in result.stderr


def test_a_missing_input_and_an_existing_output(fake_models, people, tmp_path):
    result = invoke(fake_models, tmp_path / "nope.csv", "--text-column", "bio", "-o", tmp_path / "out.csv")
    assert result.exit_code == 1 and "nope.csv does not exist" in result.stderr
    (tmp_path / "out.csv").write_text("keep me\n")
    result = invoke(fake_models, people, "--text-column", "bio", "-o", tmp_path / "out.csv")
    assert result.exit_code == 1 and "--resume" in result.stderr and "--overwrite" in result.stderr
    assert (tmp_path / "out.csv").read_text() == "keep me\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fast", "--backend", "minilm"], "--fast means --backend static"),
        (["--resume", "--overwrite"], "not both"),
        (["--scheduler", "tcp://localhost:8786"], "add --engine dask"),
    ],
)
def test_conflicting_options_are_usage_errors(fake_models, people, tmp_path, args, message):
    result = invoke(fake_models, people, "--text-column", "bio", "-o", tmp_path / "out.csv", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_dask_engine_without_dask_names_the_install_command(fake_models, people, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    result = invoke(fake_models, people, "--text-column", "bio", "--engine", "dask", "-o", tmp_path / "o.csv")
    assert result.exit_code == 1
    assert "pip install 'rolematch[dask]'" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_jsonl_rows_carry_the_repair_of_garbled_characters(fake_models, tmp_path):
    source = tmp_path / "garbled.csv"
    pd.DataFrame(
        {
            "id": ["g", "c"],
            "bio": [
                "Skills:\nâ\x80¢ Python\nâ\x80¢ SQL dashboards for finance teams",
                "Plain SQL dashboards.",
            ],
        }
    ).to_csv(source, index=False)
    result = invoke(fake_models, source, "--text-column", "bio", "-o", tmp_path / "out.jsonl", "--quiet")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert "mojibake" in records[0]["warning"] and "mojibake" in records[0]["result"]["warnings"][0]
    assert records[1]["warning"] == "" and records[1]["result"]["warnings"] == []


def test_the_summary_says_1_row_not_1_rows(fake_models, tmp_path):
    path = tmp_path / "one.csv"
    pd.DataFrame({"bio": BIOS[:1]}).to_csv(path, index=False)
    result = invoke(fake_models, path, "--text-column", "bio", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert "1 row ok, 0 with errors in" in result.stderr and "1 rows ok" not in result.stderr


def test_output_dash_writes_every_row_to_stdout_as_csv_or_jsonl(fake_models, people, tmp_path):
    result = invoke(fake_models, people, "--text-column", "bio", "-o", "-")
    assert result.exit_code == 3, result.output  # the empty bio is an error row, and it is there
    out = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert not result.stdout.startswith("\ufeff")  # a pipe gets the first column's name, not a BOM
    assert list(out["id"]) == ["a", "b", "c"] and list(out["status"]) == ["ok", "ok", "error"]
    assert "→ standard output" in result.stderr

    result = invoke(fake_models, people, "--text-column", "bio", "-o", "-", "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c"] and records[0]["result"]["roles"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "OUT.csv", "--format", "jsonl"], "--format is for standard output"),
        (["-o", "-", "--resume"], "standard output (-o -) has none"),
    ],
)
def test_output_format_and_resume_are_refused_where_they_mean_nothing(
    fake_models, people, tmp_path, args, message
):
    args = [str(tmp_path / a) if a == "OUT.csv" else a for a in args]
    result = invoke(fake_models, people, "--text-column", "bio", *args)
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "OUT.csv").exists()


def test_a_slow_run_does_not_say_0_rows_per_second_and_an_interruption_counts_in_words(tmp_path):
    summary = BatchSummary(tmp_path / "o.csv", rows_ok=2, seconds=5.0)
    assert "(0.4 rows/s)" in summary.line()
    assert "interrupted after 1 row;" in str(BatchInterrupted(BatchSummary(tmp_path / "o.csv", rows_ok=1)))


def test_a_folder_read_without_recursive_says_which_subfolders_it_left(fake_models, tmp_path):
    (tmp_path / "cvs" / "2024").mkdir(parents=True)
    (tmp_path / "cvs" / ".git").mkdir()
    (tmp_path / "cvs" / "a.txt").write_text(BIOS[0])
    (tmp_path / "cvs" / "2024" / "b.txt").write_text(BIOS[1])
    result = invoke(fake_models, tmp_path / "cvs", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    assert "1 subfolder not read (add --recursive to read them)" in result.stderr
    result = invoke(fake_models, tmp_path / "cvs", "-o", tmp_path / "all.csv", "--recursive")
    assert "subfolder" not in result.stderr and "2 rows ok" in result.stderr


def test_output_dash_writes_to_a_text_only_stdout_and_leaves_it_open(fake_matcher, people):
    """Jupyter's and redirect_stdout's stdout have no bytes: the rows go to the text stream itself."""
    import contextlib

    from matcher.batch import run_batch

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        summary = run_batch(str(people), "-", text_column="bio", matcher=fake_matcher)
    assert summary.rows_ok == 2 and not out.closed
    assert [line.split(",")[0] for line in out.getvalue().splitlines()[1:]] == ["a", "b", "c"]


TEACHER = (
    "High school mathematics teacher for 11 years. I plan lessons, mark exams and run the maths club.\n"
    "I also coach the debate team and write reports for parents.\n"
)


@pytest.mark.parametrize(
    ("name", "stdin", "says"),
    [
        (
            "teacher.txt",
            False,
            "teacher.txt is one resume, not a table: match it with `rolematch match --file",
        ),
        ("teacher.md", False, "teacher.md is one resume, not a table"),
        (
            "teacher.csv",
            False,
            "teacher.csv is not a table with a header row: its first line reads like text",
        ),
        ("-", True, "stdin is not a table with a header row: its first line reads like text"),
    ],
)
def test_a_resume_given_as_a_table_says_so_and_never_echoes_it(fake_models, tmp_path, name, stdin, says):
    path = tmp_path / name
    if not stdin:
        path.write_text(TEACHER, encoding="utf-8")
    result = invoke(
        fake_models, "-" if stdin else path, "-o", tmp_path / "out.csv", input=TEACHER if stdin else None
    )
    assert result.exit_code == 1, result.output
    assert says in result.stderr and "a folder or .zip of resume files" in result.stderr
    assert "rolematch match -" in result.stderr if stdin else "rolematch match --file" in result.stderr
    assert "mathematics" not in result.output and "columns are" not in result.output


@pytest.mark.parametrize(
    ("asked", "says"),
    [
        ("nope", "(use --id-column)"),  # 'in_scope' is not a plausible meaning of 'nope'
        ("candidte_id", "(did you mean 'candidate_id'? use --id-column)"),
        ("ID", "(did you mean 'id'? use --id-column)"),
        ("scope", "(did you mean 'in_scope'? use --id-column)"),  # a word of the column's name
    ],
)
def test_a_missing_column_suggests_only_a_plausible_one(fake_models, tmp_path, asked, says):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a"], "candidate_id": ["c1"], "in_scope": [True], "text": [BIOS[0]]}).to_csv(
        path, index=False
    )
    result = invoke(fake_models, path, "--id-column", asked, "-o", tmp_path / "out.csv")
    assert result.exit_code == 1, result.output
    assert f"column {asked!r} not found in {path}; columns are: id, candidate_id, in_scope, text {says}" in (
        " ".join(result.stderr.split())
    )
