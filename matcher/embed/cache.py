"""Bounded, thread-safe caches for what repeats across texts: job titles.

Job titles repeat across resumes ("Software Engineer", "Project Manager"), and each costs a whole
encoder run of its own (~1.3 ms of fixed cost for two or three tokens). A backend with
``per_text = True`` gives a text the same vector whatever it is encoded with, so a kept vector
(``VectorCache``) is the bits a fresh run would give, and a title seen before costs no run at all.

Then every text that names a title compares it with ~10,000 reference titles (15 MB read, and
reductions over them per role and occupation). ``SharedMemo`` keeps those results keyed by the exact
bytes of the title vectors they were computed from: the same inputs to the same computation, so the
same bits, whichever text asks.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np

__all__ = ["VectorCache", "SharedMemo", "TITLE_CACHE_SIZE", "TITLE_MEMO_BYTES"]

TITLE_CACHE_SIZE = 4096  # titles kept per embedder: 384 float32 each, ~1.6 KB, so ~6 MB at most
TITLE_MEMO_BYTES = 32 * 2**20  # title products kept per process: ~45 KB per title, so ~700 titles


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


class SharedMemo:
    """Arrays computed from ``key`` and one ``source`` object (an index, or one of its arrays), kept
    read-only for whoever asks with the same key and the very same source, within ``max_bytes``.

    The source is held weakly and compared by identity (as ``EncodedText.remembered`` does): a result
    computed against another index is never returned, and a kept result never keeps an index alive.
    """

    def __init__(self, max_bytes: int = TITLE_MEMO_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Callable[[], object], np.ndarray, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes held: the kept arrays and their keys."""
        return self._bytes

    def get(
        self, key: Hashable, source: object, compute: Callable[[], np.ndarray], size: int = 0
    ) -> np.ndarray:
        """The kept result for ``key`` and ``source``, or ``compute()`` (then kept); ``size``: the
        key's own bytes, counted against the bound."""
        with self._lock:
            kept = self._items.get(key)
            if kept is not None and kept[0]() is source:
                self._items.move_to_end(key)
                return kept[1]
        value = compute()
        value.flags.writeable = False
        cost = value.nbytes + size
        if cost > self.max_bytes:
            return value
        ref = weakref.ref(source) if source is not None else _none
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._items[key] = (ref, value, cost)
            self._bytes += cost
            while self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][2]
        return value


def _none() -> None:
    return None
