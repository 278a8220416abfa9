"""Text stage: the job titles a person names (headline, experience lines, "Title at Company").

Real resumes name the person's roles: a headline ("Senior Product Manager"), title lines of the
experience section ("PRESIDENT/CHIEF EXECUTIVE OFFICER", "Account Executive Jan 2016 to Current",
"Senior Consultant at Acme"), or a bio's "I am a ... at ...". ``extract_titles`` finds them with
offsets; a title is a short segment that ends in a job-title head word (``title_words``). Pure and
linear in the text's length.

The stage is a small package, imported one way: ``lexicon`` (the word lists, data files, abbreviations and
normalisation) and ``span`` (``TitleSpan``) at the bottom, then ``dates`` (date ranges in a line),
``phrase`` (the rules that judge one phrase), ``sentences`` (titles in prose and the title that opens a
line) and ``flattened`` (a resume that lost its line breaks); ``extract_titles`` is here.
"""

from __future__ import annotations

import bisect
import re

# The names not used here are re-exported: other modules and the tests read them from ``matcher.titles``
# (explain, privacy, embed, scripts/import_onet.py, tests/legacy_text.py, tests/test_text_equivalence.py).
from .dates import (  # noqa: F401
    _DIGIT,
    _RANGE,
    _all_dates,
    _blank_dates,
    _date_range,
    _earlier_entries,
    _search_date,
)
from .flattened import _flattened_titles
from .lexicon import (  # noqa: F401
    _headings,
    expand_abbreviations,
    job_nouns,
    normalize_title,
    normalize_word,
    title_vocabulary,
    title_words,
)
from .phrase import _WORD, MAX_TITLE_WORDS, _segments, _span, _with_function
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
    past = _earlier_entries(ranges, text)
    past_starts = [lo for lo, _ in past]
    longest: dict[int, int] = {}  # a start → the end of the longest title found there
    for span in found:
        longest[span.start] = max(longest.get(span.start, 0), span.end)
    unique: dict[str, TitleSpan] = {}
    for span in found:
        k = bisect.bisect_right(past_starts, span.start) - 1
        if k >= 0 and span.start < past[k][1]:
            continue  # an earlier job's title, or a title in what it says of that job
        if longest[span.start] > span.end:
            continue  # "Director" beside "Director, Strategic Planning"
        unique.setdefault(normalize_title(span.text), span)
    return tuple(unique.values())[:limit]


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
