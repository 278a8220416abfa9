"""Resume files made by the tests: PDFs with reportlab (two-column, typeset, image-only, encrypted),
DOCX with python-docx (the resume inside a table), and broken variants."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

RESUME = (
    "Second line IT support engineer. I resolve ServiceNow incidents within SLA, manage Active Directory "
    "accounts and Microsoft 365 licences, and look after 300 laptops.\n\nI handle third-line escalations "
    "for our ERP system, write SQL queries against its database to fix data issues, and document fixes in "
    "the knowledge base. I turn patterns in support tickets into bug reports for the product team."
)


def typeset_pdf(text: str = RESUME, encrypt: str | None = None) -> bytes:
    """A PDF typeset by reportlab's platypus (wrapped paragraphs, one per blank-line block)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, encrypt=encrypt)
    style = getSampleStyleSheet()["BodyText"]
    doc.build([Paragraph(p, style) for p in text.split("\n\n")])
    return out.getvalue()


def two_column_pdf(left: list[str], right: list[str]) -> bytes:
    """Two columns drawn line by line across the page (left, right, left, ...), so content-stream order
    interleaves the columns: only layout analysis gives the reading order."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("Helvetica", 10)
    y = 800
    for i in range(max(len(left), len(right))):
        if i < len(left):
            c.drawString(50, y, left[i])
        if i < len(right):
            c.drawString(320, y, right[i])
        y -= 14
    c.save()
    return out.getvalue()


def image_only_pdf() -> bytes:
    """A 'scanned' page: one raster image, no text."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        for y in range(30, 34):
            image.putpixel((x, y), (0, 0, 0))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.drawImage(ImageReader(image), 50, 300, 400, 500)
    c.save()
    return out.getvalue()


def table_docx(text: str = RESUME) -> bytes:
    """A DOCX whose resume sits in a two-column table (headings left, text right), with a header."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Curriculum vitae"
    table = document.add_table(rows=0, cols=2)
    for i, block in enumerate(text.split("\n\n")):
        row = table.add_row().cells
        row[0].text = ["Profile", "Experience"][i % 2]
        row[1].text = block
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``files`` (name → bytes); ``zipfile.ZIP_STORED`` keeps the members' bytes as they are."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A zip whose one member expands 1000-fold (12 MB of zeros; small enough to build, big enough to flag)."""
    return zip_of({"cv.txt": b"0" * 12_000_000})


def write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder
