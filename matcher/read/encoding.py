"""Text files that are not UTF-8: which encoding to decode them with, and the warning that says so.

One policy for every text that arrives as bytes of unknown encoding (a ``.txt`` resume, stdin, a CSV
cell): UTF-8 or UTF-16 (by BOM or validity) as they are; else Windows-1252 (latin-1 for the bytes it
lacks) when that reads as Latin-script text, the common case for resumes that are not UTF-8; else the
first of charset-normalizer's guesses listed in ``data/encodings.tsv`` whose text reads right (Polish
Windows-1250, Cyrillic, Greek, Shift-JIS, GBK, ...). Whenever the encoding was guessed,
``Decoded.warning`` names it.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..textproc import decode_bytes, decode_western

_ENCODINGS = Path(__file__).resolve().parents[1] / "data" / "encodings.tsv"
#: Latin-script text has at most this share of its letters accented (a few percent in French, German,
#: Polish or Portuguese; nearly all in Cyrillic or Greek read as Windows-1252).
MAX_ACCENTED_SHARE = 0.3
#: What the checks and charset-normalizer read of a long text (characters, bytes).
SAMPLE_SIZE = 200_000
_WORD_JOINERS = "’‘·–—…"  # non-letters found inside Western words ("l’équipe", "l·l", "Paris–Lyon")
_C1 = re.compile("[\u0080-\u009f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


@dataclass(frozen=True)
class Encoding:
    """A row of ``data/encodings.tsv``: the name a warning gives a codec, and its script."""

    name: str
    script: str  # "latin" or "other"


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes; ``encoding``: the codec guessed when the bytes were not UTF-8 (else None)."""

    text: str
    encoding: str | None = None

    @property
    def warning(self) -> str | None:
        """What to tell the person when the encoding was guessed; None for UTF-8 or UTF-16."""
        if self.encoding is None:
            return None
        known = encodings().get(self.encoding)
        name = known.name if known else self.encoding
        return f"the text is not UTF-8: decoded as {name}; if characters look wrong, save the file as UTF-8"


def decode_text(data: bytes) -> Decoded:
    """Decode bytes of unknown encoding (see the module's docstring), saying which encoding was guessed.

    Raises ``InputTextError`` for binary content or broken UTF-16, as ``textproc.decode_bytes`` does.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return Decoded(decode_bytes(data))  # UTF-16, or raises: binary
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    western = Decoded(*decode_western(data))
    if looks_latin(western.text):
        return western
    for codec in detected_encodings(data[:SAMPLE_SIZE]):
        text = data.decode(codec, errors="replace")
        if encodings()[codec].script != "latin" or looks_latin(text):
            return Decoded(text, codec)
    return western


def looks_latin(text: str) -> bool:
    """Whether ``text`` reads as a Latin-script language (French, German, Polish, ...): no C1 control
    characters (Shift-JIS or GBK bytes read as latin-1), at most ``MAX_ACCENTED_SHARE`` of the letters
    accented (not Cyrillic or Greek read as Windows-1252), and no symbol inside a word (Polish
    ``zarz¹dzanie``: Windows-1250 read as 1252; Russian ``ðàçðàáîò÷èê``)."""
    sample = text[:SAMPLE_SIZE]
    if _C1.search(sample):
        return False
    letters = sum(map(str.isalpha, sample))
    non_ascii = _NON_ASCII.findall(sample)
    if not letters or sum(map(str.isalpha, non_ascii)) > MAX_ACCENTED_SHARE * letters:
        return False
    for match in _NON_ASCII.finditer(sample):
        i = match.start()
        symbol = not sample[i].isalpha() and sample[i] not in _WORD_JOINERS
        if symbol and 0 < i < len(sample) - 1 and sample[i - 1].isalpha() and sample[i + 1].isalpha():
            return False
    return True


def detected_encodings(sample: bytes) -> list[str]:
    """charset-normalizer's guesses for ``sample``, most likely first, that ``encodings()`` lists (its
    guesses for short texts include EBCDIC and DOS code pages that no resume is written in)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it ships with pdfminer.six
        return []
    known = encodings()
    return [match.encoding for match in from_bytes(sample) if match.encoding in known]


@functools.cache
def encodings() -> dict[str, Encoding]:
    """``data/encodings.tsv``: the codecs that bytes of unknown encoding may be decoded with
    (``cp1252`` → ``Encoding("Windows-1252", "latin")``)."""
    rows = (line.split("\t") for line in _ENCODINGS.read_text(encoding="utf-8").splitlines())
    return {row[0]: Encoding(row[1], row[2]) for row in rows if len(row) == 3 and not row[0].startswith("#")}
