"""Batch input and output for spreadsheets: delimiters, quoted newlines, .xlsx in and out, kept columns,
BOM, 4-decimal numbers, the id-column hint and the exit statuses (fake matcher: fast)."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.batch import ColumnError, run_batch
from matcher.batch.columns import closest_columns, listed, missing_column
from matcher.batch.dialect import looks_like_id, reads_like_text, sniff_delimiter
from matcher.batch.frame import for_batch
from matcher.batch.readers import BatchInputError
from matcher.batch.worker import MatcherSource
from matcher.cli import main

BIOS = [
    "I run go-to-market launches for a SaaS product;\nI write the case studies sales uses, and own messaging.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk | reset passwords | image laptops for 300 staff.",
]
NUMBER = re.compile(r"^-?\d+(\.\d{1,4})?$")


def semicolon_file(path):
    """What Excel writes with a semicolon list separator: quoted cells holding newlines and semicolons."""
    rows = ["candidate_id;name;bio"] + [f'c{i};N{i};"{bio}"' for i, bio in enumerate(BIOS)]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))
    return path


def run(matcher, source, output, **kw):
    kw.setdefault("text_column", "bio")
    return run_batch(str(source), output, matcher=matcher, **kw)


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(delimiter):
    frame = pd.DataFrame({"id": ["a", "b"], "bio": ["one, two; three | four", "x\ty"]})
    assert sniff_delimiter(frame.to_csv(index=False, sep=delimiter)) == delimiter


def test_a_semicolon_file_with_quoted_newlines(fake_matcher, tmp_path):
    source = semicolon_file(tmp_path / "export.csv")
    summary = run(fake_matcher, source, tmp_path / "out.csv", id_column="candidate_id", include_text=True)
    out = read(tmp_path / "out.csv")
    assert list(out["candidate_id"]) == ["c0", "c1", "c2"] and set(out["status"]) == {"ok"}
    assert [b.replace("\r\n", "\n") for b in out["bio"]] == BIOS  # the newline stayed inside its cell
    assert "columns semicolon-separated (;)" in summary.notes


def test_a_wrong_delimiter_names_the_right_one(fake_matcher, tmp_path):
    source = semicolon_file(tmp_path / "export.csv")
    with pytest.raises(ColumnError, match=r"looks semicolon-separated .*use --delimiter ';'"):
        run(fake_matcher, source, tmp_path / "out.csv", delimiter=",")


def test_a_column_that_looks_like_an_id_is_named_with_the_flag(fake_matcher, tmp_path):
    summary = run(fake_matcher, semicolon_file(tmp_path / "in.csv"), tmp_path / "out.csv")
    assert any("'candidate_id' looks like an id: add --id-column candidate_id" in n for n in summary.notes)
    assert list(read(tmp_path / "out.csv")["row"]) == ["1", "2", "3"]
    summary = run(fake_matcher, tmp_path / "in.csv", tmp_path / "o2.csv", id_column="candidate_id")
    assert not any("looks like an id" in n for n in summary.notes)
    assert [looks_like_id(c) for c in (["Applicant ID", "bio"], ["video", "bio"])] == ["Applicant ID", None]


def test_keep_columns_and_keep_all(fake_matcher, tmp_path):
    source = semicolon_file(tmp_path / "in.csv")
    run(fake_matcher, source, tmp_path / "k.csv", id_column="candidate_id", keep_columns=["name"])
    out = read(tmp_path / "k.csv")
    assert list(out.columns[:3]) == ["candidate_id", "name", "status"] and list(out["name"]) == [
        "N0",
        "N1",
        "N2",
    ]
    with pytest.raises(ColumnError, match=r"column 'email' not found .*use --keep-columns"):
        run(fake_matcher, source, tmp_path / "x.csv", keep_columns=["email"])
    pd.DataFrame({"id": ["a"], "status": ["hired"], "bio": [BIOS[1]]}).to_csv(tmp_path / "s.csv", index=False)
    run(fake_matcher, tmp_path / "s.csv", tmp_path / "all.csv", keep_all=True)
    out = read(tmp_path / "all.csv")  # an input column named like an output column is renamed
    assert list(out.columns[:3]) == ["id", "input_status", "status"] and out["input_status"][0] == "hired"
    assert "bio" not in out.columns  # the text only with include_text


def test_kept_columns_in_parquet_and_in_a_dataframe(fake_matcher, tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "age": [31, 45], "bio": BIOS[:2]})
    frame.to_parquet(tmp_path / "in.parquet")
    run(fake_matcher, tmp_path / "in.parquet", tmp_path / "out.parquet", keep_columns=["age"])
    assert list(pd.read_parquet(tmp_path / "out.parquet")["age"]) == ["31", "45"]
    scored = fake_matcher.score_frame(frame, text_column="bio", keep_columns=["age"])
    assert list(scored["age"]) == [31, 45] and list(scored.index) == [0, 1]


def test_csv_output_starts_with_a_bom_and_numbers_are_plain(fake_matcher, tmp_path):
    run(fake_matcher, semicolon_file(tmp_path / "in.csv"), tmp_path / "out.csv", top=14)
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrow,")  # Excel reads UTF-8 only with the BOM
    out = read(tmp_path / "out.csv")
    assert out.columns[0] == "row"  # readers skip it
    numbers = [v for c in out.columns if c.startswith(("score_", "confidence_", "fit")) for v in out[c]]
    assert len(numbers) == 3 * 29 and all(NUMBER.match(v) for v in numbers), numbers
    assert not re.search(rb"\de-\d", data)
    for i in range(1, 15):  # the title and the person's own sentence sit next to each role
        assert list(out.columns[out.columns.get_loc(f"role_{i}") :][:6]) == [
            f"{n}_{i}" for n in ("role", "title", "score", "confidence", "quote", "evidence")
        ]
    assert all(out["evidence_1"][k].replace("\r\n", "\n") in BIOS[k] for k in range(3))
    run(fake_matcher, tmp_path / "in.csv", tmp_path / "plain.csv", bom=False)
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"row,")


def test_resume_continues_a_file_with_a_bom(fake_matcher, tmp_path):
    source = semicolon_file(tmp_path / "in.csv")
    run(fake_matcher, source, tmp_path / "full.csv")
    lines = (tmp_path / "full.csv").read_bytes().split(b"\n")
    (tmp_path / "part.csv").write_bytes(b"\n".join(lines[:2]) + b"\n")
    summary = run(fake_matcher, source, tmp_path / "part.csv", resume=True)
    assert summary.rows_resumed == 1 and summary.rows == 2
    assert (tmp_path / "part.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()


def write_xlsx(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_round_trip(fake_matcher, tmp_path):
    rows = [["ID", "Name", "bio", None], *[[i + 100, f"N{i}", bio, None] for i, bio in enumerate(BIOS)]]
    source = write_xlsx(tmp_path / "in.xlsx", {"notes": [["nothing here"]], "people": rows})
    with pytest.raises(BatchInputError, match=r"sheet 'peple' not found .*did you mean 'people'\?"):
        run(fake_matcher, source, tmp_path / "x.csv", sheet="peple")
    summary = run(fake_matcher, source, tmp_path / "out.xlsx", sheet="people", id_column="ID",
                  keep_columns=["Name"], include_text=True)  # fmt: skip
    assert summary.rows_ok == 3 and "read sheet 'people'" in summary.notes
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["results", "about"]
    sheet = book["results"]
    assert sheet.freeze_panes == "B2" and sheet["A1"].font.bold
    table = list(sheet.iter_rows(values_only=True))
    header = list(table[0])
    assert header[:3] == ["ID", "Name", "status"]
    assert [r[0] for r in table[1:]] == ["100", "101", "102"]
    assert [r[header.index("bio")] for r in table[1:]] == BIOS  # the quoted newline survives both ways
    assert sheet.column_dimensions["A"].width >= 10
    widths = {
        header[i]: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i in range(len(header))
    }
    assert widths["quote_1"] > widths["score_1"]
    score = table[1][header.index("confidence_1")]
    assert isinstance(score, float) and round(score, 4) == score  # a number, 4 decimals
    about = dict(r[:2] for r in book["about"].iter_rows(values_only=True) if r[0])
    assert about["model version"] == fake_matcher.model_version and "probability" in about["confidence"]
    assert about["product-marketing-manager"]  # the catalog is listed
    again = run(fake_matcher, tmp_path / "out.xlsx", tmp_path / "again.csv", text_column="bio")  # out → in
    assert again.rows_ok == 3


def test_xlsx_rows_keep_their_numbers_and_say_what_is_wrong(fake_matcher, tmp_path):
    """An empty sheet row between people is an error row (later rows keep their number); empty rows after
    the last one are not rows; a formula without a saved value is said as such, not as an empty text."""
    rows = [["name", "bio"], ["A", BIOS[0]], [None, None], ["B", BIOS[1]], ["C", '=CONCAT("a","b")']]
    source = write_xlsx(tmp_path / "in.xlsx", {"people": [*rows, ["D", None], [None, None], [None, None]]})
    summary = run(fake_matcher, source, tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert list(out["row"]) == ["1", "2", "3", "4", "5"] and summary.rows == 5
    assert list(out["status"]) == ["ok", "error", "ok", "error", "error"]
    assert out["error"].iloc[1].startswith("the row is empty")
    assert "holds a formula and the file has no saved value" in out["error"].iloc[3]
    assert "open the file in Excel or LibreOffice and save it" in out["error"].iloc[3]
    assert out["error"].iloc[4].startswith("the text is empty")  # a cell that is really empty
    run(fake_matcher, source, tmp_path / "ids.csv", id_column="name")  # no row column: the error says it
    assert read(tmp_path / "ids.csv")["error"].iloc[1].startswith("row 2 (after the header) is empty")


def test_formulas_filled_down_past_the_data_are_no_rows(fake_matcher, tmp_path):
    """A template's formula column filled down below the people (no saved value, as a program that does not
    calculate writes it) adds no rows and no errors."""
    rows = [["id", "bio", "calc"], ["1", BIOS[0], "=1"], ["2", BIOS[1], "=1"]]
    rows += [[None, None, f'=IF(A{n}="","",1)'] for n in range(4, 40)]
    source = write_xlsx(tmp_path / "in.xlsx", {"people": rows})
    summary = run(fake_matcher, source, tmp_path / "out.csv", id_column="id")
    out = read(tmp_path / "out.csv")
    assert list(out["id"]) == ["1", "2"] and list(out["status"]) == ["ok", "ok"] and summary.rows == 2


def test_a_row_of_formulas_without_values_says_so_and_a_sheet_of_them_is_refused(fake_matcher, tmp_path):
    rows = [["id", "bio"], ["1", BIOS[0]], ["=ROW()", '="a"&"b"'], ["3", BIOS[1]]]
    run(fake_matcher, write_xlsx(tmp_path / "in.xlsx", {"people": rows}), tmp_path / "out.csv")
    out = read(tmp_path / "out.csv")
    assert list(out["status"]) == ["ok", "error", "ok"]  # the row keeps its place, and says what it holds
    assert (
        "row 2 (after the header) holds only formulas and the file has no saved value" in out["error"].iloc[1]
    )
    only = write_xlsx(tmp_path / "only.xlsx", {"people": [["bio"], ['="a"&"b"'], ['="c"&"d"']]})
    with pytest.raises(BatchInputError, match="no row of the sheet has a value: holds only formulas"):
        run(fake_matcher, only, tmp_path / "only.csv")


def test_a_formula_with_a_saved_value_is_read_as_its_value(fake_matcher, tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", {"people": [["id", "bio"], ["=1+1", BIOS[0]]]})
    with zipfile.ZipFile(source) as book:  # store the value Excel would have saved: <v>2</v>
        parts = {n: book.read(n) for n in book.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(source, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    run(fake_matcher, source, tmp_path / "out.csv", id_column="id")
    out = read(tmp_path / "out.csv")
    assert list(out["id"]) == ["2"] and list(out["warning"]) == [""] and list(out["status"]) == ["ok"]


def test_a_missing_column_on_the_first_sheet_points_to_the_sheet_that_has_it(fake_matcher, tmp_path):
    sheets = {"Summary": [["This workbook lists candidates; see sheet People"]], "People": [["id", "bio"]]}
    source = write_xlsx(tmp_path / "in.xlsx", {**sheets, "Other": [["x"], ["y"]]})
    with pytest.raises(ColumnError) as caught:
        run(fake_matcher, source, tmp_path / "out.csv")
    message = str(caught.value)
    assert "not found in sheet 'Summary' of" in message
    assert "'Summary' is the first sheet of 3: Summary, People, Other" in message
    assert "Sheet 'People' has a 'bio' column: read it with --sheet People" in message
    with pytest.raises(ColumnError, match=r"If the table is on another sheet, name it with --sheet NAME"):
        run(fake_matcher, source, tmp_path / "out.csv", text_column="resume")
    prose = write_xlsx(
        tmp_path / "p.xlsx", {"a": [["I am a product manager. I own the roadmap."]], "b": [["x"]]}
    )
    with pytest.raises(ColumnError) as caught:
        run(fake_matcher, prose, tmp_path / "out.csv")
    assert "reads like text, not column names" in str(caught.value) and "roadmap" not in str(caught.value)


def test_batch_messages_do_not_say_paste(fake_matcher, tmp_path):
    frame = pd.DataFrame({"bio": ["", "\x00 binary", "#### 1234 ////", "word " * 60_000]})
    errors = list(fake_matcher.score_frame(frame, text_column="bio")["error"])
    assert all(errors) and not any("paste" in e for e in errors), errors
    assert for_batch("the text is empty; paste a resume or a short bio (a few sentences)").endswith(
        "fill the cell with a resume or a short bio"
    )


# ------------------------------------------------------------------------------------------ exit statuses


@pytest.fixture
def batch_cli(monkeypatch, fake_matcher, fake_models):
    monkeypatch.setattr(MatcherSource, "load", lambda self: fake_matcher)

    def invoke(*args):
        return CliRunner().invoke(main, ["batch", *map(str, args), "--models", str(fake_models)])

    return invoke


@pytest.mark.parametrize(("bios", "code"), [(BIOS, 0), ([BIOS[0], ""], 3), (["", "   "], 4)])
def test_batch_exit_statuses(batch_cli, tmp_path, bios, code):
    pd.DataFrame({"bio": bios}).to_csv(tmp_path / "in.csv", index=False)
    result = batch_cli(tmp_path / "in.csv", "--text-column", "bio", "-o", tmp_path / "out.csv")
    assert result.exit_code == code, result.output
    assert len(read(tmp_path / "out.csv")) == len(bios)  # the rows are written whatever the status


def test_batch_cli_options_and_help(batch_cli, tmp_path):
    source = semicolon_file(tmp_path / "in.csv")
    result = batch_cli(source, "--text-column", "bio", "--keep-columns", "name", "-o", tmp_path / "o.csv")
    assert result.exit_code == 0, result.output
    assert "columns semicolon-separated (;)" in result.stderr and "--id-column candidate_id" in result.stderr
    assert list(read(tmp_path / "o.csv")["name"]) == ["N0", "N1", "N2"]
    bad = batch_cli(source, "--text-column", "bio", "--delimiter", "ab", "-o", tmp_path / "p.csv")
    assert bad.exit_code == 2
    missing = batch_cli(tmp_path / "nope.csv", "--text-column", "bio", "-o", tmp_path / "q.csv")
    assert missing.exit_code == 1
    helptext = CliRunner().invoke(main, ["batch", "--help"]).output
    assert all(f"  {code}  " in helptext or f"  {code}    " in helptext for code in (0, 1, 2, 3, 4))


@pytest.mark.parametrize(("bios", "code"), [(BIOS, 0), ([BIOS[0], ""], 3), (["", "   "], 4)])
def test_rank_exit_statuses(monkeypatch, fake_matcher, fake_models, tmp_path, bios, code):
    from matcher import RoleMatcher

    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: fake_matcher))
    pd.DataFrame({"bio": bios}).to_csv(tmp_path / "in.csv", index=False)
    args = ["rank", "--role", "it-support", str(tmp_path / "in.csv"), "--text-column", "bio"]
    result = CliRunner().invoke(main, [*args, "--models", str(fake_models)])
    assert result.exit_code == code, result.output
    assert "Exit status:" in CliRunner().invoke(main, ["rank", "--help"]).output


@pytest.mark.parametrize(
    ("columns", "prose"),
    [
        (["id", "name", "bio"], False),
        (["Applicant No", "years_experience", "Tell us about your last job and what you did there"], False),
        (["High school mathematics teacher for 11 years. I plan lessons", " mark exams"], True),
        (["Registered nurse with eleven years of ward experience in three hospitals"], True),
        (["Jane Doe"], False),  # a short first line reads as a column name (listed, shortened)
    ],
)
def test_a_header_that_reads_like_text(columns, prose):
    assert reads_like_text(columns) is prose


@pytest.mark.parametrize(
    ("asked", "columns", "meant"),
    [
        ("nope", ["id", "text", "in_scope"], []),
        ("bio", ["id", "Bio", "name"], ["Bio"]),
        ("txet", ["id", "text"], ["text"]),
        ("resume", ["id", "resume_text"], ["resume_text"]),
        ("name", ["first name", "last name", "email"], ["first name", "last name"]),
        ("candidte_id", ["candidate_id", "name"], ["candidate_id"]),
        ("zzz", ["id", "text"], []),
    ],
)
def test_a_suggested_column_is_a_plausible_meaning(asked, columns, meant):
    assert closest_columns(asked, columns) == meant


def test_a_column_listing_is_short_whatever_the_header():
    header = ["x" * 100, *(f"c{i}" for i in range(20))]
    shown = listed(header)
    assert shown == f"{'x' * 39}…, c0, c1, c2, c3, c4, c5, c6, … (13 more)"
    assert listed([]) == "(none)" and listed(["a\nb"]) == "a b"
    message = str(
        missing_column(["A sentence that a person wrote about their work, " * 3], "text", "--x", "f")
    )
    assert len(message) < 140
