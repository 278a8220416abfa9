"""Chunked readers for batch input: CSV (a file or ``-`` for stdin), JSONL, Parquet and .xlsx.

The CSV delimiter (comma, semicolon, tab, pipe) is sniffed from the first 64 KB unless given; quoted
newlines stay inside their cell. ``Table.notes`` says how the input was read (the delimiter, a column
that looks like ids but is not used) for the run's summary.

Readers never drop a row: a row they cannot use (ragged, unparsable, not JSON, empty) still comes out,
with a ``problem`` that becomes its error, and rows keep their number in the file: an empty row (a blank
line, a sheet row with no value) between the header and the last row is an error row; empty rows after the
last row are not rows (a sheet's formatted but unused rows, a file's trailing blank lines). Bytes that are
not UTF-8 are decoded (cp1252, else latin-1) with a warning. Whole-file problems (missing, empty, header
only, binary, a missing column, a resume given as a table) raise ``BatchInputError`` before any work,
naming what was expected and the fix; a message lists a few column names, each cut short, and none of a
header that reads like text: they would be a person's own words.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import RolematchError
from ..read.detect import SUFFIX_FORMATS
from . import columns as columns_mod
from . import dialect, streams
from .frame import CHUNK_ROWS, Chunk, plural, resolve_id_column
from .xlsx import UNSAVED, _Workbook, unsaved_formula

if TYPE_CHECKING:  # pandas only when a DataFrame is read
    import pandas as pd

#: One CSV field may hold up to 64 MB (a text over 200,000 characters becomes an error row).
FIELD_LIMIT = 64 << 20
INPUT_FORMATS = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".xlsx")
#: Names of one resume (``rolematch match --file`` reads them), not of a table: the file formats
#: ``read`` knows but a .zip (a folder of resumes, which batch reads).
RESUME_SUFFIXES = tuple(suffix for suffix, kind in SUFFIX_FORMATS.items() if kind != "zip")
#: The problem of an empty row between the header and the last row of a table (a blank CSV line, a sheet
#: row with no value). JSONL has no empty rows: a blank line there is no record.
EMPTY_ROW = "the row is empty (no cell holds a value); fill it in or delete the row"
FORMULA_ROW = (  # an .xlsx row whose only cells are formulas with no saved value
    "the row holds only formulas and the file has no saved value for them (it was written by a program that "
    "does not calculate formulas); open the file in Excel or LibreOffice and save it, or replace the formulas "
    "by their values"
)
HELD_BACK = (EMPTY_ROW, FORMULA_ROW)  # rows that are rows only when a row with a value follows them


class BatchInputError(RolematchError, ValueError):
    """The input cannot be read as a table of texts (missing, empty, binary, a column missing)."""


class ColumnError(BatchInputError, KeyError):
    """A column named by an option is not in the input."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NotATableError(ColumnError):
    """The input has no header row of column names: its first line reads like text (a resume given as a
    table). The message names no column: they would be the person's own words."""


@dataclass
class Table:
    """An open input: its ``columns``, the resolved ``id_column``, the row count if known, and its chunks.

    ``keep``: the input columns carried into each chunk's ``kept``; ``notes``: how the input was read.
    """

    name: str
    columns: list[str]
    id_column: str | None
    total: int | None
    chunks: Iterator[Chunk]
    keep: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_columns(
    columns: Sequence[str], text_column: str, id_column: str | None, name: str, delimiter: str | None = None
) -> None:
    """Raise ``ColumnError`` naming the columns that exist (and the closest one) if one is missing."""
    for column, option in ((text_column, "--text-column"), (id_column, "--id-column")):
        if column is not None and column not in columns:
            raise ColumnError(columns_mod.missing_column(columns, column, option, name, delimiter))


def check_keep(columns: Sequence[str], keep: Sequence[str], name: str) -> list[str]:
    """The columns to carry through (``--keep-columns``), checked; raises ``ColumnError`` for a missing one."""
    for column in keep:
        if column not in columns:
            raise ColumnError(columns_mod.missing_column(columns, column, "--keep-columns", name))
    return list(dict.fromkeys(keep))


