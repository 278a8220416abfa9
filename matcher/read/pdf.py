"""PDF → page texts with pdfminer.six: layout analysis puts two-column pages in reading order.

The quality gate lives here too: encrypted, truncated or corrupt files, too many pages, scans
(images and no text layer), and text layers that are empty or garbage each raise their own error.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from .errors import (
    CorruptFileError,
    EmptyTextLayerError,
    EncryptedFileError,
    GarbledTextError,
    ScannedPDFError,
    TooManyPagesError,
    TruncatedFileError,
)

logger = logging.getLogger(__name__)

_CID = re.compile(r"\(cid:\d+\)")
MIN_LETTERS = 40  # a resume has more letters than this; fewer: no usable text layer
_SCAN_HINT = "rolematch does not do OCR; export the resume as text or as a text PDF (File → Save as PDF)"


@dataclass(frozen=True)
class PdfPages:
    """Page texts in reading order, and per page whether it holds images."""

    texts: list[str]
    images: list[bool]


def read_pdf_pages(data: bytes, name: str, max_pages: int) -> PdfPages:
    """Page texts of a PDF (``name`` is only for messages); raises a ``FileReadError`` subclass."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # pdfminer warns per odd object
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    truncated = b"%%EOF" not in data[-2048:]
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser, password="")
        pages = list(PDFPage.create_pages(document))
    except PDFPasswordIncorrect as exc:
        raise EncryptedFileError(
            f"{name} is a password-protected PDF; rolematch cannot open it: save a copy without the "
            "password (print to PDF) and try again"
        ) from exc
    except PDFEncryptionError as exc:
        raise EncryptedFileError(
            f"{name} is an encrypted PDF ({exc}); save a copy without encryption and try again"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for damaged files
        raise _damaged(name, truncated) from exc
    if not pages:
        raise _damaged(name, truncated)
    if len(pages) > max_pages:
        raise TooManyPagesError(
            f"{name} has {len(pages)} pages; the limit is {max_pages} pages (a resume is 1-5): "
            "give the resume itself, not a whole document"
        )
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    texts, images = [], []
    for page in pages:
        try:
            interpreter.process_page(page)
        except Exception as exc:  # noqa: BLE001
            if truncated:
                raise _damaged(name, True) from exc
            raise CorruptFileError(f"{name}: page {len(texts) + 1} of the PDF is damaged ({exc})") from exc
        layout = device.get_result()
        boxes = [el.get_text() for el in layout if isinstance(el, LTTextContainer)]
        texts.append("\n".join(b.strip("\n") for b in boxes))
        images.append(any(_has_image(el, LTImage, LTFigure) for el in layout))
    if truncated and not any(t.strip() for t in texts):
        raise _damaged(name, True)
    return PdfPages(texts, images)


def _has_image(element, image_type, figure_type) -> bool:
    if isinstance(element, image_type):
        return True
    return isinstance(element, figure_type) and any(_has_image(c, image_type, figure_type) for c in element)


def _damaged(name: str, truncated: bool) -> CorruptFileError:
    if truncated:
        return TruncatedFileError(
            f"{name} is a PDF that is cut short (it has no end-of-file marker): the download or copy was "
            "interrupted; download or export it again"
        )
    return CorruptFileError(f"{name} starts like a PDF but cannot be parsed (damaged); export it again")


def check_text_layer(pages: PdfPages, name: str) -> list[str]:
    """Raise for a scan, an empty or a garbage text layer; warnings for pages without text."""
    joined = "".join(pages.texts)
    letters = sum(ch.isalpha() for ch in _CID.sub("", joined))
    if letters < MIN_LETTERS:
        if any(pages.images):
            raise ScannedPDFError(
                f"{name}: no text layer: this looks like a scanned PDF (its pages are images); {_SCAN_HINT}"
            )
        raise EmptyTextLayerError(
            f"{name}: the PDF has no text (its pages are blank or hold only drawings); {_SCAN_HINT}"
        )
    cids = len(_CID.findall(joined))
    private = sum(0xE000 <= ord(ch) <= 0xF8FF for ch in joined)
    visible = max(1, sum(not ch.isspace() for ch in joined))
    words = re.findall(r"[^\W\d_]{2,}", joined)
    wordlike = sum(bool(re.search(r"[aeiouyAEIOUYà-ÿ]", w)) for w in words) / max(1, len(words))
    if cids * 6 > visible * 0.3 or private > visible * 0.3 or wordlike < 0.5:
        raise GarbledTextError(
            f"{name}: the PDF's text layer is garbage (its fonts map to no real characters); "
            "export the resume again from the word processor, or paste its text"
        )
    empty = [i + 1 for i, text in enumerate(pages.texts) if sum(ch.isalpha() for ch in text) < 5]
    if empty:
        shown = ", ".join(map(str, empty[:10]))
        return [f"page(s) {shown} of {len(pages.texts)} have no text layer (scanned?): their text is missing"]
    return []


def strip_cids(texts: list[str]) -> list[str]:
    """Drop ``(cid:N)`` glyphs pdfminer could not map (a few in an otherwise good text layer)."""
    return [_CID.sub("", t) for t in texts]
