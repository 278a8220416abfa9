"""Token ids with character offsets, so that a sentence is tokenized once: for counting, chunking and encoding.

MiniLM's WordPiece tokenizer normalises character by character and splits at whitespace before it
looks words up, so in normalised text (``textproc.normalize``: no control characters, which it would
drop) a text's tokens are its words' tokens in order. Hence a run of whole words has a slice of its
sentence's tokens, and a chunk (sentences joined by newlines) has its sentences' tokens one after
another (``tests/test_tokens.py`` checks both against the tokenizer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Tokens", "join_tokens", "slice_tokens", "word_counts"]

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Tokens:
    """A text's tokens without special tokens: ``ids`` ``(n,)`` int64 and ``offsets`` ``(n, 2)`` int64
    (character offsets into the text)."""

    ids: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def word_counts(text: str, tokens: Tokens) -> dict[str, int]:
    """``{word: its number of tokens}`` for the whitespace-separated words of ``text`` (as counting each
    word on its own gives): the tokens that start inside the word."""
    words = list(_WORD.finditer(text))
    starts = tokens.offsets[:, 0]
    lo = np.searchsorted(starts, [m.start() for m in words])
    hi = np.searchsorted(starts, [m.end() for m in words])
    return dict(zip((m.group() for m in words), (hi - lo).tolist()))


def slice_tokens(text: str, tokens: Tokens, start: int, end: int) -> Tokens | None:
    """The tokens of ``text[start:end]`` (offsets from ``start``) when it is a run of whole words, only
    whitespace or the text's ends around it; ``None`` when it cuts a word (tokenize it on its own)."""
    if (start > 0 and not text[start - 1].isspace()) or (end < len(text) and not text[end].isspace()):
        return None
    lo, hi = np.searchsorted(tokens.offsets[:, 0], [start, end])
    return Tokens(tokens.ids[lo:hi], tokens.offsets[lo:hi] - start)


def join_tokens(parts: Sequence[Tokens], starts: Sequence[int]) -> Tokens:
    """The tokens of a text made of the parts' texts, part ``i`` at character ``starts[i]`` and only
    whitespace between them (a chunk: sentences joined by newlines)."""
    if not parts:
        return Tokens(np.zeros(0, np.int64), np.zeros((0, 2), np.int64))
    return Tokens(
        np.concatenate([p.ids for p in parts]),
        np.concatenate([p.offsets + s for p, s in zip(parts, starts)]),
    )
