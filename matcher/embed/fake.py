"""A deterministic, model-free embedder for fast tests: hashed word unigrams and bigrams."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """Bag of hashed words and bigrams, L2-normalised. Same text → same vector, on every machine."""

    name = "fake-hash-embedder"
    version = "1"

    def __init__(self, dim: int = 384, max_tokens: int = 254) -> None:
        self.dim = dim
        self.max_tokens = max_tokens

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _bucket(self, feature: str) -> tuple[int, float]:
        h = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        return int.from_bytes(h[:4], "little") % self.dim, 1.0 if h[4] & 1 else -1.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:])]:
                col, sign = self._bucket(feature)
                out[row, col] += sign
            if not words:
                out[row, 0] = 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
