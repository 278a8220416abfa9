"""Format detection from the bytes (magic numbers), never from the file name."""

from __future__ import annotations

import io
import zipfile

#: What each detected format is called in messages.
FORMAT_NAMES = {
    "pdf": "a PDF",
    "docx": "a Word .docx file",
    "doc": "a legacy Word .doc file",
    "text": "plain text",
    "zip": "a zip archive",
    "xlsx": "an Excel spreadsheet",
    "pptx": "a PowerPoint file",
    "odt": "an OpenDocument file",
    "rtf": "an RTF file",
    "image": "an image",
    "binary": "binary data",
}
#: Which file-name suffixes promise which format (other suffixes promise nothing).
SUFFIX_FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".zip": "zip",
}
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes) -> str:
    """One of ``FORMAT_NAMES``' keys for ``data``: ``pdf``, ``docx``, ``doc``, ``text``, ``zip``, ...

    Magic numbers at the start come first; ``%PDF-`` may stand anywhere in the first 1 KB."""
    if data.startswith(_OLE2):
        return "doc"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)  # before "%PDF-": a stored (uncompressed) zip shows its PDF's bytes
    if b"%PDF-" in data[:1024]:  # PDF readers accept bytes before the header
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with its byte-order mark
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary"
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    return "binary" if sample and controls / len(sample) > 0.05 else "text"


def _zip_kind(data: bytes) -> str:
    """``docx``, ``xlsx``, ``pptx``, ``odt`` or ``zip`` by the names inside (a damaged zip is ``zip``)."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "docx" if b"word/" in data[:4096] else "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "mimetype" in names and "content.xml" in names:
        return "odt"
    return "zip"
