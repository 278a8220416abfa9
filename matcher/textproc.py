"""Text handling for the person's input: validation, sentence spans, token-budget chunks.

Everything here is pure and model-free, so it can be tested without an embedder.
Spans are ``(start, end)`` character offsets into the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputTextError

#: Texts longer than this (characters, after normalisation) are refused: ~100 pages of resume.
MAX_CHARS = 200_000
MIN_WORDS = 2  # texts with fewer words say too little to judge whether any role fits (see too_little_text)
TOO_LITTLE_TEXT = (
    "one word is too little to judge whether a role fits: write a sentence or two about the work"
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'’”)\]]*\s+(?=[\"'‘“(\[]?[A-Z0-9•\-*])|\n\s*\n|\n(?=\s*[-•*▪●◦·]\s)"
)
_NO_SENTENCE_END = Path(__file__).with_name("data") / "sentence_abbreviations.txt"
# a period that ends one of these words ends no sentence (titles, dates and company names in resumes)
_ABBREVIATION_END = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(
        re.escape(w)
        for line in _NO_SENTENCE_END.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for w in line.split()
    )
    + r")\.$",
    re.IGNORECASE,
)
_RAW_PDF = re.compile(r"^%PDF-\d|\bendobj\b.*\bxref\b", re.S)
# UTF-8 read as cp1252 or latin-1 leaves a lead byte followed by as many continuation bytes as the character
# had (U+0080..U+00BF, or what cp1252 makes of 0x80..0x9F: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š ›
# œ ž Ÿ): "Ã©" (two bytes), "â€™" and "â\x80¢" (three); typeset ligatures (ﬁ) come from PDFs. Only texts
# with one of these go to ftfy ("André’s" does not: a three-byte lead needs two continuations).
_CONTINUATION = (
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_MOJIBAKE_HINT = re.compile(
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
    "|[\ufb00-\ufb06]"
)
# ftfy's steps that undo a wrong decoding (not ligatures, HTML entities or full-width letters)
_MOJIBAKE_KINDS = {"encode", "decode", "transcode"}
_MOJIBAKE_FIXES = {
    "restore_byte_a0",
    "replace_lossy_sequences",
    "decode_inconsistent_utf8",
    "fix_c1_controls",
}
# what the text stage leaves as the person typed it (the read stage, on extracted files, applies it all)
_TYPED_AS_IS = {"unescape_html": False, "remove_terminal_escapes": False, "fix_character_width": False}
MOJIBAKE_WARNING = "garbled characters (mojibake such as â€™) were repaired: check accented letters"
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_LINE_EDGES = re.compile(r" *\n *")
_TABLE_SIZE = 1 << 16
_DELETE_ASCII_LETTERS = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _ControlToSpace(dict):
    """``str.translate`` table: control, format, surrogate, private-use and unassigned characters
    (``_CONTROL``) to a space, except newline and tab; filled per character on first sight (at most
    ``_TABLE_SIZE`` entries kept: beyond, characters are looked up each time)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = " " if ch not in "\n\t" and unicodedata.category(ch) in _CONTROL else ch
        if len(self) < _TABLE_SIZE:
            self[code] = out
        return out


_CONTROL_TO_SPACE = _ControlToSpace()


@dataclass(frozen=True)
class Span:
    """A sentence (or line) of the person's text, with character offsets."""

    start: int
    end: int
    text: str


