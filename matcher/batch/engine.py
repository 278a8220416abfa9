"""``run_batch``: read in chunks, score (in this process, a process pool or on Dask), write in order.

The driver alone reads, flags duplicate ids, writes and resumes, so every engine gives the same
rows in the same order; the engines only differ in where ``score_chunk`` runs.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, TypeVar

from ..errors import RolematchError
from ..results import UNCALIBRATED as UNCALIBRATED_NOTE
from .files import open_input
from .frame import (
    CHUNK_ROWS,
    BatchSpec,
    Chunk,
    DuplicateTracker,
    encode_chunk,
    finish_chunk,
    keep_names,
    plural,
    score_chunk,
)
from .worker import MatcherSource, score_chunk_task, warm_up
from .writers import (
    STDOUT,
    BatchOutputError,
    Existing,
    check_writable,
    open_writer,
    output_format,
    scan_existing,
)

logger = logging.getLogger(__name__)
ENGINES = ("local", "dask")
T = TypeVar("T")


@dataclass
class BatchSummary:
    """What a run did: rows scored ok / with errors, rows found from an earlier run, wall time."""

    output: Path
    rows_ok: int = 0
    rows_error: int = 0
    rows_resumed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)  # how the input was read (delimiter, id column)
    uncalibrated: str | None = None  # the note when the catalog has no labelled examples

    @property
    def rows(self) -> int:
        return self.rows_ok + self.rows_error

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The end-of-run line: rows ok and with errors, rows already there, time and speed, the output."""
        n = self.rows_resumed
        resumed = f"; {plural(n, 'row')} {'was' if n == 1 else 'were'} already there" if n else ""
        return (
            f"{plural(self.rows_ok, 'row')} ok, {self.rows_error:,} with errors{resumed} in {self.seconds:.1f} s "
            f"({_rate(self.rows_per_second)} rows/s) → "
            f"{'standard output' if str(self.output) == STDOUT else self.output}"
        )


def _rate(per_second: float) -> str:
    """Rows per second to show: one decimal below 10 (a slow run of 2 rows is not "0 rows/s")."""
    return f"{per_second:.1f}" if per_second < 10 else f"{per_second:,.0f}"


class BatchInterrupted(RolematchError):
    """The run was stopped (Ctrl+C); the rows written so far are whole, ``--resume`` continues."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__(
            f"interrupted after {plural(summary.rows + summary.rows_resumed, 'row')}; "
            "run the same command with --resume to continue"
        )
        self.summary = summary


# ------------------------------------------------------------------------------------------ engines


def ordered(submit: Callable[[T], Any], items: Iterator[T], window: int) -> Iterator[tuple[T, Any]]:
    """Submit items (chunks) as futures, at most ``window`` in flight; yield ``(item, result)`` in input
    order. If reading fails, the items read before are still yielded, then the error is raised."""
    pending: deque = deque()
    reader = iter(items)
    while True:
        try:
            item = next(reader, None)
        except Exception:
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
            raise
        if item is None:
            break
        pending.append((item, submit(item)))
        if len(pending) >= window:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


PIECE_ROWS = 64  # rows encoded, then ranked, at a time by the in-process pipeline
ENCODE_THREADS = 2  # pieces prepared and encoded at once (their encoder runs share the embedder's pool)
IN_FLIGHT = 4  # pieces submitted ahead of the one being ranked


def pieces(chunks: Iterator[Chunk], rows: int) -> Iterator[tuple[Chunk, Chunk, bool]]:
    """``(chunk, piece, last)``: each chunk cut into pieces of at most ``rows`` rows, in order; ``last``
    marks a chunk's final piece. A chunk is cut whole before the next one is read."""
    for chunk in chunks:
        starts = range(0, len(chunk), rows) or [0]
        for start in starts:
            yield chunk, chunk.part(start, start + rows), start == starts[-1]


