"""Cleaning of extracted text: mojibake and ligatures (``textproc.repair_characters``), bullets,
hyphenated line breaks, wrapped lines, and headers, footers and page numbers repeated on every page. Pure
functions on strings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..textproc import repair_characters

#: Bullet glyphs of word processors and PDF fonts (Symbol/Wingdings private-use code points included),
#: rewritten as "•" so that the sentence splitter sees list items.
BULLETS = (
    "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\u25aa\u25cf\u25e6\u25a0\u25a1"
    "\u2666\u27a2\u2713\u2714\u2023\u2043\u25b8\u25ba\u2219\u00b7\u2022"
)
_BULLET_LINE = re.compile(rf"^[ \t]*[{BULLETS}]+[ \t]*", re.MULTILINE)
_HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})[-\u00ad]\n[ \t]*([a-z]{2,})")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–—(]?\s*\d{1,3}\s*(?:(?:of|/)\s*\d{1,3})?\s*[-–—)]?\s*$", re.I)


def normalise_bullets(text: str) -> str:
    """Every bullet glyph at the start of a line becomes ``• ``."""
    return _BULLET_LINE.sub("• ", text)


def join_hyphenated(text: str) -> str:
    """``manage-\\nment`` → ``management`` (a word broken across lines with a hyphen)."""
    return _HYPHEN_BREAK.sub(r"\1\2", text)


def unwrap_lines(text: str) -> str:
    """Join a line with the next when the next one continues the sentence (starts in lower case and is
    not a list item): PDF lines are the page's line breaks, not the author's."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if (
            out
            and out[-1].strip()
            and stripped[:1].islower()
            and not out[-1].rstrip().endswith((":", "."))
            and len(out[-1]) > 30
        ):
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(line)
    return "\n".join(out)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def drop_repeated_lines(pages: Sequence[str], zone: int = 3) -> tuple[list[str], int]:
    """Remove page numbers, and lines repeated in the top or bottom ``zone`` lines of most pages
    (running headers and footers); ``(pages, lines removed)``. One page: only page numbers go."""
    split = [page.split("\n") for page in pages]
    repeated: set[str] = set()
    if len(split) >= 2:
        seen: Counter[str] = Counter()
        for lines in split:
            filled = [line for line in lines if line.strip()]
            seen.update({_key(line) for line in filled[:zone] + filled[-zone:]})
        need = max(2, -(-len(split) * 3 // 4))  # on three pages in four, at least two
        repeated = {key for key, n in seen.items() if n >= need and key}
    removed = 0
    out = []
    for lines in split:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(filled[:zone] + filled[-zone:])
        kept = []
        for i, line in enumerate(lines):
            if i in edge and (_key(line) in repeated or _PAGE_NUMBER.match(line)):
                removed += 1
                continue
            kept.append(line)
        out.append("\n".join(kept))
    return out, removed


def clean_pages(pages: Sequence[str]) -> tuple[str, list[str]]:
    """The cleaned text of a document's pages (joined by blank lines) and warnings about repairs."""
    warnings: list[str] = []
    fixed = []
    for page in pages:
        text, notes = repair_characters(page.replace("\r\n", "\n").replace("\r", "\n"), every_fix=True)
        fixed.append(text)
        warnings += [n for n in notes if n not in warnings]
    fixed, _ = drop_repeated_lines(fixed)
    text = "\n\n".join(p.strip("\n") for p in fixed if p.strip())
    text = unwrap_lines(join_hyphenated(normalise_bullets(text)))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), warnings