def not_a_table(name: str) -> str:
    """Why a text whose first line reads like prose cannot be read as a table, and what to give instead
    (``name``: the file, or ``stdin``)."""
    one = "rolematch match -" if name == "stdin" else f"rolematch match --file {name}"
    return (
        f"{name} is not a table with a header row: its first line reads like text, not column names. "
        f"To match one resume use `{one}`; to score many, give a table whose first row names the columns "
        f"({', '.join(INPUT_FORMATS)}; e.g. id,text, with --text-column naming the text) "
        "or a folder or .zip of resume files"
    )


def input_format(path: str) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name (``-`` is CSV on stdin); a resume's name
    (.txt, .pdf, ...) raises ``BatchInputError`` saying how to match it."""
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix in RESUME_SUFFIXES:
        renamed = "; a table saved as .txt: rename it .csv" if suffix in (".txt", ".text") else ""
        raise BatchInputError(
            f"{path} is one resume, not a table: match it with `rolematch match --file {path}`; to score "
            f"many, give a table with a header row ({', '.join(INPUT_FORMATS)}) or a folder or .zip of "
            f"resume files{renamed}"
        )
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xls", ".xlsm", ".ods", ".numbers"):
        raise BatchInputError(f"cannot read {suffix} files; save {path!r} as .xlsx or .csv")
    raise BatchInputError(
        f"cannot tell the format of {path!r}: name it {', '.join(INPUT_FORMATS)}, or pipe CSV to '-'"
    )


def open_table(
    path: str,
    text_column: str,
    id_column: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    count: bool = False,
    stdin: IO[bytes] | None = None,
    *,
    delimiter: str | None = None,
    sheet: str | None = None,
    keep: Sequence[str] = (),
    keep_every: bool = False,
) -> Table:
    """Open ``path`` (or ``-``: CSV on stdin) and check it; chunks of ``chunk_rows`` rows come lazily.

    ``count``: count the rows first (one quick pass) so a progress bar can show an ETA.
    ``delimiter``: the CSV delimiter (default: sniffed); ``sheet``: the .xlsx sheet (default: the first);
    ``keep``: input columns to carry into ``Chunk.kept`` (``keep_every``: all but the text and the id).
    """
    fmt = input_format(path)
    asked_id = id_column
    if path != "-":
        file = Path(path)
        if not file.exists():
            raise BatchInputError(f"input file {path} does not exist")
        if file.is_dir():
            raise BatchInputError(f"{path} is a folder; give a {', '.join(INPUT_FORMATS)} file")
    if sheet is not None and fmt != "xlsx":
        raise BatchInputError(f"--sheet is for .xlsx input; {path} is {fmt.upper()}")
    if fmt == "parquet":
        table = _open_parquet(Path(path), text_column, id_column, chunk_rows, keep, keep_every)
        return _with_id_note(table, text_column, asked_id)
    name = "stdin" if path == "-" else path
    notes: list[str] = []
    workbook = None
    if fmt == "xlsx":
        workbook = _Workbook(
            Path(path), sheet, error=BatchInputError, empty_row=EMPTY_ROW, formula_row=FORMULA_ROW
        )
        columns, rows = workbook.columns, workbook.rows()
        notes.append(f"read sheet {workbook.sheet!r}")
        binary = None
    else:
        binary = (stdin or sys.stdin.buffer) if path == "-" else open(path, "rb")  # noqa: SIM115 - closed by the chunks
    try:
        if fmt == "csv":
            binary, delimiter = streams.csv_delimiter(binary, path, delimiter)
            notes.append(f"columns {dialect.describe_delimiter(delimiter)}")
        total = _count_rows(Path(path), fmt, delimiter) if count and path != "-" and fmt != "xlsx" else None
        if fmt == "jsonl":
            columns, rows = _jsonl_rows(binary, name, text_column, owned=path != "-")
        elif fmt == "csv":
            columns, rows = _csv_rows(binary, name, delimiter, owned=path != "-")
        id_column = resolve_id_column(columns, id_column)
        if fmt == "csv" and text_column not in columns and dialect.reads_like_text(columns):
            raise NotATableError(not_a_table(name))
        where = name if workbook is None else f"sheet {workbook.sheet!r} of {name}"
        try:
            check_columns(columns, text_column, id_column, where, delimiter)
            kept = (
                columns_mod.keep_all(columns, text_column, id_column)
                if keep_every
                else check_keep(columns, keep, where)
            )
        except ColumnError as exc:
            if workbook is None:
                raise
            raise ColumnError(f"{exc}{workbook.sheet_hint(text_column, asked_id)}") from None
        chunks = _chunks(_until_last_row(rows), columns, text_column, id_column, chunk_rows, kept)
        first = next(chunks, None)
    except BaseException:
        if binary is not None and path != "-":
            binary.close()
        if workbook is not None:
            workbook.close()
        raise
    if first is None:
        raise BatchInputError(f"{name} has a header but no data rows; nothing to score")
    table = Table(name, columns, id_column, total, itertools.chain([first], chunks), kept, notes)
    return _with_id_note(table, text_column, asked_id)


def frame_table(
    frame: pd.DataFrame, text_column: str = "text", id_column: str | None = None, keep: Sequence[str] = ()
) -> Table:
    """A DataFrame as a ``Table`` (``score_frame``, ``rank_frame``): its columns checked (the id column
    resolved as for files), chunks of ``CHUNK_ROWS`` rows numbered from 1; missing ids become ``""``."""
    import pandas as pd

    columns = [str(c) for c in frame.columns]
    id_column = resolve_id_column(columns, id_column)
    check_columns(columns, text_column, id_column, "the DataFrame")
    kept = check_keep(columns, list(keep), "the DataFrame")
    texts = frame[text_column].tolist()
    ids = None if id_column is None else ["" if pd.isna(v) else str(v) for v in frame[id_column].tolist()]
    cells = frame[kept].values.tolist() if kept else None
    chunks = (
        Chunk(
            list(range(start + 1, min(start + CHUNK_ROWS, len(frame)) + 1)),
            texts[start : start + CHUNK_ROWS],
            None if ids is None else ids[start : start + CHUNK_ROWS],
            kept=None if cells is None else cells[start : start + CHUNK_ROWS],
        )
        for start in range(0, len(frame), CHUNK_ROWS)
    )
    return Table("the DataFrame", columns, id_column, len(frame), chunks, kept)


def _with_id_note(table: Table, text_column: str, asked: str | None) -> Table:
    note = columns_mod.id_note(table.columns, text_column, asked, table.id_column)
    if note:
        table.notes.append(note)
    return table


# ------------------------------------------------------------------------------------------ CSV


def _csv_rows(
    binary: IO[bytes], name: str, delimiter: str, owned: bool = True
) -> tuple[list[str], Iterator[tuple[list[str] | None, str]]]:
    """The header and an iterator of ``(fields or None, problem)``; a blank line is an ``EMPTY_ROW``
    (``_until_last_row`` keeps those before the last row); a line of empty fields (``,`` or ``""``) was
    written as a row, and is one."""
    csv.field_size_limit(FIELD_LIMIT)
    stream = streams.text_stream(binary)
    reader = csv.reader(streams.csv_lines(stream), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header == []:
            header = next(reader, None)
    except (csv.Error, UnicodeError) as exc:
        raise BatchInputError(f"{name} is not a readable CSV file ({exc}); save it as UTF-8 CSV") from exc
    if header is None or not any(h.strip() for h in header):
        raise BatchInputError(
            f"{name} is empty; expected a header row naming the columns (e.g. id,bio) and one row per person"
        )
    if any("\x00" in h or streams.has_surrogates(h) for h in header) or sum(len(h) for h in header) > 10_000:
        raise BatchInputError(
            f"{name} does not look like a CSV text file (its first line holds binary data); "
            "give a UTF-8 CSV with a header row"
        )

    def rows() -> Iterator[tuple[list[str] | None, str]]:
        try:
            while True:
                start = reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield None, _unparsable(exc, start, reader.line_num)
                    continue
                yield (fields, "") if fields else (None, EMPTY_ROW)
        finally:
            streams.release(stream, owned)

    return [h.strip() for h in header], rows()


def _unparsable(exc: csv.Error, start: int, end: int) -> str:
    """Why the CSV row on lines ``start``-``end`` could not be read, and the fix: a quote that opens a
    cell and never closes swallows every line after it into that cell."""
    lines = f"line {start}" if start == end else f"lines {start}-{end}"
    if "end of data" in str(exc):
        return (
            f"an unclosed quote: a quote in the row that starts on line {start} never closes, so {lines} "
            "(to the end of the file) were read as one row; not scored. Close the quote, or write a quote "
            'inside a cell as two ("")'
        )
    if start != end:
        return (
            f"the row could not be parsed ({exc}) on {lines}: a quoted cell ran over several lines, "
            f"so a quote opened on line {start} may be unclosed; not scored. Check the quotes (a quote "
            'inside a cell is written as two: "")'
        )
    return (
        f"the row could not be parsed ({exc}) on {lines}; not scored. Check the quotes (a quote inside a "
        'cell is written as two: "")'
    )


def _until_last_row(rows: Iterator[tuple[Any, str]]) -> Iterator[tuple[Any, str]]:
    """``rows`` up to the last one that is not empty: a run of empty rows (``EMPTY_ROW``, or ``FORMULA_ROW``:
    a template's formulas filled down past the data) is held back (as one shared string per row) until a
    later row shows it lies inside the table; after the last row it is dropped. Row numbers stay those of
    the file."""
    pending: list[str] = []
    seen = False
    try:
        for fields, problem in rows:
            if fields is None and problem in HELD_BACK:
                pending.append(problem)
                continue
            for held in pending:
                yield None, held
            pending, seen = [], True
            yield fields, problem
        if not seen and FORMULA_ROW in pending:  # a sheet written with formulas only: say so, not "no rows"
            raise BatchInputError(f"no row of the sheet has a value: {FORMULA_ROW.removeprefix('the row ')}")
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


# ------------------------------------------------------------------------------------------ JSONL


def _jsonl_rows(
    binary: IO[bytes], name: str, text_column: str, owned: bool = True
) -> tuple[list[str], Iterator[tuple[Any, str]]]:
    """The keys of the first record and an iterator of ``(record dict or None, problem)``."""
    stream = streams.text_stream(binary)
    lines = (line for line in stream if line.strip())
    first = next(lines, None)
    if first is None:
        raise BatchInputError(
            f'{name} is empty; expected one JSON object per line, e.g. {{"id": "c1", "{text_column}": "..."}}'
        )
    record, problem = _json_record(first)
    if record is None:
        raise BatchInputError(
            f"{name} does not start with a JSON object ({problem}); expected one object per line"
        )

    def rows() -> Iterator[tuple[Any, str]]:
        try:
            yield record, ""
            for line in lines:
                yield _json_record(line)
        finally:
            streams.release(stream, owned)

    return [str(k) for k in record], rows()


def _json_record(line: str) -> tuple[dict[str, Any] | None, str]:
    """A JSON object (strings may hold non-UTF-8 bytes as surrogates: ``_cells`` re-decodes them)."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        return None, f"the line is not valid JSON ({exc})"
    if not isinstance(value, dict):
        return None, f"the line holds a JSON {type(value).__name__}, not an object"
    return value, ""


# ------------------------------------------------------------------------------------------ chunks


def _chunks(
    rows: Iterator[tuple[Any, str]],
    columns: list[str],
    text_column: str,
    id_column: str | None,
    chunk_rows: int,
    keep: Sequence[str] = (),
) -> Iterator[Chunk]:
    text_at = columns.index(text_column)
    id_at = columns.index(id_column) if id_column is not None else None
    keep_at = [columns.index(c) for c in keep]
    number = 0
    for batch in _batched(rows, chunk_rows):
        chunk = Chunk([], [], [] if id_column is not None else None, [], [], [] if keep else None)
        for fields, problem in batch:
            number += 1
            text, key, warning = _cells(fields, text_at, id_at, text_column, id_column)
            if not problem and isinstance(fields, list) and len(fields) != len(columns):
                problem = (
                    f"the row has {plural(len(fields), 'field')} but the header has "
                    f"{plural(len(columns), 'column')} (a stray delimiter or quote?); not scored"
                )
            elif problem == EMPTY_ROW and id_column is not None:  # no id to find it by: its number
                problem = f"row {number} (after the header) is empty; fill it in or delete the row"
            elif problem == FORMULA_ROW and id_column is not None:
                problem = f"row {number} (after the header) {FORMULA_ROW.removeprefix('the row ')}"
            elif not problem and text is UNSAVED:
                problem = unsaved_formula(text_column)
            elif not problem and isinstance(fields, dict) and text_column not in fields:
                problem = f"the record has no {text_column!r} key"
            if (
                isinstance(fields, list)
                and id_at is not None
                and any(f is UNSAVED for f in fields[id_at : id_at + 1])
            ):  # an id the file did not save: the row is scored, with a warning
                warning = "; ".join(w for w in (warning, unsaved_formula(id_column)) if w)
            chunk.rows.append(number)
            chunk.texts.append(text)
            chunk.problems.append(problem or None)
            chunk.warnings.append(warning or None)
            if chunk.ids is not None:
                chunk.ids.append(key)
            if chunk.kept is not None:
                chunk.kept.append(_kept_cells(fields, keep, keep_at))
        yield chunk


def _kept_cells(fields: Any, keep: Sequence[str], keep_at: Sequence[int]) -> list[Any]:
    """The carried-through cells of one row (None where the row has no such cell)."""
    if isinstance(fields, dict):
        values = [fields.get(c) for c in keep]
    elif isinstance(fields, list):
        values = [fields[i] if i < len(fields) else None for i in keep_at]
    else:
        values = [None] * len(keep)
    return [streams.fix_decoding(v)[0] if isinstance(v, str) else v for v in values]


def _cells(fields: Any, text_at: int, id_at: int | None, text_column: str, id_column: str | None):
    """``(text, id, warning)`` of one row (a list of CSV fields, a JSON dict, or ``None``)."""
    if isinstance(fields, dict):
        text, key = fields.get(text_column), fields.get(id_column) if id_column else None
    elif isinstance(fields, list):
        text = fields[text_at] if text_at < len(fields) else None
        key = fields[id_at] if id_at is not None and id_at < len(fields) else None
    else:
        text = key = None
    warning = ""
    if isinstance(text, str):
        text, warning = streams.fix_decoding(text)
    key = "" if key is None else streams.fix_decoding(str(key))[0].replace("\x00", "\ufffd").strip()
    return text, key, warning


def _batched(items: Iterator[Any], n: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, n)):
        yield batch


