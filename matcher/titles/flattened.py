"""Titles in a long line, as in a resume that lost its line breaks: the words that open it and the
job-title words before each date range."""

from __future__ import annotations

import re

from .dates import _RANGE
from .lexicon import _headings, normalize_word, title_vocabulary, title_words
from .phrase import _CONNECTORS, _SEPARATORS, _TOKEN, MAX_TITLE_WORDS, _segments, _span, _with_function
from .span import TitleSpan

_OPENING = re.compile(r"\s*(?:\[NAME\](?:\s+[|•·–—-])?\s+)?")  # a redacted name may open the line
_CAPS_RUN = re.compile(r"((?:[A-Z][A-Z/&'’-]*\s+){0,6}[A-Z][A-Z/&'’-]*)(?=\s+[A-Z]?[a-z]|\s*$)")
_AT = re.compile(r"\s(?:at|@)\s")


def _flattened_titles(
    text: str, line: str, start: int, line_dates: list[re.Match[str]], ranges: dict[TitleSpan, str]
) -> list[TitleSpan]:
    """Titles in a long line, as in a resume that lost its line breaks: the upper-case words that open it
    ("PRESIDENT/CHIEF EXECUTIVE OFFICER Executive Profile ...") or the words before a heading that opens
    it ("Senior Product Manager Summary ..."), after a redacted name if one leads, and the job-title words
    just before each date range ("... Professional Experience Account Executive Jan 2016 to Current ...");
    ``line_dates``: the line's dates (``_all_dates``); ``ranges`` gets each dated title's range. Where
    no title word stands just before a range ("Chief Executive Officer — FreightLoop Inc., Boston, MA March
    2017 – Present"), the title is the first piece after the sentence before it ends."""
    out = []
    opening = _OPENING.match(line).end()
    caps = _CAPS_RUN.match(line, opening)
    head = (caps.start(1), caps.end(1)) if caps else _before_heading(line, opening)
    if head:
        span = _span(text, line[head[0] : head[1]], start + head[0], "headline")
        if span:
            out.append(span)
    after = 0  # where the text since the last range starts
    for m in line_dates:
        if _RANGE.search(m.group()):
            span = _title_before(text, line, start, m.start())
            # "Senior Consultant at Deloitte 2014 - 2019": the title before the last "at"
            ats = list(_AT.finditer(line, max(0, m.start() - 60), m.start()))
            if span is None and ats:
                span = _title_before(text, line, start, ats[-1].start())
            if span is None:
                span = _title_opening_entry(text, line, start, max(after, m.start() - 160), m.start())
            if span:
                out.append(span)
                ranges[span] = m.group()
            after = m.end()
    return out


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])")


def _title_opening_entry(text: str, line: str, start: int, lo: int, hi: int) -> TitleSpan | None:
    """The title that opens a job's entry in ``line[lo:hi]`` (the words before its date range): after
    the last sentence's end, the job-title words before the first separator ("… operating plans.
    PROFESSIONAL EXPERIENCE Chief Executive Officer — FreightLoop Inc., Boston, MA" → "Chief Executive
    Officer"), with the function after a comma ("Vice President, Business Operations — Oracle")."""
    ends = list(_SENTENCE_END.finditer(line, lo, hi))
    entry = ends[-1].end() if ends else lo
    sep = _SEPARATORS.search(line, entry, hi)
    if sep is None:
        return None
    span = _title_before(text, line, start, sep.start())
    if span is None or span.start < start + entry:
        return None
    following = _segments(line[sep.end() : hi], start + sep.end(), 1)
    return _with_function(text, span, following)


def _before_heading(line: str, pos: int) -> tuple[int, int] | None:
    """Where the words before a capitalised section heading are, when one opens the line within
    ``MAX_TITLE_WORDS`` words: "Senior Product Manager Summary ..." → "Senior Product Manager"."""
    words = list(_TOKEN.finditer(line, pos))[: MAX_TITLE_WORDS + 2]
    for k in range(1, min(len(words) - 1, MAX_TITLE_WORDS + 1)):
        word, after = words[k].group(), words[k + 1].group()
        if words[k - 1].group()[-1] in ".;:!?":
            return None  # a sentence, not a header ("Geneticists. Research and study ...")
        if word[0].isupper() and normalize_word(word) in _headings():
            if (
                normalize_word(word) in title_vocabulary()
                and normalize_word(after.strip(".,;:")) in title_words()
            ):
                return None  # the heading word is part of a title: "Operations Research Analysts"
            return words[0].start(), words[k - 1].end()
    return None


def _title_before(text: str, line: str, start: int, end: int) -> TitleSpan | None:
    """The job title that ends just before ``line[end:]`` (a date range): the words before it, back to
    the first that is no job-title word ("Experience", "State", "40."), at most ``MAX_TITLE_WORDS``."""
    head = line[:end].rstrip(" \t,-–—|(")
    words = list(_TOKEN.finditer(head, max(0, len(head) - 160)))
    vocabulary, heads, headings = title_vocabulary(), title_words(), _headings()
    keep = 0
    for w in reversed(words):
        token = w.group()
        parts = [normalize_word(p) for p in re.split(r"[/-]", token.strip(",")) if p]
        if token[-1] in ".;:!?" or not parts or (token[0].islower() and token not in _CONNECTORS):
            break
        if not all(p in vocabulary or p in heads or p in _CONNECTORS for p in parts) or parts[-1] in headings:
            break
        keep += 1
        if keep > MAX_TITLE_WORDS:
            return None
    taken = words[len(words) - keep :]
    while taken and taken[0].group().lower() in _CONNECTORS:
        taken = taken[1:]
    if not taken:
        return None
    piece = line[taken[0].start() : taken[-1].end()]
    return _span(text, piece, start + taken[0].start(), "dated")
