"""The read stage: PDF/DOCX/text → text, the quality gate (one error per bad file), and the interfaces
(CLI --file and stdin, batch over a folder or zip) that call it."""

from __future__ import annotations

import csv
import zipfile

import pytest
from filemakers import (
    RESUME,
    image_only_pdf,
    table_docx,
    two_column_pdf,
    typeset_pdf,
    write,
    zip_bomb,
    zip_of,
)

from matcher import read
from matcher.errors import InputTextError

LEFT = ["Experience: IT support engineer", "resolving ServiceNow incidents daily", "for three hundred staff"]
RIGHT = ["Skills: Active Directory and", "Microsoft 365 licence management", "with SQL for data fixes"]


def test_two_column_pdf_comes_out_in_reading_order():
    doc = read.read_bytes(two_column_pdf(LEFT, RIGHT), "cv.pdf")
    assert doc.format == "pdf" and doc.pages == 1
    positions = [doc.text.index(line.split()[0] if i else line) for i, line in enumerate(LEFT + RIGHT)]
    left_end = max(doc.text.index(x) for x in LEFT)
    assert left_end < min(doc.text.index(x) for x in RIGHT), doc.text
    assert positions


def test_typeset_pdf_and_table_docx_give_the_resume_words():
    words = set(RESUME.split())
    for data, fmt in ((typeset_pdf(), "pdf"), (table_docx(), "docx")):
        doc = read.read_bytes(data, None)  # no name: told apart by the bytes
        assert doc.format == fmt
        assert len(words & set(doc.text.split())) > 0.9 * len(words)
    assert "Curriculum vitae" in read.read_bytes(table_docx(), "cv.docx").text  # the header is read


@pytest.mark.parametrize(
    ("make", "name", "error", "says"),
    [
        (image_only_pdf, "scan.pdf", read.ScannedPDFError, "OCR"),
        (lambda: typeset_pdf()[:-400], "cut.pdf", read.TruncatedFileError, "cut short"),
        (lambda: typeset_pdf(encrypt="secret"), "locked.pdf", read.EncryptedFileError, "password"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.doc", read.LegacyDocError, ".docx"),
        (table_docx, "cv.pdf", read.FormatMismatchError, "rename it .docx"),
        (lambda: typeset_pdf(), "cv.txt", read.FormatMismatchError, "holds a PDF"),
        (lambda: b"%PDF-1.4\n" + b"x" * 11_000_000, "big.pdf", read.FileTooLargeError, "10 MB"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(100), "cv.png", read.UnsupportedFormatError, "OCR"),
    ],
)
def test_every_bad_file_gets_its_own_error(make, name, error, says):
    with pytest.raises(error) as caught:
        read.read_bytes(make(), name)
    assert says in str(caught.value) and name in str(caught.value)
    assert isinstance(caught.value, InputTextError)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: table_docx()[: len(table_docx()) // 2], "cut.docx"),  # cut short
        (lambda: table_docx()[:-300], None),  # its end (the zip directory) lost; no name
        (lambda: table_docx()[:30] + b"x" * 2000, "garbled.docx"),  # no Word part left to see
        (lambda: zip_of({"notes.txt": RESUME.encode()}), "cv.docx"),  # another zip named .docx
    ],
)
def test_a_damaged_docx_is_said_in_words_not_zip_jargon(make, name):
    with pytest.raises(read.CorruptFileError) as caught:
        read.read_bytes(make(), name)
    message = str(caught.value)
    assert (
        f"{name or 'stdin'} cannot be opened as a Word document: the file is damaged or is not a .docx"
        in message
    )
    assert "re-save it from Word or export a PDF" in message and "zip" not in message.lower()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_zip_holding_a_pdf_is_a_zip_even_when_stored(compression):
    data = zip_of({"cv.pdf": typeset_pdf()}, compression)
    assert read.detect_format(data) == "zip"
    for name in ("resumes.zip", None):
        with pytest.raises(read.UnsupportedFormatError, match="zip archive.*rolematch batch"):
            read.read_bytes(data, name)


@pytest.mark.parametrize("name", ["empty.pdf", "empty.docx", "empty.txt", None])
def test_a_zero_byte_file_is_empty_whatever_its_name(tmp_path, name):
    path = tmp_path / (name or "stdin")
    path.write_bytes(b"")
    for read_it in (lambda: read.read_bytes(b"", name), lambda: read.read_file(path)):
        with pytest.raises(read.EmptyFileError, match=r"is empty \(0 bytes\); save or export"):
            read_it()


@pytest.mark.parametrize(
    ("data", "says", "not_says"),
    [
        (b"\x7fELF\x02\x01\x01" + bytes(200), "holds binary data; it is not a resume", "re-export"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "holds an image; rolematch does not do OCR", "re-export"),
        (typeset_pdf(), "holds a PDF; rename it .pdf", "export the resume as"),
    ],
)
def test_a_file_whose_name_lies_is_told_the_fix_for_what_it_holds(data, says, not_says):
    with pytest.raises(read.FormatMismatchError) as caught:
        read.read_bytes(data, "cv.txt")
    assert says in str(caught.value) and not_says not in str(caught.value)