def decode_bytes(data: bytes) -> str:
    """Decode uploaded bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1.

    Raises ``InputTextError`` for binary content (NUL bytes outside UTF-16).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputTextError(
                f"the input starts like UTF-16 text but is corrupt or cut short (byte {exc.start}); "
                "save it again as UTF-8 or paste the text"
            ) from exc
    if b"\x00" in data:
        raise InputTextError("the input looks like a binary file (it contains NUL bytes); paste plain text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_western(data)[0]


def decode_western(data: bytes) -> tuple[str, str]:
    """``(text, codec)``: ``data`` as Windows-1252 (``cp1252``), or as latin-1 (``latin_1``) where it has
    a byte that Windows-1252 lacks (0x81, 0x8D, 0x8F, 0x90, 0x9D)."""
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin_1"


def repair_characters(text: str, every_fix: bool = False) -> tuple[str, list[str]]:
    """Repair mojibake (``â€™`` → ``’``, ``â\x80¢`` → ``•``) and ligatures (``ﬁ`` → ``fi``) with ftfy;
    ``(text, warnings)``, a warning only where a wrong decoding was undone. Soft hyphens are dropped.

    By default only where the text shows mojibake or a ligature (else ftfy is not run), and HTML entities,
    terminal escapes and full-width letters stay as typed; ``every_fix``: every ftfy fix, on any text (the
    read stage, on the text extracted from a file)."""
    if not every_fix:
        if text.isascii():
            return text, []
        if not _MOJIBAKE_HINT.search(text):
            text = text.replace("\u00ad", "")  # a soft hyphen may stand between the bytes of mojibake
            if not _MOJIBAKE_HINT.search(text):
                return text, []
    import ftfy

    config = ftfy.TextFixerConfig(
        uncurl_quotes=False, normalization="NFC", explain=True, **({} if every_fix else _TYPED_AS_IS)
    )
    fixed, steps = ftfy.fix_and_explain(text, config=config)  # "Ã\u00ad" is an í: hyphens go after
    undone = any(kind in _MOJIBAKE_KINDS or name in _MOJIBAKE_FIXES for kind, name in steps or ())
    return fixed.replace("\u00ad", ""), [MOJIBAKE_WARNING] if undone else []


def normalize(text: str) -> str:
    """NFC-normalise, drop control and zero-width characters, unify newlines, collapse runs of spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # printable once line breaks and tabs are set aside: no control character and no space but " ", so
    # nothing to translate, and a run of spaces to collapse has two spaces or a tab
    printable = text.replace("\n", " ").replace("\t", " ").isprintable()
    if not printable:
        text = text.translate(_CONTROL_TO_SPACE)
    if not printable or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:  # otherwise no space around a line break
        text = _LINE_EDGES.sub("\n", text)
    return text.strip()


PLACEHOLDER = re.compile(r"\[(?:NAME|EMAIL|PHONE|ADDRESS|URL)\]")  # what redaction puts in (privacy)


def word_count(prepared: str) -> int:
    """The words of a prepared text that say something: those with a letter, placeholders set aside
    ("• Sales !" and "[NAME] · Sales" are one word)."""
    return sum(any(c.isalpha() for c in w) for w in PLACEHOLDER.sub(" ", prepared).split())


def too_little_text(prepared: str) -> bool:
    """Whether a prepared text has fewer than ``MIN_WORDS`` words (``word_count``): its fit is capped and
    it names no closest occupation (one word, "Sales", is not a person's work)."""
    return word_count(prepared) < MIN_WORDS


def validate(text: object, max_chars: int = MAX_CHARS) -> str:
    """Return the normalised text, or raise ``InputTextError`` saying what is wrong and what to do."""
    return validate_with_notes(text, max_chars)[0]


def validate_with_notes(text: object, max_chars: int = MAX_CHARS) -> tuple[str, tuple[str, ...]]:
    """``validate``, and what it repaired on the way, worth telling the person (garbled characters)."""
    if isinstance(text, bytes):
        text = decode_bytes(text)
    if not isinstance(text, str):
        raise InputTextError(f"expected text (str), got {type(text).__name__}")
    if "\x00" in text:
        raise InputTextError("the input looks like a binary file (it contains NUL bytes); paste plain text")
    clean, notes = _repair_and_normalize(text)
    if _is_raw_pdf(clean):
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
    letters = _count_letters(clean)
    if letters < 2 or letters / len(clean) < 0.3:
        raise InputTextError(
            "the text has almost no letters (binary data or symbols?); paste a resume or bio in words"
        )
    return clean, tuple(notes)


