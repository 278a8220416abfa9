"""Thread settings for the small numpy work between encoder passes.

After a torch forward pass its OpenMP threads keep spinning for a while; BLAS threads started for the
tiny ranking matrices then fight them for the cores (measured: a 600-word resume took 198 ms to match
instead of 148 ms). Ranking therefore runs with single-threaded BLAS.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # inspecting the loaded libraries is the slow part: do it once


def single_threaded_blas() -> AbstractContextManager:
    """A context in which numpy's BLAS uses one thread (restored on exit)."""
    return _controller().limit(limits=1, user_api="blas")
