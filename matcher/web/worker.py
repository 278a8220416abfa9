"""One worker thread for all model work, with a deadline per call.

The embedder (torch) is not safe to call from several threads at once, so every match and
batch runs on a single-thread executor; requests queue in arrival order. A call that misses its
deadline answers ``WorkTimeout``; if it had not started yet it is cancelled and never runs.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import RolematchError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class WorkTimeout(Exception):
    """The work did not finish within the deadline."""


class WorkFailed(Exception):
    """The work raised an unexpected error (logged by type and stack only: its message may quote input)."""


class ModelWorker:
    """Run model calls one at a time on a dedicated thread; ``await worker.run(fn, timeout_s)``."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rolematch-model")
        return self._executor

    async def run(self, fn: Callable[[], T], timeout_s: float) -> T:
        """Run ``fn()`` on the model thread; raise ``WorkTimeout`` after ``timeout_s`` seconds."""
        future = asyncio.get_running_loop().run_in_executor(self._pool(), fn)
        try:
            return await asyncio.wait_for(future, timeout_s)
        except asyncio.TimeoutError as exc:
            logger.warning("Serve - a model call ran past its %.0f s deadline", timeout_s)
            raise WorkTimeout(f"the request took longer than {timeout_s:g} s") from exc
        except RolematchError:
            raise
        except Exception as exc:
            stack = "".join(traceback.format_tb(exc.__traceback__))
            logger.error("Serve - a model call failed with %s\n%s", type(exc).__name__, stack)
            raise WorkFailed(type(exc).__name__) from None

    def close(self) -> None:
        """Stop accepting work; queued calls are dropped, a running one finishes."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
