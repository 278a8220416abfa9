"""/api/batch and /api/rank read uploads as the CLI reads its input (fake matcher): .xlsx, ragged CSV
rows, zips, JSONL output and the same CSV encoding for both endpoints."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from filemakers import image_only_pdf, typeset_pdf, zip_of

from matcher.errors import InputTextError

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install rolematch[web])")

PMM = "product-marketing-manager"
BIOS = {
    "a": "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "b": "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "c": "Product marketing lead: positioning, messaging, launches and sales enablement.",
}
BOM = b"\xef\xbb\xbf"
RAGGED = (
    f'id,name,bio\na,Ann,"{BIOS["a"]}"\nb,Bob,x,y,"{BIOS["b"]}"\nc,Cy,"{BIOS["c"]}"\n'.encode()
)  # row b has 5 fields for a 3-column header


@pytest.fixture(scope="module")
def client(fake_matcher):
    from fastapi.testclient import TestClient

    from matcher.web import WebSettings, create_app

    return TestClient(create_app(fake_matcher, WebSettings(max_batch_rows=5)))


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def post(client, endpoint: str, name: str, data: bytes, **fields):
    form = {"text_column": "bio", **({"role": PMM} if endpoint == "/api/rank" else {}), **fields}
    return client.post(endpoint, files={"file": (name, data)}, data=form)


# ------------------------------------------------------------------------------------------ .xlsx


@pytest.mark.parametrize("endpoint", ["/api/batch", "/api/rank"])
def test_an_xlsx_upload_is_read_as_a_table_not_a_zip(client, endpoint):
    data = workbook([["id", "bio"], *([k, v] for k, v in BIOS.items())])
    rows = rows_of(post(client, endpoint, "people.xlsx", data))
    assert sorted(r["id"] for r in rows) == ["a", "b", "c"]
    assert all(r["status"] == "ok" for r in rows)


def test_an_xlsx_upload_takes_the_sheet_field_and_names_the_sheets(client):
    data = workbook([["id", "bio"], ["a", BIOS["a"]]])
    response = post(client, "/api/batch", "people.xlsx", data, sheet="Nope")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "sheet 'Nope' not found; sheets are: Sheet" in detail and "the sheet field" in detail
    assert "rolematch-upload" not in detail and "--sheet" not in detail  # no temporary path, no CLI flag


# ------------------------------------------------------------------------------------------ ragged CSV


def test_batch_scores_a_csv_with_a_ragged_row_and_marks_that_row(client):
    rows = rows_of(post(client, "/api/batch", "bad.csv", RAGGED))
    assert [(r["id"], r["status"]) for r in rows] == [("a", "ok"), ("b", "error"), ("c", "ok")]
    assert "the row has 5 fields but the header has 3" in rows[1]["error"]


def test_rank_puts_a_ragged_row_last_as_an_error_row(client):
    rows = rows_of(post(client, "/api/rank", "bad.csv", RAGGED))
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    assert rows[-1]["id"] == "b" and rows[-1]["rank"] == "" and "5 fields" in rows[-1]["error"]
    as_json = post(client, "/api/rank", "bad.csv", RAGGED, format="json").json()
    assert [r["id"] for r in as_json] == [r["id"] for r in rows]


def test_an_unclosed_quote_is_an_error_row_not_a_failed_request(client):
    rows = rows_of(post(client, "/api/batch", "q.csv", f'id,bio\na,"{BIOS["a"]}"\nb,"unclosed\n'.encode()))
    assert [r["status"] for r in rows] == ["ok", "error"] and "unclosed quote" in rows[1]["error"]


# ------------------------------------------------------------------------------------------ zip, JSONL


def test_rank_takes_a_zip_of_resumes_one_candidate_per_file(client):
    archive = zip_of({"b.pdf": typeset_pdf(), "a.txt": BIOS["c"].encode(), "scan.pdf": image_only_pdf()})
    response = client.post("/api/rank", files={"file": ("cvs.zip", archive)}, data={"role": PMM})
    rows = rows_of(response)
    assert sorted(r["file"] for r in rows) == ["a.txt", "b.pdf", "scan.pdf"]
    assert rows[-1]["file"] == "scan.pdf" and rows[-1]["status"] == "error" and "OCR" in rows[-1]["error"]


def test_batch_answers_jsonl_with_the_full_result_per_row(client):
    response = post(client, "/api/batch", "bad.csv", RAGGED, format="jsonl")
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [(r["id"], r["status"]) for r in records] == [("a", "ok"), ("b", "error"), ("c", "ok")]
    assert records[0]["result"]["roles"] and records[1]["result"] is None
    assert records[0]["result"]["analysed_text"] is None  # no resume text in the output


def test_batch_names_the_formats_it_answers_in(client):
    response = post(client, "/api/batch", "bad.csv", RAGGED, format="xml")
    assert response.status_code == 422 and "csv|jsonl" in response.json()["detail"]


# ------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("cv.pdf", typeset_pdf(), "a PDF (one resume: POST it to /api/match, or zip several)"),
        ("x.bin", b"\x00\x01\x02" * 50, "binary data; upload a table with a header row"),
        ("p.csv", b"", "the uploaded file is empty"),
        ("p.csv", b"id,name\n1,Ann\n", "column 'bio' not found; columns are: id, name"),
        ("p.csv", b"id,bio\n", "p.csv has a header but no data rows"),
        ("p.csv", b"bio\n" + b"a resume\n" * 6, "more than 5 rows; this endpoint scores at most 5"),
    ],
)
def test_unusable_uploads_are_422_saying_what_to_upload(client, name, data, says):
    for endpoint in ("/api/batch", "/api/rank"):
        response = post(client, endpoint, name, data)
        assert response.status_code == 422, response.text
        assert says in response.json()["detail"]


RESUME_LINES = (
    "Registered nurse for 11 years. I run medication rounds, write care plans and talk to families.\n"
    "Before that I worked on a surgical ward.\n"
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cv.txt", RESUME_LINES.encode()),
        ("resume", RESUME_LINES.encode()),  # no suffix: its first line reads like text
        ("cv.csv", RESUME_LINES.encode()),
        ("cv.md", b"Jane Doe\nNurse, 11 years on surgical wards.\n"),  # a short first line, named as text
        ("cv.tsv", RESUME_LINES.replace(". ", ".\t").encode()),
    ],
)
def test_a_resume_is_not_a_table_and_its_words_are_not_column_names(client, name, data):
    for endpoint in ("/api/batch", "/api/rank"):
        response = client.post(
            endpoint, files={"file": (name, data)}, data={"role": PMM} if "rank" in endpoint else {}
        )
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert "is not a table with a header row" in detail and "POST /api/match" in detail
        for word in ("nurse", "Nurse", "Jane", "medication", "columns are"):
            assert word not in detail


def test_listed_columns_are_few_and_short(client):
    header = ["Tell us about yourself and the work you did in your last job", *(f"c{i}" for i in range(11))]
    data = (",".join(header) + "\n" + ",".join("x" * len(header)) + "\n").encode()
    detail = post(client, "/api/batch", "p.csv", data, text_column="bio").json()["detail"]
    listed = detail.split("columns are: ", 1)[1].split(" (use", 1)[0].split(", ")
    assert len(listed) == 9 and listed[-1] == "… (4 more)"
    assert listed[0] == "Tell us about yourself and the work you…" and max(map(len, listed)) <= 40


def test_a_zip_over_the_limit_is_refused_before_reading(client):
    archive = zip_of({f"cv{i}.txt": BIOS["a"].encode() for i in range(6)})
    response = client.post("/api/batch", files={"file": ("cvs.zip", archive)})
    assert response.status_code == 422 and "the upload has 6 files" in response.json()["detail"]


# ------------------------------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"id,bio\n1,x\n", "p.csv", "csv"),
        (b"id\tbio\n1\tx\n", "p.tsv", "tsv"),
        (b'{"bio": "x"}\n', "p.txt", "jsonl"),
        (b"PAR1....", "p", "parquet"),
        (zip_of({"a.txt": b"hello"}), "cvs.zip", "zip"),
    ],
)
def test_upload_kind_goes_by_the_bytes(data, name, kind):
    from matcher.web.tables import upload_kind

    assert upload_kind(data, name) == kind


def test_upload_kind_tells_a_workbook_from_a_zip():
    from matcher.web.tables import upload_kind

    assert upload_kind(workbook([["bio"], ["x"]]), "people.zip") == "xlsx"


def test_reader_messages_are_said_for_the_form():
    from matcher.web.tables import for_form

    message = "column 'bio' not found in /tmp/f/upload.csv; columns are: id (use --text-column)"
    assert for_form(message, "/tmp/f/upload.csv", "p.csv") == (
        "column 'bio' not found; columns are: id (use the text_column field)"
    )
    assert for_form("/tmp/f/upload.csv is empty", "/tmp/f/upload.csv", "p.csv") == "p.csv is empty"


def test_read_upload_keeps_empty_cells_and_every_row():
    from matcher.web.tables import read_upload

    table = read_upload(b"id,text\n1,hello there\n2,\n3,a,b\n", "p.csv", "text", max_rows=10)
    chunk = next(table.chunks)
    assert chunk.texts == ["hello there", "", "a"] and chunk.ids == ["1", "2", "3"]
    assert chunk.problems[:2] == [None, None] and "3 fields" in chunk.problems[2]
    with pytest.raises(InputTextError, match="id_column is for a table"):
        read_upload(zip_of({"a.txt": b"hello"}), "z.zip", "text", 10, id_column="id")
