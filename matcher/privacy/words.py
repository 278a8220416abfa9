"""Word-level name rules: whether a word or a few words can be a person's name (capitalised name words, not
a role, heading, title or skill word), and whether a word is in an e-mail address's local part."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..titles import normalize_word, title_vocabulary, title_words
from .lexicon import _BEFORE_TITLE, _HONORIFIC, _NOT_NAME, _SENTENCE_OPENERS, FIRST_NAMES

_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "La", "Le", "Van", "O'", "O’", "D'", "D’")


def _leading_name_words(words: list[str]) -> list[str]:
    """The words that open ``words`` and may be a name (capitalised, not a role, heading or title word)."""
    out = []
    for word in words:
        if not _single_name(word) or word.lower() in _SENTENCE_OPENERS:
            break
        out.append(word)
    return out


def _is_job_title(words: list[str]) -> bool:
    """1-6 words of O*NET's job titles ending in a head word ("Senior Product Manager")."""
    title = [normalize_word(w) for w in words]
    if not title or len(title) > 6 or title[-1] not in title_words():
        return False
    return all(w in title_vocabulary() or w in title_words() for w in title)


def _untitled_name(word: str) -> bool:
    """A name word that is no title, heading or skill word (``_single_name``, ``[before_title]``) nor any word
    of a job title, nor one that opens a sentence; one word ("Front-End", "Part-Time" are not names), and
    not one that ends in "ed" ("Connected", "Managed"), unless it is a known first name ("Ahmed")."""
    if word in FIRST_NAMES:
        return True
    if not _single_name(word) or "-" in word or word.lower() in _SENTENCE_OPENERS or word.endswith("ed"):
        return False
    return normalize_word(word) not in title_vocabulary() and word.lower() not in _BEFORE_TITLE


def _mailbox_pieces(mailboxes: Sequence[str]) -> frozenset[str]:
    """The words of e-mail local parts: "rachel.goldberg" → rachel, goldberg; "j_doe99" → j, doe."""
    return frozenset(p for box in mailboxes for p in re.split(r"[^a-z]+", box.lower()) if p)


def _mailed(word: str, pieces: frozenset[str]) -> bool:
    """``word`` is a piece of an address, or one with an initial before or after it ("rgoldberg", "yli")."""
    w = word.lower()
    if len(w) < 2 or not w.isalpha():
        return False
    return w in pieces or any(len(p) == len(w) + 1 and (p[1:] == w or p[:-1] == w) for p in pieces)


def _lone_first_name(word: str) -> bool:
    """A top line that holds one word, "Anna" or "张伟" above the rest, is the person's first name unless it
    is a heading, role or job-title word. Only a known first name is then replaced further down too:
    "Kubernetes" on the top line may be a skill the text goes on to name. (A line of 2-4 words is a name
    replaced further down too: "Xyla Quorn" above "... with Quorn daily".)"""
    return " " not in word and _single_name(word)


def _is_name(value: str) -> bool:
    """A name of 2-4 words (``_looks_like_name``) or of one (``_single_name``), where a name stands."""
    return _looks_like_name(value) or (" " not in value and _single_name(value))


def _single_name(word: str) -> bool:
    """One capitalised word that is a name where a name stands: not a heading, role or job-title word."""
    if not _looks_like_name(word, allow_single=True) or word.isupper():
        return False
    w = word.lower()
    if w in _NOT_NAME or normalize_word(w) in title_words():
        return False
    return word in FIRST_NAMES or not w.endswith("ly")  # "Currently", "Recently" are not names; "Emily" is


def _looks_like_name(value: str, allow_single: bool = False) -> bool:
    """2-4 capitalised words (1-4 after a "Name:" label), no digits, none of them a role or heading word."""
    words = value.split()
    if words and words[0].lower() in _HONORIFIC:
        words = words[1:]
    if not (1 if allow_single else 2) <= len(words) <= 4 or len(value) > 60:
        return False
    if not all(_is_name_word(w) for w in words) or all(len(w) <= 2 and _cased(w) for w in words):
        return False  # "A. B." or "IT HR" is not a reliable name (but 王 伟 is)
    if len({w.isupper() for w in words if len(w) > 2}) > 1:
        return False  # "SQL Server", "Jane DOE": acronyms mixed with words are not a name
    return not any(w.lower().strip(".") in _NOT_NAME for w in words)


def _cased(text: str) -> bool:
    """Whether ``text`` has a letter with an upper and a lower case (Latin, Greek, Cyrillic...)."""
    return any(ch.isupper() or ch.islower() for ch in text)


def _is_name_word(word: str) -> bool:
    """ "Jane", "JANE", "J.", "Okwuosa-Lindqvist", "McDonald", "O'Neil", "Zoë": letters, capitalised."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True
    parts = word.split("-")
    return len(parts) <= 3 and all(_is_name_part(p) for p in parts)


def _is_name_part(part: str) -> bool:
    letters = part.replace("'", "").replace("’", "")
    if letters and not _cased(letters):  # 张伟, محمد, फातिमा, 김민준: scripts without capitals
        return all(ch.isalpha() or unicodedata.category(ch).startswith("M") for ch in letters)
    if len(letters) < 2 or not letters.isalpha() or not part[0].isupper():
        return False
    if part.isupper():
        return True
    if part.startswith(_NAME_PREFIXES):  # McDonald, DeShawn, O'Neil
        for prefix in _NAME_PREFIXES:
            if part.startswith(prefix) and len(part) > len(prefix) + 1 and part[len(prefix)].isupper():
                part = part[len(prefix) :]
                break
    return part[1:].replace("'", "").replace("’", "").islower()
