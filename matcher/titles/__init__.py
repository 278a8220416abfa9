"""Text stage: the job titles a person names (headline, experience lines, "Title at Company").

Real resumes name the person's roles: a headline ("Senior Product Manager"), title lines of the
experience section ("PRESIDENT/CHIEF EXECUTIVE OFFICER", "Account Executive Jan 2016 to Current",
"Senior Consultant at Acme"), or a bio's "I am a ... at ...". ``extract_titles`` finds them with
offsets; a title is a short segment that ends in a job-title head word (``title_words``). Pure and
linear in the text's length.
"""

from __future__ import annotations

import re

from .dates import _DIGIT, _RANGE, _all_dates, _blank_dates, _date_range, _earlier_entries, _search_date  # noqa: F401
from .lexicon import (  # noqa: F401
    _headings,
    expand_abbreviations,
    job_nouns,
    normalize_title,
    normalize_word,
    title_vocabulary,
    title_words,
)
from .phrase import _CONNECTORS, _SEPARATORS, _TOKEN, _WORD, MAX_TITLE_WORDS, _segments, _span, _with_function
from .sentences import (
    _SENTENCE_TITLE,
    _before_possessive,
    _cut_at_stop,
    _leading_title,
    _not_a_role,
    _past,
    _trim_sentence_title,
)
from .span import TitleSpan

__all__ = [
    "TitleSpan",
    "expand_abbreviations",
    "extract_titles",
    "job_nouns",
    "normalize_title",
    "normalize_word",
    "title_words",
]

MAX_TITLES = 6


LONG_LINE = 20  # words: a longer line is a paragraph, or a resume that lost its line breaks
_OPENING = re.compile(r"\s*(?:\[NAME\](?:\s+[|•·–—-])?\s+)?")  # a redacted name may open the line
_CAPS_RUN = re.compile(r"((?:[A-Z][A-Z/&'’-]*\s+){0,6}[A-Z][A-Z/&'’-]*)(?=\s+[A-Z]?[a-z]|\s*$)")
_AT = re.compile(r"\s(?:at|@)\s")


def extract_titles(text: str, limit: int = MAX_TITLES) -> tuple[TitleSpan, ...]:
    """Job titles in ``text``, headline first, then in reading order; at most ``limit``, no repeats."""
    found: list[TitleSpan] = []
    lines = [(m.group(0), m.start()) for m in re.finditer(r"[^\n]+", text)]
    if len(lines) == 1:
        whole = _whole_titles(text, *lines[0])
        if whole:
            return whole[:limit]
    dates = _date_range()
    has_digit = [_DIGIT.search(line) is not None for line, _ in lines]  # every date has one: skip the rest
    headline_done = 0
    ranges: dict[TitleSpan, str] = {}  # a dated title → the date range beside it
    for n, (line, start) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        line_dates = _all_dates(dates, line) if has_digit[n] else []  # found once for all three uses
        dated = line_dates[0] if line_dates else None
        near_date = any(
            has_digit[k] and dates.fullmatch(lines[k][0].strip())
            for k in (n - 1, n + 1)
            if 0 <= k < len(lines)
        )
        words = len(_WORD.findall(line))
        flattened = _flattened_titles(text, line, start, line_dates, ranges) if words > LONG_LINE else []
        found.extend(flattened)  # a long line: a paragraph, or a resume that lost its line breaks
        top = headline_done < 3  # one of the text's first three lines
        if top and words <= 12 and not stripped.endswith("."):
            kind = "headline"
        elif dated or near_date:
            kind = "dated"
        elif words <= MAX_TITLE_WORDS + 4 and (stripped.isupper() or " at " in line or " @ " in line):
            kind = "at"
        else:
            kind = ""
        headline_done += 1
        if kind:
            clean = _blank_dates(line, line_dates) if dated else line
            # a long line: only the title that opens it ("Plumbing engineer, ...")
            pieces = _segments(clean, start, 1 if words > LONG_LINE else None)
            for k, (piece, offset) in enumerate(pieces):
                span = _span(text, piece, offset, kind)
                if span:
                    span = _with_function(text, span, pieces[k + 1 : k + 2])
                    found.append(span)
                    beside = [m.group() for m in line_dates if _RANGE.search(m.group())] or [
                        lines[j][0]
                        for j in (n + 1, n - 1)
                        if 0 <= j < len(lines)
                        and has_digit[j]
                        and dates.fullmatch(lines[j][0].strip())
                        and _RANGE.search(lines[j][0])
                    ]
                    if beside:  # a job's date range, on its line or the next: a top line may be one too
                        ranges[span] = beside[0]
                    break
        opened = any(t.kind == "headline" for t in flattened)  # a long line whose opening title is found
        # a title that opens a long line, or a short one at the top ("Registered nurse; charting in Epic."),
        # not a short line further down, often a list ("SQL Server, Oracle", "AWS Cloud Practitioner, ITIL")
        lead = _leading_title(line, n == 0) if (top or words > MAX_TITLE_WORDS) and not opened else None
        if lead:
            span = _span(text, lead.group(1), start + lead.start(1), "headline" if n == 0 else "sentence")
            if span:
                found.append(span)
        if words > MAX_TITLE_WORDS and not opened:
            for m in _SENTENCE_TITLE.finditer(line):
                if _past(line, m.start()) or _not_a_role(line, m):
                    continue
                shift, phrase = _cut_at_stop(_before_possessive(m.group(1), line[m.end(1) : m.end(1) + 2]))
                span = _span(text, _trim_sentence_title(phrase), start + m.start(1) + shift, "sentence")
                if span:
                    found.append(span)
    past = _earlier_entries(ranges, len(text))
    unique: dict[str, TitleSpan] = {}
    for span in found:
        if any(lo <= span.start < hi for lo, hi in past):
            continue  # an earlier job's title, or a title in what it says of that job
        if any(o.start == span.start and o.end > span.end for o in found):
            continue  # "Director" beside "Director, Strategic Planning"
        unique.setdefault(normalize_title(span.text), span)
    return tuple(unique.values())[:limit]


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


def _whole_titles(text: str, line: str, start: int) -> tuple[TitleSpan, ...]:
    """The titles of a text that is nothing but job titles, in any case: "java developer - spring",
    "secondary dba (contract)", "system administrator central europe" (the words up to the last head
    word), "data analyst / python developer"."""
    stripped = line.strip()
    if len(_WORD.findall(line)) > MAX_TITLE_WORDS + 5 or stripped.endswith((".", "!", "?")):
        return ()
    clean = re.sub(r"\(.*?\)", lambda m: " " * len(m.group(0)), line)
    spans: list[TitleSpan] = []
    pieces = _segments(clean, start)
    for k, (piece, offset) in enumerate(pieces):
        if spans and spans[-1].end > offset:
            continue  # the function of the title before: "Director, Strategic Planning"
        lead = len(piece) - len(piece.lstrip())
        span = _span(text, _trim_sentence_title(piece.strip()), offset + lead, "headline", capital=False)
        if span:
            spans.append(_with_function(text, span, pieces[k + 1 : k + 2]))
    return tuple(spans)
