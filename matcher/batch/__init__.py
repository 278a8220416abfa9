"""Batch scoring: a table of texts in, one ranked row per input row out (CSV, JSONL, Parquet, Dask).

``score_frame`` scores a pandas DataFrame; ``run_batch`` streams a file through a local or Dask
engine in chunks. Heavy libraries (pandas, dask, pyarrow) are imported only when used.
"""

from __future__ import annotations

from .engine import BatchInterrupted, BatchSummary, run_batch
from .frame import BatchSpec, Chunk, score_chunk, score_frame
from .readers import BatchInputError, ColumnError
from .writers import BatchOutputError

__all__ = [
    "score_frame",
    "run_batch",
    "score_chunk",
    "BatchSpec",
    "BatchSummary",
    "Chunk",
    "BatchInputError",
    "BatchOutputError",
    "BatchInterrupted",
    "ColumnError",
]
