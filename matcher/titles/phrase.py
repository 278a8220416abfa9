"""The rules that judge one phrase: does it end in a job-title head word and name a job (``_head``,
``_names_no_job``), the pieces of a line between separators, the span it makes, and the function a rank
heads after a comma (``_with_function``)."""

from __future__ import annotations

import re

from .dates import _DIGIT
from .lexicon import _function_vocabulary, _heads, _word_set, normalize_word, title_vocabulary
from .span import TitleSpan

MAX_TITLE_WORDS = 7
_SEPARATORS = re.compile(  # the space after a redacted name too: "[NAME] Senior Accountant"
    r"\s+(?:\||•|·|–|—|-|/|at|@)\s+|\s*[|•·,;:]\s*|\s+@\s*|(?<=\[NAME\])\s+"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'’-]*")
_TOKEN = re.compile(r"\S+")
_OF = frozenset({"of", "de"})  # "Director of Product", "Chef de Partie": the head before it
_CONNECTORS = frozenset({"of", "and", "&", "for", "the", "to", "in", "/", "-"})
_DETERMINERS = frozenset({"our", "my", "his", "her", "their", "your", "the", "a", "an", "this", "that"})
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_MANY_DIGITS = re.compile(r"[$€£]?\d{2,}[%+]?[,.]?")  # a count or an amount, as a word of its own


def _head(segment: str, capital: bool = True) -> tuple[int, int] | None:
    """Where the title is in the segment, if it is one: it ends in a head word ("Director of Product": the
    head before "of"), has at most ``MAX_TITLE_WORDS`` words, holds no placeholder, (``capital``) starts
    with a capital, and names no degree, school or student office (``_names_no_job``)."""
    strip = " \t-–—.,;:()"
    lo = len(segment) - len(segment.lstrip(strip))
    hi = len(segment.rstrip(strip))
    lo += _role_after_as(segment[lo:hi])  # "Served as Head of Operations": the words after "as"
    hi = lo + _before_to(segment[lo:hi])  # "Executive Assistant to the CEO": the assistant, not the CEO
    title = segment[lo:hi]
    words = _WORD.findall(title)
    if not words or _PLACEHOLDER.search(title) or words[0].lower() in _DETERMINERS:
        return None
    if len(words) > MAX_TITLE_WORDS or (capital and not title[:1].isupper()):
        return None
    heads = _heads()
    last = [normalize_word(w) for w in re.split(r"[/-]", words[-1]) if w]
    before_of = [normalize_word(words[i - 1]) for i, w in enumerate(words) if w.lower() in _OF and i > 0]
    if any(w in heads for w in last + before_of) and not _names_no_job(title, words):
        return lo, hi
    return None


_AS = re.compile(r"\s+as\s+(?:(?:an?|the)\s+)?", re.IGNORECASE)


_TO = re.compile(r"\s+to\s+the\s+", re.IGNORECASE)


def _before_to(title: str) -> int:
    """Where the person's own title ends in "X to the Y" when X ends in a job noun ("Executive Assistant to
    the CEO", "Chief of Staff to the COO", "Advisor to the Board" → X); ``len(title)`` otherwise ("Business
    to Business Sales Representative")."""
    m = _TO.search(title)
    if m is None:
        return len(title)
    before = _WORD.findall(title[: m.start()])
    if not before or normalize_word(before[-1]) not in _heads() | {"staff"}:
        return len(title)
    return m.start()


def _role_after_as(title: str) -> int:
    """Where the role starts in a phrase that names it after "as" with no job word before ("Served as Head
    of Operations", "Spent six years as a product manager"): after the last "as" and its article; 0 when
    there is none or the words before it hold a head word ("Teacher of English as a Second Language")."""
    found = list(_AS.finditer(title))
    if not found:
        return 0
    m = found[-1]
    if any(normalize_word(w) in _heads() for w in _WORD.findall(title[: m.start()])):
        return 0
    return m.end()


def _names_no_job(title: str, words: list[str]) -> bool:
    """A title-shaped phrase that names no job: a degree ("Master of Business Administration", "B.Tech
    Computer Engineer"), an office in a student body ("President of the Robotics Club"), a phrase whose head
    follows "of" after no head of its own ("part of pilot", "one of the founders"), a phrase opening with a
    preposition ("At Solid State Technologists"), a certification ("SAP Certified Development Associate"), a
    phrase opening with a pronoun ("I was a teacher"), a phrase that counts people ("Hired 65 engineers"), or
    a head word that needs a qualifier standing alone ("Lead")."""
    lower = [w.lower() for w in words]
    opening = re.sub(r"[.'’]", "", title).lower().split()[:2]
    if opening[0] in _word_set("degree_openings") or " ".join(opening) in _word_set("degree_openings"):
        return True
    certification = any(w in _word_set("certification_words") for w in lower[1:])
    if certification or lower[0] in _word_set("no_title_openings"):
        return True
    if title.split()[0] in _word_set("pronoun_openings"):  # "I cook", "I was a teacher"
        return True
    if _counts_people(title.split()):  # "Hired 65 engineers" ("Microsoft 365 Administrator" is a job)
        return True
    if _student_office(lower):
        return True
    of = max((i for i, w in enumerate(lower) if w in _OF), default=0)  # the last "of" but the first word
    if 0 < of < len(lower) - 1 and all(w in _DETERMINERS for w in lower[of + 1 : -1]):
        return normalize_word(words[of - 1]) not in _heads()  # "part of pilot", "part of the crew"
    return len(words) == 1 and normalize_word(words[0]) in _word_set("qualified_heads")


def _counts_people(words: list[str]) -> bool:
    """A number of two or more digits before a plural that nothing but plurals and "and"/"&" follow: "Hired
    65 engineers", "Managed 12 engineers and analysts" ("Dynamics 365 Solutions Architect" is a job)."""
    for k in range(len(words) - 1):
        if _MANY_DIGITS.fullmatch(words[k]):
            rest = [w.strip(".,;:") for w in words[k + 1 :]]
            if all(w.lower() in ("and", "&") or normalize_word(w) != w.lower() for w in rest):
                return True
    return False


def _student_office(lower: list[str]) -> bool:
    """Lower-case words with a student body after "of": "president of the robotics club"."""
    of = next((i for i, w in enumerate(lower) if w in _OF), len(lower))
    return any(w.strip("'’") in _word_set("student_body_words") for w in lower[of + 1 :])


def _segments(line: str, base: int, limit: int | None = None) -> list[tuple[str, int]]:
    """Pieces of a line between separators, with their offsets (the first ``limit``, if given: the
    rest of a long line is not scanned)."""
    out, pos = [], 0
    for m in _SEPARATORS.finditer(line):
        if len(out) == limit:
            return out
        out.append((line[pos : m.start()], base + pos))
        pos = m.end()
    out.append((line[pos:], base + pos))
    return out[:limit]


def _span(text: str, piece: str, offset: int, kind: str, capital: bool = True) -> TitleSpan | None:
    """``piece`` starts at ``offset`` of ``text`` (dates inside it may have been blanked out)."""
    found = _head(piece, capital=capital and kind != "sentence")
    if found is None:
        return None
    if kind == "sentence" and _opens_with_verb(piece[found[0] : found[1]]):
        return None  # "promoted to Senior Manager", "studying to become a software developer"
    start, end = offset + found[0], offset + found[1]
    if "  " in text[start:end]:  # a blanked-out date inside: not one title
        return None
    return TitleSpan(text[start:end], start, end, kind)


def _opens_with_verb(title: str) -> bool:
    """A phrase whose first word ends in -ed or -ing and is no word of O*NET's titles ("promoted to ...";
    "Registered nurse", "Marketing manager" are titles)."""
    first = title.split()[0].lower()
    return first.endswith(("ed", "ing")) and first not in title_vocabulary()


def _with_function(text: str, span: TitleSpan, following: list[tuple[str, int]]) -> TitleSpan:
    """The title with the function it heads after a comma ("Director, Strategic Planning", "Senior Manager,
    Corporate Strategy", "VP, Sales & Marketing"), when the title is nothing but a rank (``rank_words`` and
    ``head_words``: "Director", "Senior Manager") and the words after the comma are all words of O*NET's
    titles with no job noun at the end; "Founder, CEO", "Manager, Acme" and "Engineer, Google" stay apart."""
    if not following:
        return span
    piece, offset = following[0]
    lo = offset + len(piece) - len(piece.lstrip())
    hi = offset + len(piece.rstrip(" \t-–—.,;:()"))
    if text[span.end : lo].strip() != "," or hi <= lo:
        return span
    heads, ranks = _word_set("head_words"), _word_set("rank_words")
    rank = [normalize_word(w) for w in _WORD.findall(span.text)]
    if not rank or rank[-1] not in heads or not all(w in heads or w in ranks for w in rank):
        return span
    words = text[lo:hi].split()
    if len(words) > 4 or _DIGIT.search(text[lo:hi]) or normalize_word(words[-1]) in heads:
        return span
    if span.text[:1].isupper() and any(w[:1].islower() for w in words if w.lower() not in _CONNECTORS):
        return span  # "Analyst Intern, county agriculture department": a place, not a function
    known = _function_vocabulary()
    if not all(w.lower() in _CONNECTORS or "&" in w or normalize_word(w) in known for w in words):
        return span  # "&": "M&A", "R&D"
    if not any(normalize_word(w) in _word_set("function_words") or "&" in w for w in words):
        return span  # "Engineer, General Electric", "Nurse, General Hospital": an employer, not a function
    return TitleSpan(text[span.start : hi], span.start, hi, span.kind)