class InProcess:
    """Scores in this process. With a backend that encodes each text on its own (ONNX), chunks go through
    a pipeline in pieces of ``PIECE_ROWS`` rows: while one piece is ranked, the next ones are prepared
    (validation, redaction, tokens, titles) and encoded in ``ENCODE_THREADS`` threads, so the encoder,
    which releases the GIL, always has work queued and the cores never wait for the Python parts; small
    pieces keep the start (the first text steps) and the end (the last ranking) short, when only one
    core has work. A row's output does not depend on the rows it is scored with, so the pieces give the
    bytes whole chunks give; results are put back together per chunk for the writer. Torch already uses
    every core for the MiniLM encoder; overlapping it with ranking was measured slower there (the
    Python parts contend for the GIL)."""

    def __init__(self, source: MatcherSource, matcher: Any = None) -> None:
        self.matcher = matcher or source.load()

    def map(self, chunks: Iterator[Chunk], spec: BatchSpec) -> Iterator[tuple[Chunk, list[dict[str, Any]]]]:
        if not getattr(self.matcher.embedder, "per_text", False):
            for chunk in chunks:
                yield chunk, score_chunk(self.matcher, chunk, spec)
            return
        pool = ThreadPoolExecutor(ENCODE_THREADS, thread_name_prefix="rolematch-encode")
        records: list[dict[str, Any]] = []
        try:
            work = ordered(
                lambda item: pool.submit(encode_chunk, self.matcher, item[1]),
                pieces(chunks, PIECE_ROWS),
                IN_FLIGHT,
            )
            for (chunk, _, last), encoded in work:
                records += finish_chunk(self.matcher, encoded, spec)
                if last:
                    yield chunk, records
                    records = []
        finally:  # on Ctrl+C or an error: drop the queued encodes, let the running ones end before exit
            pool.shutdown(cancel_futures=True)  # (left running, they would log errors once Python shuts down)

    def close(self) -> None:
        pass


