"""Title words: the word lists of ``data/titles.yaml``, O*NET's head words and vocabulary, the
abbreviations of ``data/title_abbreviations.tsv``, and the normalisation that compares titles.

Each data file is read once per process (cached loaders)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

_DATA_DIR = Path(__file__).parent.with_name("data")  # matcher/data, beside this sub-package
_DATA = _DATA_DIR / "titles.yaml"
_ONET_WORDS = Path(__file__).resolve().parents[2] / "corpus" / "onet" / "title_words.txt"
_VOCABULARY = _DATA_DIR / "title_vocabulary.txt"
_ABBREVIATIONS = _DATA_DIR / "title_abbreviations.tsv"


def normalize_word(word: str) -> str:
    """Lower-case, singular: "Managers" → "manager", "Sales" → "sales"."""
    w = word.lower().strip(".'’")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is", "les")):
        return w[:-1]
    return w


_PARENTHESIS = re.compile(r"\(.*?\)")
_TITLE_WORD = re.compile(r"[A-Za-z0-9+#]+")


def normalize_title(title: str) -> str:
    """A key for comparing titles: no parentheses, ``&`` → and, words lower-cased, last word singular."""
    t = _PARENTHESIS.sub(" ", title) if "(" in title else title
    words = _TITLE_WORD.findall(t.replace("&", " and "))
    if not words:
        return ""
    words = [w.lower() for w in words[:-1]] + [normalize_word(words[-1])]
    return " ".join(words)


@dataclass(frozen=True)
class _Abbreviations:
    pattern: re.Pattern[str]  # any of them, as a whole word, with or without a period
    expansions: dict[str, str]  # lower-cased abbreviation → written out
    titles: frozenset[str]  # those that name a job on their own ("swe", "mgr"), lower-cased
    words: str  # the abbreviations as written, for a regular expression: "CEO|CTO|…"


@lru_cache(maxsize=1)
def _abbreviations() -> _Abbreviations:
    """``data/title_abbreviations.tsv``: abbreviation, expansion and, where it names a job, ``title``."""
    expansions, titles, written = {}, set(), []
    for n, line in enumerate(_ABBREVIATIONS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) not in (2, 3) or not all(cells[:2]) or cells[2:] not in ([], ["title"]):
            raise ValueError(
                f"{_ABBREVIATIONS}:{n}: expected 'abbreviation<TAB>expansion', optionally '<TAB>title'; "
                f"found {line!r}"
            )
        expansions[cells[0].lower()] = cells[1]
        written.append(cells[0])
        if cells[2:]:
            titles.add(cells[0].lower())
    words = "|".join(re.escape(w) for w in sorted(written, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'-])({words})\.?(?![\w'-])", re.IGNORECASE)
    return _Abbreviations(pattern, expansions, frozenset(titles), words)


def expand_abbreviations(title: str) -> str:
    """The title with its abbreviations written out ("Sr. VP Ops" → "Senior Vice President Operations"),
    for embedding; the person's words, offsets and evidence keep the title as written."""
    table = _abbreviations()
    return table.pattern.sub(lambda m: table.expansions[m.group(1).lower()], title)


@lru_cache(maxsize=1)
def _settings() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    """Head words of job titles: O*NET's (``corpus/onet/title_words.txt``), ``data/titles.yaml``'s, and the
    abbreviations that name a job on their own (``title`` in ``data/title_abbreviations.tsv``: "SWE", not
    "Sr" or "Ops")."""
    words = set(_settings()["head_words"])
    if _ONET_WORDS.is_file():
        words |= {w.strip() for w in _ONET_WORDS.read_text(encoding="utf-8").split() if w.strip()}
    return frozenset({normalize_word(w) for w in words} - _headings()) | _abbreviations().titles


@lru_cache(maxsize=1)
def _headings() -> frozenset[str]:
    """Section headings and words that end many non-title lines ("experience", "summary", "history")."""
    return frozenset(_settings()["not_head_words"])


@cache  # a few fixed keys of data/titles.yaml
def _word_set(key: str) -> frozenset[str]:
    """A list of ``data/titles.yaml`` as a set: ``degree_openings``, ``student_body_words``, ..."""
    return frozenset(_settings()[key])


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    """``title_words`` less the words that end a school's name ("School", "College"), for finding titles;
    ``title_words`` as it is for telling a name from a title (``privacy``)."""
    return title_words() - _word_set("institution_words")


@lru_cache(maxsize=1)
def title_vocabulary() -> frozenset[str]:
    """Every word of O*NET's job titles (``data/title_vocabulary.txt``): "senior", "product", "baker"."""
    lines = _VOCABULARY.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def job_nouns() -> frozenset[str]:
    """The words that name a job on their own ("manager", "head", "founder"): ``head_words`` of
    ``data/titles.yaml``."""
    return _word_set("head_words")


@lru_cache(maxsize=1)
def _function_vocabulary() -> frozenset[str]:
    """The words that may name a function after a rank: O*NET's title words and our abbreviations ("HR")."""
    return title_vocabulary() | _abbreviations().expansions.keys()
