"""The text functions as they were before the speed-ups of issue 14, kept verbatim as the reference
that ``test_text_equivalence`` compares the fast versions with (same output, same errors)."""

from __future__ import annotations

import re
import unicodedata

from matcher.errors import InputTextError
from matcher.textproc import _CONTROL, _RAW_PDF, MAX_CHARS, decode_bytes

# --------------------------------------------------------------------------- textproc


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL else " " for ch in text)
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u3000]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return text.strip()


def validate(text: object, max_chars: int = MAX_CHARS) -> str:
    if isinstance(text, bytes):
        text = decode_bytes(text)
    if not isinstance(text, str):
        raise InputTextError(f"expected text (str), got {type(text).__name__}")
    if "\x00" in text:
        raise InputTextError("the input looks like a binary file (it contains NUL bytes); paste plain text")
    clean = normalize(text)
    if _RAW_PDF.search(clean[:4096]) or clean.count("endobj") >= 3:
        raise InputTextError(
            "this is the raw content of a PDF file, not text; pass the file itself "
            "(rolematch match --file cv.pdf) or paste the resume's text"
        )
    if not clean:
        raise InputTextError("the text is empty; paste a resume or a short bio (a few sentences)")
    if len(clean) > max_chars:
        raise InputTextError(
            f"the text is {len(clean):,} characters; the limit is {max_chars:,} "
            "(about 100 pages): paste the resume itself, not a whole document archive"
        )
    letters = sum(ch.isalpha() for ch in clean)
    if letters < 2 or letters / len(clean) < 0.3:
        raise InputTextError(
            "the text has almost no letters (binary data or symbols?); paste a resume or bio in words"
        )
    return clean
