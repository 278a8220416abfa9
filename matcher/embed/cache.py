"""A bounded, thread-safe cache of text vectors, for backends that encode every text on its own.

Job titles repeat across resumes ("Software Engineer", "Project Manager"), and each costs a whole
encoder run of its own (~1.3 ms of fixed cost for two or three tokens). A backend with
``per_text = True`` gives a text the same vector whatever it is encoded with, so a kept vector is the
bits a fresh run would give, and a title seen before costs no run at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["VectorCache", "TITLE_CACHE_SIZE"]

TITLE_CACHE_SIZE = 4096  # titles kept per embedder: 384 float32 each, ~1.6 KB, so ~6 MB at most


class VectorCache:
    """The vectors of the ``size`` texts used most recently, keyed by the exact text.

    Kept vectors are read-only copies (never views of a larger batch, which they would keep alive).
    Safe to share between threads: the web server's requests and the batch engine's encode thread.
    """

    def __init__(self, size: int = TITLE_CACHE_SIZE) -> None:
        if size < 1:
            raise ValueError(f"a vector cache needs room for at least 1 text, got size={size}")
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The kept vectors of those of ``texts`` seen before (each marked as just used)."""
        found = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Keep each ``(text, vector)``; the least recently used texts go beyond ``size``."""
        kept = []
        for text, vector in items:
            copy = np.array(vector, dtype=np.float32, copy=True)
            copy.flags.writeable = False
            kept.append((text, copy))
        with self._lock:
            for text, copy in kept:
                self._vectors[text] = copy
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