def _repair_and_normalize(text: str, rounds: int = 3) -> tuple[str, list[str]]:
    """``normalize(repair_characters(text))``: repaired first, because normalising drops the C1 bytes of
    mojibake; again while what is left still shows mojibake that ftfy now repairs (normalising put a space
    where an unassigned character stood after an "Â"; a soft hyphen hid a pair), so that validating
    validated text changes nothing."""
    repaired, notes = repair_characters(text)
    clean = normalize(repaired)
    for _ in range(rounds - 1):
        if not _MOJIBAKE_HINT.search(clean):  # the common case: nothing (left) for ftfy
            break
        repaired, more = repair_characters(clean)
        if repaired == clean:
            break
        clean = normalize(repaired)
        notes += [n for n in more if n not in notes]
    return clean, notes


def _is_raw_pdf(text: str) -> bool:
    """``%PDF-1.4`` at the start, or ``endobj ... xref`` in the first 4 KB, or three ``endobj``."""
    head = text[:4096]
    if (head.startswith("%PDF-") or "endobj" in head) and _RAW_PDF.search(head):  # what the pattern needs
        return True
    return text.count("endobj") >= 3


def _count_letters(text: str) -> int:
    """How many characters of ``text`` are letters (``str.isalpha``)."""
    if text.isascii():
        return len(text) - len(text.translate(_DELETE_ASCII_LETTERS))
    return sum(map(str.isalpha, text))


def sentence_spans(text: str) -> list[Span]:
    """Split text into sentences and list items, with offsets; long lines without punctuation stay whole."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text[match.start() - 1] == "." and _ABBREVIATION_END.search(
            text, max(0, match.start() - 7), match.start()
        ):
            continue  # "Sr. Software Engineer", "Jan. 2019", "Acme Inc. 2019": no sentence ends there
        _add_span(spans, text, start, match.start())
        start = match.end()
    _add_span(spans, text, start, len(text))
    return spans


def _add_span(spans: list[Span], text: str, start: int, end: int) -> None:
    # single newlines inside a "sentence" are line breaks of a list or header: split on them when
    # the lines are short items, keep them when they wrap a long sentence.
    piece = text[start:end]
    lines = piece.split("\n")
    if len(lines) > 1 and max(len(line) for line in lines) < 120:
        offset = start
        for line in lines:
            _add_trimmed(spans, text, offset, offset + len(line))
            offset += len(line) + 1
    else:
        _add_trimmed(spans, text, start, end)


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append(Span(start, end, text[start:end]))


def chunk_spans(
    spans: Sequence[Span],
    count_tokens: Callable[[str], int],
    budget: int = 200,
) -> list[list[Span]]:
    """Group consecutive sentences into chunks of at most ``budget`` tokens (sentence-aware).

    A single sentence longer than the budget is cut at word boundaries into several spans,
    so no part of the text is silently dropped.
    """
    chunks: list[list[Span]] = []
    current: list[Span] = []
    used = 0
    for span in spans:
        for piece in _split_long(span, count_tokens, budget):
            n = count_tokens(piece.text)
            if current and used + n > budget:
                chunks.append(current)
                current, used = [], 0
            current.append(piece)
            used += n
    if current:
        chunks.append(current)
    return chunks


def _split_long(span: Span, count_tokens: Callable[[str], int], budget: int) -> list[Span]:
    if count_tokens(span.text) <= budget:
        return [span]
    # WordPiece counts are additive over whitespace-separated words, so pack words greedily (linear time);
    # a single giant "word" is cut by characters.
    pieces: list[Span] = []
    first = last = None
    used = 0
    for m in re.finditer(r"\S+", span.text):
        n = count_tokens(m.group())
        if n > budget:
            if first is not None:
                pieces.append(_piece(span, first, last))
                first, used = None, 0
            step = max(1, len(m.group()) * budget // (2 * n))
            for s in range(m.start(), m.end(), step):
                pieces.append(_piece(span, s, min(s + step, m.end())))
            continue
        if first is not None and used + n > budget:
            pieces.append(_piece(span, first, last))
            first, used = None, 0
        if first is None:
            first = m.start()
        last = m.end()
        used += n
    if first is not None:
        pieces.append(_piece(span, first, last))
    return pieces


def _piece(span: Span, s: int, e: int) -> Span:
    return Span(span.start + s, span.start + e, span.text[s:e])