def _count_rows(path: Path, fmt: str, delimiter: str | None = None) -> int:
    """Rows in a CSV or JSONL file (one quick pass; blank lines excluded)."""
    with open(path, "rb") as fh:
        if fmt == "jsonl":
            return sum(1 for line in fh if line.strip())
        stream = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
        delimiter = delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
        reader = csv.reader(streams.csv_lines(stream), delimiter=delimiter)
        rows = last = 0  # rows up to the last that is not a blank line, the header included
        try:
            for fields in reader:
                if fields:
                    rows += 1
                    last = rows
                elif rows:  # blank lines before the header are not rows
                    rows += 1
        except csv.Error:
            return 0
        return max(0, last - 1)


# ------------------------------------------------------------------------------------------ Parquet


def _open_parquet(
    path: Path,
    text_column: str,
    id_column: str | None,
    chunk_rows: int,
    keep: Sequence[str] = (),
    keep_every: bool = False,
) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise BatchInputError("reading Parquet needs pyarrow: pip install 'rolematch[parquet]'") from exc
    try:
        file = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise BatchInputError(f"{path} is not a readable Parquet file ({exc})") from exc
    columns = list(file.schema_arrow.names)
    id_column = resolve_id_column(columns, id_column)
    check_columns(columns, text_column, id_column, str(path))
    kept = (
        columns_mod.keep_all(columns, text_column, id_column)
        if keep_every
        else check_keep(columns, keep, str(path))
    )
    if file.metadata.num_rows == 0:
        raise BatchInputError(f"{path} has columns but no rows; nothing to score")
    wanted = list(dict.fromkeys([text_column, *([id_column] if id_column else []), *kept]))

    def chunks() -> Iterator[Chunk]:
        number = 0
        for batch in file.iter_batches(batch_size=chunk_rows, columns=wanted):
            data = batch.to_pydict()
            n = batch.num_rows
            rows = list(range(number + 1, number + n + 1))
            number += n
            ids = None
            if id_column:
                ids = ["" if v is None else str(v).strip() for v in data[id_column]]
            values = [list(v) for v in zip(*(data[c] for c in kept))] if kept else None
            yield Chunk(rows, list(data[text_column]), ids, [None] * n, [None] * n, values)

    return Table(str(path), columns, id_column, file.metadata.num_rows, chunks(), kept)
