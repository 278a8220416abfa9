"""DOCX → text with python-docx: body paragraphs and tables in document order (nested tables and
text boxes included, each once), then headers and footers of every section (each distinct one once)."""

from __future__ import annotations

import io

from .errors import CorruptFileError, EmptyTextLayerError, EncryptedFileError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx_parts(data: bytes, name: str) -> list[str]:
    """Texts of the body, then of the distinct headers and footers; raises a ``FileReadError``."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx, zipfile and lxml raise several types
        raise damaged_docx(name) from exc
    parts = [element_text(document.element.body)]
    seen: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.footer):
            if part.is_linked_to_previous and seen:
                continue
            text = element_text(part._element)
            if text.strip() and text not in seen:
                seen.add(text)
                parts.append(text)
    if not any(p.strip() for p in parts):
        raise EmptyTextLayerError(f"{name}: the Word document has no text; is the resume an image in it?")
    return parts


def damaged_docx(name: str) -> CorruptFileError:
    """The error for a file that should be a Word .docx but does not open as one: damaged, cut short, or
    another kind of file (a zip archive) named .docx. Said without "zip", which a user need not know."""
    return CorruptFileError(
        f"{name} cannot be opened as a Word document: the file is damaged or is not a .docx; "
        "re-save it from Word or export a PDF"
    )


def element_text(root) -> str:
    """One line per paragraph under ``root`` in document order; a text box's paragraphs are read once
    (not again from its VML fallback copy) and do not run into the paragraph that anchors them."""
    lines = []
    for paragraph in root.iter(f"{W}p"):
        if any(a.tag == _FALLBACK for a in paragraph.iterancestors()):
            continue
        pieces = []
        for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            if _owner(node) is not paragraph:
                continue
            pieces.append(
                node.text or "" if node.tag == f"{W}t" else ("\t" if node.tag == f"{W}tab" else "\n")
            )
        lines.append("".join(pieces))
    return "\n".join(lines)


def _owner(node):
    parent = node.getparent()
    while parent is not None and parent.tag != f"{W}p":
        parent = parent.getparent()
    return parent


def check_not_encrypted_ole(name: str) -> EncryptedFileError:
    """Word saves a password-protected .docx as an OLE2 container: the error for that case."""
    return EncryptedFileError(
        f"{name} is a password-protected Word file; rolematch cannot open it: save a copy without the "
        "password and try again"
    )
