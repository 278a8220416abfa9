"""Scoring in worker processes (a local process pool or Dask workers): one model load per process.

Tasks carry a small ``MatcherSource`` (backend and folders), never the model; the first task in a
process loads the matcher and caches it, so every later chunk reuses it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..errors import ArtifactError
from .frame import BatchSpec, Chunk, score_chunk

if TYPE_CHECKING:
    from ..matcher import RoleMatcher

logger = logging.getLogger(__name__)
_loads = {"count": 0}


@dataclass(frozen=True)
class MatcherSource:
    """How a worker loads the matcher: ``RoleMatcher.load(models_dir, corpus_dir, backend)``.

    ``model_version``: what the driver expects; a worker whose artifacts differ refuses to score.
    ``threads``: torch threads per process (``None``: torch's default).
    """

    backend: str = "minilm"
    models_dir: str | None = None
    corpus_dir: str | None = None
    model_version: str | None = None
    threads: int | None = None

    def load(self) -> RoleMatcher:
        """The matcher of this process (loaded on first use, then cached)."""
        return _load(self)


@lru_cache(maxsize=4)
def _load(source: MatcherSource) -> RoleMatcher:
    from ..matcher import RoleMatcher

    if source.threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(source.threads))
        if source.backend == "minilm":
            import torch

            torch.set_num_threads(source.threads)
    matcher = RoleMatcher.load(
        models_dir=source.models_dir, corpus_dir=source.corpus_dir, backend=source.backend
    )
    if source.model_version and matcher.model_version != source.model_version:
        raise ArtifactError(
            f"this worker (pid {os.getpid()}) has model version {matcher.model_version}, the batch expects "
            f"{source.model_version}: install the same rolematch and models/ on every worker"
        )
    _loads["count"] += 1
    logger.info("Batch - worker %d loaded model %s", os.getpid(), matcher.model_version)
    return matcher


def load_count() -> int:
    """How many matchers this process has loaded (1 per worker is the goal)."""
    return _loads["count"]


def warm_up(source: MatcherSource) -> str:
    """Load the matcher in this process; returns its model version."""
    return source.load().model_version


def score_chunk_task(chunk: Chunk, spec: BatchSpec, source: MatcherSource) -> list[dict[str, Any]]:
    """The task a worker runs: score one chunk with this process's matcher."""
    return score_chunk(source.load(), chunk, spec)