class ProcessPool:
    """Scores in ``workers`` local processes, one model and ``threads`` torch threads each."""

    def __init__(self, source: MatcherSource, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        self.source = source
        self.workers = workers
        context = multiprocessing.get_context("spawn")  # no forked torch state
        self.pool = ProcessPoolExecutor(workers, mp_context=context)
        try:
            for future in [self.pool.submit(warm_up, source) for _ in range(workers)]:
                future.result()
        except BrokenProcessPool as exc:
            self.pool.shutdown(cancel_futures=True)
            raise RolematchError(
                "the scoring processes could not start; when calling run_batch from a script, run it under "
                "`if __name__ == '__main__':` (processes are spawned and import the script)"
            ) from exc
        except BaseException:
            self.pool.shutdown(cancel_futures=True)
            raise

    def map(self, chunks: Iterator[Chunk], spec: BatchSpec) -> Iterator[tuple[Chunk, list[dict[str, Any]]]]:
        return ordered(
            lambda c: self.pool.submit(score_chunk_task, c, spec, self.source), chunks, 2 * self.workers
        )

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def default_workers(engine: str, backend: str, source: str) -> int:
    """Scoring processes when none are asked for: 2 for a local Dask cluster; 1 for MiniLM (torch already
    uses every core); for the static model, whose per-row work is single-threaded Python, one per core
    (at most 4) when the input is over 1 MB, where the start-up of the processes pays off."""
    if engine == "dask":
        return 2
    if backend != "static" or source == "-" or not Path(source).is_file():
        return 1
    return max(1, min(4, os.cpu_count() or 1)) if Path(source).stat().st_size > 2**20 else 1


def make_engine(
    engine: str,
    source: MatcherSource,
    workers: int = 1,
    scheduler: str | None = None,
    matcher: Any = None,
    client: Any = None,
):
    """The scorer for ``engine`` (``local`` or ``dask``); each has ``map(chunks, spec)`` and ``close()``."""
    if engine == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(source, scheduler=scheduler, workers=workers, client=client)
    if engine != "local":
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if scheduler:
        raise ValueError("--scheduler needs --engine dask")
    if workers > 1:
        return ProcessPool(replace(source, threads=1), workers)
    return InProcess(source, matcher)


# ------------------------------------------------------------------------------------------ run


def run_batch(
    input_path: str,
    output: str | Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    top: int = 3,
    quotes: int | None = None,
    include_text: bool = False,
    backend: str = "minilm",
    models_dir: str | Path | None = None,
    corpus_dir: str | Path | None = None,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = False,
    stdin: IO[bytes] | None = None,
    matcher: Any = None,
    client: Any = None,
    recursive: bool = False,
    glob: str | None = None,
    keep_columns: Sequence[str] = (),
    keep_all: bool = False,
    delimiter: str | None = None,
    sheet: str | None = None,
    bom: bool = True,
    stdout_format: str | None = None,
) -> BatchSummary:
    """Score every row of ``input_path`` (CSV, JSONL, Parquet, .xlsx or ``-``) into ``output``, in input order;
    a folder or ``.zip`` of resume files gives one row per file (``recursive``, ``glob``: which files).

    Checks the input, the output and the model before any scoring; ``resume`` continues an earlier
    run's output (same model version and columns) without writing a row twice. ``quotes``: per role
    (default 3 for JSONL, else 1). ``keep_columns``/``keep_all``: input columns carried through;
    ``delimiter``: the CSV delimiter (default: sniffed); ``sheet``: the .xlsx sheet (default: the
    first); ``bom``: start a CSV output with a UTF-8 byte-order mark (for Excel); ``output`` ``-``: standard
    output, as CSV or ``stdout_format="jsonl"``.
    Raises ``RolematchError`` subclasses with the fix in the message.
    """
    started = time.perf_counter()
    output = Path(output)
    fmt = output_format(output, stdout_format)
    to_stdout = str(output) == STDOUT
    if to_stdout:
        if resume:
            raise BatchOutputError("--resume continues an output file; standard output (-o -) has none")
        bom = False  # a pipe's reader wants the first column's name, not a byte-order mark
    elif input_path != "-" and output.exists() and output.resolve() == Path(input_path).resolve():
        raise BatchOutputError(f"the output {output} is the input file; write the results to another file")
    table = open_input(
        input_path,
        text_column,
        id_column,
        chunk_rows,
        count=progress,
        stdin=stdin,
        recursive=recursive,
        glob=glob,
        exclude=None if to_stdout else output,
        delimiter=delimiter,
        sheet=sheet,
        keep=keep_columns,
        keep_every=keep_all,
    )
    if not to_stdout and output.exists() and output.stat().st_size and not (resume or overwrite):
        raise BatchOutputError(
            f"{output} already exists; continue it with --resume or replace it with --overwrite"
        )
    check_writable(output)
    source = _source(backend, models_dir, corpus_dir, matcher)
    nested = fmt == "jsonl"
    spec = BatchSpec(
        text_column,
        table.id_column,
        min(top, source_roles(source, matcher)),
        (3 if nested else 1) if quotes is None else quotes,
        include_text,
        nested,
        calibrated=source_calibrated(source, matcher),
    )
    spec = replace(spec, keep=keep_names(table.columns, table.keep, spec.columns()))
    existing = scan_existing(output, fmt, spec, source.model_version) if resume else Existing()
    duplicates = DuplicateTracker()
    chunks = _resume_point(table.chunks, existing, duplicates, spec, table.name)
    summary = BatchSummary(
        output,
        rows_resumed=existing.rows,
        notes=list(table.notes),
        uncalibrated=None if spec.calibrated else UNCALIBRATED_NOTE,
    )
    from tqdm.auto import tqdm

    scorer = make_engine(engine, source, workers, scheduler, matcher, client)
    try:
        about = _about(spec, source, input_path, matcher) if fmt == "xlsx" else None
        writer = open_writer(output, fmt, spec, append=existing.has_header, about=about, bom=bom)
    except BaseException:
        scorer.close()
        raise
    bar = tqdm(
        total=table.total,
        initial=existing.rows,
        unit="rows",
        desc="Scoring",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
    complete = False
    scored = scorer.map(chunks, spec)
    try:
        for chunk, records in scored:
            if spec.id_column:
                duplicates.flag(records, chunk.rows, spec.key)
            writer.write(records)
            errors = sum(r["status"] == "error" for r in records)
            summary.rows_error += errors
            summary.rows_ok += len(records) - errors
            bar.update(len(records))
        complete = True
    except KeyboardInterrupt:
        summary.interrupted = True
        raise BatchInterrupted(summary) from None
    finally:
        getattr(scored, "close", lambda: None)()  # a generator: closed now, not by the garbage collector
        bar.close()
        writer.close(complete)
        scorer.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _about(spec: BatchSpec, source: MatcherSource, input_path: str, matcher: Any) -> list[list[Any]]:
    """The "about" sheet of an .xlsx output: model, catalog, settings, what the columns mean."""
    from .xlsx import about_rows

    settings = {
        "command": "rolematch batch",
        "input": input_path,
        "model version": source.model_version,
        "backend": source.backend,
        "text column": spec.text_column,
        "id column": spec.id_column or "(row numbers)",
        "roles per row": spec.top,
        "kept columns": list(spec.keep) or "(none)",
        "confidence": "calibrated on labelled examples" if spec.calibrated else UNCALIBRATED_NOTE,
    }
    return about_rows(settings, catalog_of(source, matcher))


def catalog_of(source: MatcherSource, matcher: Any = None) -> list[tuple[str, str]]:
    """``(role id, title)`` of the catalog the run uses."""
    if matcher is not None:
        return [(r.id, r.title) for r in matcher.corpus.roles]
    from ..config import default_corpus_dir
    from ..corpus import load_corpus

    corpus = load_corpus(Path(source.corpus_dir) if source.corpus_dir else default_corpus_dir())
    return [(r.id, r.title) for r in corpus.roles]


def _source(backend: str, models_dir: Any, corpus_dir: Any, matcher: Any) -> MatcherSource:
    """What workers load, with the model version read from the manifest (no model load here)."""
    from .. import persist
    from ..config import default_models_dir

    if matcher is not None:
        version = matcher.model_version
        models_dir = models_dir or matcher.models_dir
        corpus_dir = corpus_dir or matcher.corpus_dir
    else:
        rebuild = "rolematch build" if backend == "minilm" else f"rolematch build --backend {backend}"
        folder = Path(models_dir) if models_dir else default_models_dir(backend)
        version = persist.model_version(persist.read_manifest(folder, rebuild))
    return MatcherSource(
        backend,
        None if models_dir is None else str(models_dir),
        None if corpus_dir is None else str(corpus_dir),
        version,
    )


def source_calibrated(source: MatcherSource, matcher: Any = None) -> bool:
    """True when the artifacts hold a trained (calibrated) ranker: the catalog had labelled examples."""
    if matcher is not None:
        return bool(matcher.calibrated)
    from .. import persist
    from ..config import default_models_dir
    from ..fused import CLASSIFIER_FILE

    folder = Path(source.models_dir) if source.models_dir else default_models_dir(source.backend)
    return CLASSIFIER_FILE in persist.read_manifest(folder).get("files", {})


def source_roles(source: MatcherSource, matcher: Any = None) -> int:
    """Number of roles in the catalog of the artifacts."""
    if matcher is not None:
        return len(matcher.corpus.roles)
    from .. import persist
    from ..config import default_models_dir

    folder = Path(source.models_dir) if source.models_dir else default_models_dir(source.backend)
    return len(persist.read_manifest(folder).get("roles", [])) or 1


def _resume_point(
    chunks: Iterator[Chunk], existing: Existing, duplicates: DuplicateTracker, spec: BatchSpec, name: str
) -> Iterator[Chunk]:
    """Read past the rows an earlier run wrote (noting their ids for duplicate checks), check that the
    output continues this input, and return the chunks still to score."""
    left = existing.rows
    rest: list[Chunk] = []
    while left > 0:
        chunk = next(chunks, None)
        if chunk is None:
            raise BatchOutputError(
                f"the output has {existing.rows:,} rows but {name} has only "
                f"{existing.rows - left:,}; resume with the same input, or use --overwrite"
            )
        take = min(left, len(chunk))
        if chunk.ids is not None:
            for key, row in zip(chunk.ids[:take], chunk.rows[:take]):
                duplicates.note(key, row)
        left -= take
        if left == 0:
            last = chunk.ids[take - 1] if chunk.ids is not None else str(chunk.rows[take - 1])
            if existing.last_key is not None and str(last) != existing.last_key:
                raise BatchOutputError(
                    f"the output does not continue {name}: its row {existing.rows:,} is "
                    f"{existing.last_key!r}, the input's is {last!r}; resume with the same input, "
                    "or use --overwrite"
                )
        if take < len(chunk):
            rest.append(chunk.part(take))
    return itertools.chain(rest, chunks)