def test_a_text_file_over_the_size_limit_is_not_told_to_compress_images(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Product manager who owns the roadmap.\n" * 300_000)  # 11.4 MB
    for read_it in (lambda: read.read_file(path), lambda: read.read_bytes(path.read_bytes(), "huge.txt")):
        with pytest.raises(read.FileTooLargeError) as caught:
            read_it()
        message = str(caught.value)
        assert "the limit is 10 MB" in message and "give the resume itself" in message
        assert "images" not in message and "pages" not in message
    with pytest.raises(read.FileTooLargeError, match="compress its images"):
        read.read_bytes(b"%PDF-1.4\n" + b"x" * 11_000_000, "big.pdf")


def test_page_limit():
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(51):
        c.drawString(50, 800, f"Page {i} of a long report about support tickets and laptops.")
        c.showPage()
    c.save()
    with pytest.raises(read.TooManyPagesError, match="50 pages"):
        read.read_bytes(out.getvalue(), "report.pdf")


def test_empty_pdf_text_layer_is_not_a_scan():
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.line(10, 10, 200, 200)
    c.save()
    with pytest.raises(read.EmptyTextLayerError):
        read.read_bytes(out.getvalue(), "blank.pdf")


def test_cleaning_repairs_mojibake_ligatures_bullets_hyphens_and_running_headers():
    from matcher.read.clean import clean_pages

    pages = [
        "Jane Doe — Resume\nI managed the team’s ï¬\x81nances.\n\uf0b7 Led manage-\nment reviews\nPage 1 of 2",
        "Jane Doe — Resume\nI wrote the budget.\nPage 2 of 2",
    ]
    pages[0] = pages[0].replace("’", "â€™")
    text, warnings = clean_pages(pages)
    assert "team’s" in text and "management" in text and "• Led" in text
    assert "Jane Doe" not in text and "Page 1" not in text
    assert warnings and "mojibake" in warnings[0]


def test_raw_pdf_bytes_pasted_as_text_are_refused():
    from matcher.textproc import validate

    raw = typeset_pdf().decode("latin-1")
    with pytest.raises(InputTextError, match="PDF"):
        validate(raw)


def test_batch_over_a_folder_and_a_zip_gives_one_row_per_file(tmp_path, fake_matcher):
    from matcher.batch import run_batch

    files = {
        "b/cv.docx": table_docx(),
        "a.pdf": typeset_pdf(),
        "scan.pdf": image_only_pdf(),
        "notes.txt": RESUME.encode("cp1252"),
        "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    }
    folder = write(tmp_path / "resumes", files)
    out = tmp_path / "out.csv"
    run_batch(str(folder), out, matcher=fake_matcher, recursive=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))  # batch CSV starts with a BOM, for Excel
    assert [r["file"] for r in rows] == sorted(files)
    status = {r["file"]: r["status"] for r in rows}
    assert status == {
        "a.pdf": "ok",
        "b/cv.docx": "ok",
        "notes.txt": "ok",
        "old.doc": "error",
        "scan.pdf": "error",
    }
    assert "OCR" in next(r["error"] for r in rows if r["file"] == "scan.pdf")

    run_batch(str(folder), out, matcher=fake_matcher, glob="*.pdf", overwrite=True)
    assert [r["file"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))] == ["a.pdf", "scan.pdf"]

    archive = tmp_path / "resumes.zip"
    archive.write_bytes(zip_of(files))
    out2 = tmp_path / "zip.csv"
    run_batch(str(archive), out2, matcher=fake_matcher)
    assert [(r["file"], r["status"]) for r in csv.DictReader(out2.open(encoding="utf-8-sig"))] == [
        (r["file"], r["status"]) for r in rows
    ]


def test_a_zip_bomb_is_refused_before_any_work(tmp_path, fake_matcher):
    from matcher.batch import run_batch
    from matcher.batch.readers import BatchInputError

    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_bomb())
    with pytest.raises(BatchInputError, match="zip bomb"):
        run_batch(str(bomb), tmp_path / "o.csv", matcher=fake_matcher)


def test_cli_refuses_several_files_and_reads_stdin_by_bytes(tmp_path):
    from click.testing import CliRunner

    from matcher.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(RESUME)
    b.write_text(RESUME)
    result = CliRunner().invoke(main, ["match", "--file", str(a), "--file", str(b)])
    assert result.exit_code == 2 and "batch" in result.output
    result = CliRunner().invoke(main, ["match", "-"], input=image_only_pdf())
    assert result.exit_code == 1 and "scanned PDF" in result.output


@pytest.mark.model
def test_top_role_from_pdf_and_docx_equals_the_top_role_from_the_text(tmp_path, real_matcher):
    expected = real_matcher.match(RESUME, top=1).top.id
    for name, data in (("cv.pdf", typeset_pdf()), ("cv.docx", table_docx())):
        path = tmp_path / name
        path.write_bytes(data)
        assert real_matcher.match_file(path, top=1).top.id == expected, name


def test_placeholder_only_lines_are_never_evidence():
    from matcher.explain import is_evidence

    assert not is_evidence("[NAME] | [EMAIL] | [PHONE]")
    assert not is_evidence("[NAME] [ADDRESS] London")
    assert is_evidence("I resolve ServiceNow incidents within SLA")


def test_evidence_offsets_index_the_analysed_text_the_json_carries(fake_matcher):
    text = "Jane Doe | jane@example.com | +44 20 7946 0958\n" + RESUME
    data = fake_matcher.match(text, top=3).to_dict()
    analysed = data["analysed_text"]
    assert "jane@example.com" not in analysed and "[EMAIL]" in analysed
    spans = [e for role in data["roles"] for e in role["evidence"]]
    spans += [q["matched"] for role in data["roles"] for q in role["quotes"] if q["matched"]]
    assert spans
    for e in spans:
        assert analysed[e["start"] : e["end"]] == e["text"]
        assert "[EMAIL]" not in e["text"]
