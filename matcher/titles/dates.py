"""Dates in experience lines: the date-range pattern, finding, listing and blanking out a line's dates, and
which dated entries are earlier jobs."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .lexicon import _heads, _settings, _word_set, normalize_word
from .span import TitleSpan

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:(?:{_MONTH}\s+)?(?:19|20)\d{{2}}|\d{{1,2}}/(?:19|20)?\d{{2}})"
_RANGE = re.compile(r"[-–—]|\b(?:to|until|till)\b", re.I)  # a date range, not one date
_DIGIT = re.compile(r"\d")  # as the date pattern's \d
_DIGITS_TRIED = 48
_YEAR = re.compile(r"(?:19|20)\d{2}")


@lru_cache(maxsize=1)
def _date_range() -> re.Pattern[str]:
    current = "|".join(re.escape(w) for w in sorted(_settings()["current"], key=len, reverse=True))
    return re.compile(
        rf"\(?\b{_DATE}\s*(?:-|–|—|to|until|till)\s*(?:{_DATE}|(?:{current})\b)\)?|\(?\b{_DATE}\b\)?", re.I
    )


def _earlier_entries(ranges: dict[TitleSpan, str], text: str) -> list[tuple[int, int]]:
    """Where the entries of earlier jobs are, sorted: each from its dated title to the next dated title or
    section heading. A job is an earlier one when it is listed after the current one (a title whose date
    range runs to the present, "2017 – Present") and its own range ended; where none runs to the present,
    when it is listed after the one that ended last and ended before it. A resume's current job names the
    person's role; "President and COO, 2012 – 2017" under "CEO, 2017 – Present" does not. A role still held
    that is listed after the jobs ("Teaching Assistant, 2023 – Present" under Education) drops none of them,
    and neither does a resume listed oldest first."""
    if len(ranges) < 2:
        return []
    current = _word_set("current")
    ongoing = {s: any(w in r.lower() for w in current) for s, r in ranges.items()}
    if any(ongoing.values()):
        anchor = min(s.start for s, now in ongoing.items() if now)
        past = [s.start for s, now in ongoing.items() if s.start > anchor and not now]
    else:
        ends = {s: max(map(int, _YEAR.findall(r)), default=0) for s, r in ranges.items()}
        latest = max(ends.values())
        anchor = min(s.start for s, end in ends.items() if end == latest)
        past = [s.start for s, end in ends.items() if s.start > anchor and 0 < end < latest]
    if not past:
        return []
    stops = sorted({s.start for s in ranges} | set(_section_starts(text)) | {len(text)})
    return [(lo, stops[bisect.bisect_right(stops, lo)]) for lo in sorted(set(past))]


_LINE = re.compile(r"[^\n]+")


def _section_starts(text: str) -> list[int]:
    """Where the text's section headings are: short lines with no digit and no job noun whose last word is a
    section heading's (``section_headings``: "SKILLS", "Education", "Professional Summary"; not "Grew the
    team", "Maintained SQL Server" or "Dean of Education")."""
    headings, jobs = _word_set("section_headings"), _heads()
    out = []
    for m in _LINE.finditer(text):
        words = re.findall(r"[A-Za-z]+", m.group())
        if not words or len(words) > 4 or _DIGIT.search(m.group()):
            continue
        lower = [normalize_word(w) for w in words]
        if lower[-1] in headings and not any(w in jobs for w in lower):
            out.append(m.start())
    return out


def _search_date(pattern: re.Pattern[str], line: str, pos: int = 0) -> re.Match[str] | None:
    """``pattern.search(line, pos)`` for the date pattern, tried only where a date can start.

    A date's first digit is the first digit at or after its start, and before it stand at most a
    "(", a month word, a "." and spaces; so each match starts in such a stretch just before a digit.
    Lines with many digits (tables of figures) go to the regex's own scan after a few of them.
    """
    for tried, digit in enumerate(_DIGIT.finditer(line, pos)):
        end = lo = digit.start()
        while lo > pos and line[lo - 1].isspace():
            lo -= 1
        if lo < end:  # "Jan 2019", "(Sept. 2020"
            if lo > pos and line[lo - 1] == ".":
                lo -= 1
            while lo > pos and line[lo - 1].isalpha():
                lo -= 1
        if lo > pos and line[lo - 1] == "(":
            lo -= 1
        if tried == _DIGITS_TRIED:  # no date starts before ``lo``: the rest as ``search`` would scan it
            return pattern.search(line, lo)
        for start in range(lo, end + 1):
            m = pattern.match(line, start)
            if m is not None:
                return m
    return None


def _all_dates(pattern: re.Pattern[str], line: str) -> list[re.Match[str]]:
    """Every match of the date pattern in ``line``, in order, as ``finditer`` gives them."""
    out: list[re.Match[str]] = []
    m = _search_date(pattern, line)
    while m is not None:
        out.append(m)
        m = _search_date(pattern, line, m.end())
    return out


def _blank_dates(line: str, line_dates: list[re.Match[str]]) -> str:
    """``line`` with each of its dates (``_all_dates``) replaced by as many spaces, as ``pattern.sub``."""
    out, pos = [], 0
    for m in line_dates:
        out.append(line[pos : m.start()])
        out.append(" " * (m.end() - m.start()))
        pos = m.end()
    out.append(line[pos:])
    return "".join(out)
