"""The Dask engine: the same ``score_chunk`` on the workers of a Dask cluster.

The driver reads the input in partitions of ``chunk_rows`` rows and submits each to the cluster
(at most two per worker thread in flight, so memory stays bounded); each worker loads the model
once (``worker.MatcherSource.load`` is cached per process) and returns the partition's output
records, which the driver writes in input order. Without a scheduler address a ``LocalCluster``
of 2 single-threaded worker processes is started.

On a real cluster every worker needs ``pip install 'rolematch[dask]'`` and the same ``models/``
(``ROLEMATCH_HOME`` or the package's own folder); a worker with other artifacts refuses to score.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from ..errors import RolematchError
from .frame import BatchSpec, Chunk
from .worker import MatcherSource, load_count, score_chunk_task, warm_up

logger = logging.getLogger(__name__)
LOCAL_WORKERS = 2
INSTALL = "pip install 'rolematch[dask]'"


class DaskUnavailableError(RolematchError):
    """Dask (or its distributed scheduler) is not installed."""


def _distributed():
    try:
        import dask.distributed as distributed
    except ImportError as exc:
        raise DaskUnavailableError(
            f"--engine dask needs Dask and its distributed scheduler ({exc.name} is missing): {INSTALL}"
        ) from exc
    # Dask sets its own loggers to INFO: its cluster chatter shows only at -vv (our DEBUG)
    chatter = logging.getLogger("distributed")
    ours = logging.getLogger().getEffectiveLevel()
    chatter.setLevel(logging.INFO if ours <= logging.DEBUG else max(logging.WARNING, ours))
    return distributed


class DaskEngine:
    """Scores partitions on a Dask cluster: ``scheduler`` (``tcp://host:8786``), an existing ``client``,
    or a new ``LocalCluster`` of ``workers`` processes with one thread each."""

    def __init__(
        self,
        source: MatcherSource,
        scheduler: str | None = None,
        workers: int = LOCAL_WORKERS,
        client: Any = None,
    ) -> None:
        distributed = _distributed()
        self.source = source
        self._own_client = client is None
        self._cluster = None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout="30s")
            except OSError as exc:
                raise RolematchError(
                    f"cannot reach the Dask scheduler at {scheduler} ({exc}); is it running?"
                ) from exc
        else:
            n = workers if workers > 1 else LOCAL_WORKERS
            self._cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: never clashes with another cluster
                silence_logs=logging.WARNING,
            )
            self.client = distributed.Client(self._cluster)
        self.slots = max(1, sum(self.client.nthreads().values()))
        logger.info("Batch - Dask cluster with %d worker threads", self.slots)
        self._check_workers()

    def _check_workers(self) -> None:
        """Load the model on every worker now, so a broken worker fails before any row is scored."""
        try:
            versions = self.client.run(warm_up, self.source)
        except RolematchError:
            self.close()
            raise
        logger.info("Batch - workers loaded model %s", sorted(set(versions.values())))

    def map(self, chunks: Iterator[Chunk], spec: BatchSpec) -> Iterator[tuple[Chunk, list[dict[str, Any]]]]:
        from .engine import ordered

        def submit(chunk: Chunk):
            return self.client.submit(score_chunk_task, chunk, spec, self.source, pure=False)

        return ordered(submit, chunks, 2 * self.slots)

    def loads_per_worker(self) -> dict[str, int]:
        """How many times each worker loaded a matcher (1 each once warmed up)."""
        return self.client.run(load_count)

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
