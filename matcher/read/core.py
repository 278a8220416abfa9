"""``read_file`` / ``read_bytes``: a file's bytes → ``Document`` (text, provenance, warnings).

The format comes from the bytes (``detect_format``); a name only serves messages and the check that
the file is what its name says. Limits: 10 MB per file, 50 PDF pages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import InputTextError
from ..textproc import repair_characters
from .clean import clean_pages
from .detect import FORMAT_NAMES, SUFFIX_FORMATS, detect_format
from .encoding import decode_text
from .errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    FormatMismatchError,
    LegacyDocError,
    UnsupportedFormatError,
)

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10_000_000  # 10 MB
MAX_PAGES = 50
MAX_DOCX_XML = 50_000_000  # expanded document.xml: larger is a zip bomb, not a resume
READABLE = ".pdf, .docx, .txt or .md"
_ENCRYPTED_OLE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Document:
    """Text read from a file, with where it came from.

    ``text``: what is matched (PDF and DOCX text cleaned of page layout; a text file's as written, with
    garbled characters repaired as in pasted text); ``source``: the path or name given (``stdin``);
    ``format``: ``pdf``, ``docx`` or ``text``; ``pages``: PDF pages (``None`` for other formats);
    ``size``: bytes read; ``warnings``: repairs and losses worth knowing (mojibake, pages without text).
    """

    text: str
    source: str
    format: str
    pages: int | None = None
    size: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def provenance(self) -> dict[str, object]:
        """``source, format, pages, size, warnings`` as a JSON-ready dict (no text)."""
        return {
            "source": self.source,
            "format": self.format,
            "pages": self.pages,
            "size": self.size,
            "warnings": list(self.warnings),
        }


def read_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES, max_pages: int = MAX_PAGES) -> Document:
    """Read a resume file (.pdf, .docx, .txt, .md: told apart by its bytes) into a ``Document``.

    Raises a ``FileReadError`` subclass (an ``InputTextError``) naming the problem and the fix.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            with path.open("rb") as fh:
                head = fh.read(8192)  # enough to tell a text file from a PDF or a Word file
            raise _too_large(str(path), size, max_bytes, detect_format(head))
        data = path.read_bytes()
    except OSError as exc:
        raise InputTextError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return read_bytes(data, str(path), max_bytes=max_bytes, max_pages=max_pages)


def read_bytes(
    data: bytes, name: str | None = None, max_bytes: int = MAX_FILE_BYTES, max_pages: int = MAX_PAGES
) -> Document:
    """Read the bytes of a resume file; ``name`` (a file name, or ``None`` for stdin) is checked against
    the detected format and used in messages. Raises a ``FileReadError`` subclass."""
    label = name or "stdin"
    if len(data) > max_bytes:
        raise _too_large(label, len(data), max_bytes, detect_format(data[:8192]))
    if not data:  # before detection: no bytes look like plain text, whatever the name promises
        raise EmptyFileError(
            f"{label} is empty (0 bytes); save or export the resume again as {READABLE}, or paste its text"
        )
    fmt = detect_format(data)
    _check_name(label, name, fmt)
    if fmt == "pdf":
        return _read_pdf(data, label, max_pages)
    if fmt == "docx":
        return _read_docx(data, label)
    if fmt == "text":
        return _read_text(data, label)
    raise _unsupported(label, fmt, data)


def _read_pdf(data: bytes, label: str, max_pages: int) -> Document:
    from .pdf import check_text_layer, read_pdf_pages, strip_cids

    pages = read_pdf_pages(data, label, max_pages)
    warnings = check_text_layer(pages, label)
    text, notes = clean_pages(strip_cids(pages.texts))
    return Document(text, label, "pdf", len(pages.texts), len(data), tuple(warnings + notes))


