"""Replacing a found name with ``[NAME]``: the full name, then every later mention of it or of its parts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .contacts import PLACEHOLDERS
from .detect import _find_names
from .lexicon import _HONORIFIC, _NOT_NAME
from .words import _cased

_ASCII_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"  # \w in ASCII
_BEFORE_NAME = frozenset(_ASCII_WORD_CHARS + "[-")  # what may not stand just before a mention
_AFTER_NAME = frozenset(_ASCII_WORD_CHARS + "]-")  # and just after it


def _redact_name(text: str, counts: Counter[str], mailboxes: Sequence[str] = ()) -> str:
    """The person's name (``_find_names``), then every later mention of the full name or of its parts."""
    text, names = _find_names(text, counts, mailboxes)
    for name in names:
        text = _replace_mentions(text, name, counts)
    return text


def _replace_mentions(text: str, name: str, counts: Counter[str]) -> str:
    """Replace the full name, then each of its words (capitalised, 3+ letters; any length in a script
    without capitals) on its own."""
    words = [w for w in name.split() if w.lower() not in _HONORIFIC]
    parts = [(r"\s+".join(map(re.escape, words)), words)]
    parts += [
        (re.escape(w), [w])
        for w in words
        if (len(w.strip(".")) >= 3 or not _cased(w)) and w.lower() not in _NOT_NAME  # 张伟 has two
    ]
    for part, part_words in parts:
        if part_words and text.isascii() and all(map(str.isascii, part_words)):  # no pattern to compile
            text = _replace_ascii(text, part_words, counts)
            continue
        pattern = re.compile(rf"(?<![\w\[-]){part}(?![\w\]-])", re.IGNORECASE)

        def sub(m: re.Match[str]) -> str:
            if _cased(m.group()[0]) and not m.group()[0].isupper():  # "mark", not "Mark"
                return m.group()
            counts["name"] += 1
            return PLACEHOLDERS["name"]

        text = pattern.sub(sub, text)
    return text


def _replace_ascii(text: str, words: list[str], counts: Counter[str]) -> str:
    """What the pattern ``(?<![\\w\\[-])word1\\s+word2(?![\\w\\]-])`` (case-blind) replaces in ASCII
    text, found with ``str.find`` on the lower-cased text (in ASCII text a case-blind match is a
    lower-case one, at the same offsets): mentions that start with a capital become ``[NAME]``."""
    low = text.lower()
    keys = [w.lower() for w in words]
    out, pos, i = [], 0, 0
    while (i := low.find(keys[0], i)) >= 0:
        end = _ascii_match_end(text, low, i, keys)
        if end is None:
            i += 1
            continue
        if text[i].isupper():
            out.append(text[pos:i])
            out.append(PLACEHOLDERS["name"])
            counts["name"] += 1
            pos = end
        i = end
    out.append(text[pos:])
    return "".join(out)


def _ascii_match_end(text: str, low: str, i: int, keys: list[str]) -> int | None:
    """The end of the mention of ``keys`` (lower-case words, spaces between) at ``i``, or None."""
    if i > 0 and text[i - 1] in _BEFORE_NAME:
        return None
    end = i + len(keys[0])
    for key in keys[1:]:
        k = end
        while k < len(text) and text[k].isspace():
            k += 1
        if k == end or not low.startswith(key, k):
            return None
        end = k + len(key)
    if end < len(text) and text[end] in _AFTER_NAME:
        return None
    return end