def _read_docx(data: bytes, label: str) -> Document:
    from .archive import open_zip
    from .docx import damaged_docx, read_docx_parts

    try:
        archive = open_zip(data, label)  # zip-bomb checks before python-docx inflates anything
    except CorruptFileError as exc:
        raise damaged_docx(label) from exc
    xml = next((i for i in archive.infolist() if i.filename == "word/document.xml"), None)
    if xml is not None and xml.file_size > MAX_DOCX_XML:
        raise FileTooLargeError(
            f"{label}: the Word document expands to {xml.file_size / 1e6:.0f} MB of XML; "
            f"the limit is {MAX_DOCX_XML / 1e6:.0f} MB"
        )
    text, warnings = clean_pages(read_docx_parts(data, label))
    return Document(text, label, "docx", None, len(data), tuple(warnings))


def _read_text(data: bytes, label: str) -> Document:
    """A text file (or stdin): decoded (``decode_text``: a warning when the encoding was guessed) and its
    garbled characters repaired as pasted text's are (``repair_characters``). Not ``clean_pages``: its line
    breaks are the author's, so the file gives what the same text pasted gives."""
    decoded = decode_text(data)
    text, notes = repair_characters(decoded.text)
    if not text.strip():
        raise InputTextError(f"{label} is empty; give a resume or a short bio (a few sentences)")
    warnings = (decoded.warning, *notes) if decoded.warning else tuple(notes)
    return Document(text.strip(), label, "text", None, len(data), warnings)


def _check_name(label: str, name: str | None, fmt: str) -> None:
    """A known suffix must match the bytes: ``cv.pdf`` holding a Word file is refused, named."""
    if not name:
        return
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    promised = SUFFIX_FORMATS.get(suffix)
    if promised == "docx" and fmt == "zip":  # a damaged .docx reads as a zip without Word's parts
        from .docx import damaged_docx

        raise damaged_docx(label)
    if promised is None or promised == fmt or (promised == "doc" and fmt in ("doc", "docx")):
        return
    found = FORMAT_NAMES.get(fmt, fmt)
    fix = {
        "pdf": "rename it .pdf, or re-export the resume",
        "docx": "rename it .docx, or re-export the resume",
        "text": "rename it .txt, or re-export the resume",
        "image": "rolematch does not do OCR: export the resume as text or as a text PDF",
        "zip": f"score the resumes inside with: rolematch batch {label} -o out.csv",
    }.get(fmt, f"it is not a resume rolematch reads: save or export the resume as {READABLE}")
    raise FormatMismatchError(f"{label} is named {suffix} but holds {found}; {fix}")


def _unsupported(label: str, fmt: str, data: bytes) -> Exception:
    if fmt == "doc":
        if _ENCRYPTED_OLE in data[:1_000_000]:
            return EncryptedFileError(
                f"{label} is a password-protected Word file; save a copy without the password and try again"
            )
        return LegacyDocError(
            f"{label} is a legacy Word .doc file, which rolematch does not read; open it in Word or "
            "LibreOffice and save it as .docx or PDF"
        )
    if fmt == "image":
        return UnsupportedFormatError(
            f"{label} is an image; rolematch does not do OCR: export the resume as text or as a text PDF"
        )
    if fmt == "zip":
        return UnsupportedFormatError(
            f"{label} is a zip archive; score the resumes inside with: rolematch batch {label} -o out.csv"
        )
    found = FORMAT_NAMES.get(fmt, fmt)
    return UnsupportedFormatError(
        f"{label} is {found}, which rolematch does not read; save the resume as {READABLE}"
    )


def _too_large(label: str, size: int, limit: int, fmt: str) -> FileTooLargeError:
    """Over the size limit, with the fix for what the file holds (``fmt``, from its first bytes): a text
    file has no images to compress and no pages."""
    said = f"{label} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB per file"
    if fmt == "text":
        return FileTooLargeError(
            f"{said}, and a resume's text is a few KB: give the resume itself, not a file that holds many "
            "texts or a log, or cut the file down to the resume"
        )
    if fmt == "pdf":
        return FileTooLargeError(
            f"{said} (and {MAX_PAGES} pages): give the resume itself, or compress its images"
        )
    if fmt == "docx":
        return FileTooLargeError(f"{said}: give the resume itself, or compress its images")
    return FileTooLargeError(f"{said}: give the resume itself, as {READABLE}")
