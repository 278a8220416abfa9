"""Chunked writers for batch output (CSV, JSONL, Parquet, .xlsx) and the checks that make ``--resume`` safe.

CSV is UTF-8 with a byte-order mark (``bom=False`` leaves it out): without it Excel on Windows reads
the file as cp1252 and garbles quotes, dashes and accents; pandas, Python's ``utf-8-sig``, LibreOffice
and Google Sheets all skip it. Numbers are written with at most 4 decimals, never in scientific notation.

Each chunk is written in one call and flushed, so a killed run leaves whole rows plus at most one
torn row at the end; ``scan_existing`` finds the rows already written, cuts the torn tail and
refuses a file written by another model version or with other columns.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RolematchError
from .frame import BatchSpec

OUTPUT_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
BOM = "\ufeff"
STDOUT = "-"  # --output - : CSV (or --format jsonl) on standard output
STDOUT_FORMATS = ("csv", "jsonl")


class BatchOutputError(RolematchError):
    """The output cannot be written, or an existing output cannot be continued."""


def output_format(path: str | Path, stdout_format: str | None = None) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``xlsx`` from the output file's extension; for ``-`` (standard
    output) ``stdout_format``, CSV by default."""
    if str(path) == STDOUT:
        fmt = stdout_format or "csv"
        if fmt not in STDOUT_FORMATS:
            raise BatchOutputError(f"standard output takes {' or '.join(STDOUT_FORMATS)}, not {fmt}")
        return fmt
    if stdout_format is not None:
        raise BatchOutputError(
            f"--format is for standard output (-o -); {path} has its format in its extension"
        )
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise BatchOutputError(
            f"cannot tell the output format of {str(path)!r}: end its name with {', '.join(OUTPUT_FORMATS)}"
        )
    return fmt


def check_writable(path: Path) -> None:
    """Fail now, before any work, if ``path`` cannot be written."""
    if str(path) == STDOUT:
        return
    if path.is_dir():
        raise BatchOutputError(
            f"the output {path} is a folder; give a file name such as {path / 'ranked.csv'}"
        )
    if not path.parent.is_dir():
        raise BatchOutputError(f"cannot write {path}: the folder {path.parent} does not exist")
    existed = path.exists()
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise BatchOutputError(f"cannot write {path} ({exc.strerror}); choose another --output") from exc
    if not existed:
        path.unlink()


# ------------------------------------------------------------------------------------------ writers


def _open_text(path: Path, append: bool):
    """The output as UTF-8 text; ``-``: standard output (``_StandardOutput``, never closed)."""
    if str(path) == STDOUT:
        return _StandardOutput(sys.stdout)
    return open(path, "a" if append else "w", encoding="utf-8", errors="replace", newline="")  # noqa: SIM115


class _StandardOutput:
    """Standard output as a writer's file: UTF-8 on its bytes where it has them (a terminal, a pipe), else
    the text stream itself (Jupyter, ``contextlib.redirect_stdout``); closing flushes and leaves it open."""

    def __init__(self, stream) -> None:
        buffer = getattr(stream, "buffer", None)
        self._wrapped = buffer is not None
        self._fh = (
            io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline="", write_through=True)
            if self._wrapped
            else stream
        )

    def write(self, text: str) -> int:
        return self._fh.write(text)

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.flush()
        if self._wrapped:
            self._fh.detach()  # the wrapper goes; the stream's bytes stay open


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return format_number(value)
    text = str(value)
    if text.startswith(FORMULA_LEADS) and not isinstance(value, int):
        return "'" + text  # "=HYPERLINK(...)" in a bio stays text when the CSV is opened in a spreadsheet
    return text


def format_number(value: float) -> str:
    """``0.0731``, ``1``, ``0``: at most 4 decimals, trailing zeros dropped, never ``7.3e-05``."""
    if value != value:  # NaN
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class CsvWriter:
    """Flat rows as UTF-8 CSV (with a byte-order mark unless ``bom`` is false; header first unless appending)."""

    def __init__(self, path: Path, spec: BatchSpec, append: bool, bom: bool = True) -> None:
        self.columns = spec.columns()
        self._fh = _open_text(path, append)
        if not append:
            if bom:
                self._fh.write(BOM)
            self._write([self.columns])

    def _write(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self._fh.write(buffer.getvalue())  # one write per chunk
        self._fh.flush()

    def write(self, records: list[dict[str, Any]]) -> None:
        self._write([[_cell(r[c]) for c in self.columns] for r in records])

    def close(self, complete: bool = True) -> None:
        self._fh.close()


class JsonlWriter:
    """One JSON object per line (the full result of each row)."""

    def __init__(self, path: Path, spec: BatchSpec, append: bool) -> None:
        self._fh = _open_text(path, append)

    def write(self, records: list[dict[str, Any]]) -> None:
        self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        self._fh.flush()

    def close(self, complete: bool = True) -> None:
        self._fh.close()


class ParquetWriter:
    """Flat rows as Parquet, one row group per chunk, written under a temporary name and moved into
    place when complete (a Parquet file is unreadable until its footer is written)."""

    def __init__(self, path: Path, spec: BatchSpec, append: bool) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise BatchOutputError("writing Parquet needs pyarrow: pip install 'rolematch[parquet]'") from exc
        self._pa = pa
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        self.columns = spec.columns()
        types = {
            "abstain": pa.bool_(),
            "fit": pa.float64(),
            spec.key: pa.string() if spec.id_column else pa.int64(),
        }
        self.schema = pa.schema(
            [(c, types.get(c, pa.float64() if c.startswith(_NUMBERS) else pa.string())) for c in self.columns]
        )
        self._text = set(spec.keep)  # carried input columns are written as text
        self._writer = pq.ParquetWriter(self.partial, self.schema)

    def write(self, records: list[dict[str, Any]]) -> None:
        rows = [{c: _text(r[c]) if c in self._text else r[c] for c in self.columns} for r in records]
        table = self._pa.Table.from_pylist(rows, schema=self.schema)
        self._writer.write_table(table)

    def close(self, complete: bool = True) -> None:
        self._writer.close()
        if complete:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)


_NUMBERS = ("score_", "confidence_")


def _text(value: Any) -> str | None:
    return None if value is None else _cell(value)


def open_writer(
    path: Path,
    fmt: str,
    spec: BatchSpec,
    append: bool = False,
    about: list[list[Any]] | None = None,
    bom: bool = True,
):
    """A writer for ``fmt`` with ``write(records)`` and ``close(complete)``; ``about``: the rows of an
    .xlsx file's "about" sheet (see ``xlsx.about_rows``); ``bom``: CSV starts with a UTF-8 BOM."""
    if fmt == "xlsx":
        from .xlsx import XlsxWriter

        return XlsxWriter(path, spec.columns(), about, BatchOutputError)
    if fmt == "csv":
        return CsvWriter(path, spec, append, bom)
    kind = {"jsonl": JsonlWriter, "parquet": ParquetWriter}[fmt]
    return kind(path, spec, append)


def write_records(
    path: Path,
    columns: list[str],
    records: list[dict[str, Any]],
    about: list[list[Any]] | None = None,
    bom: bool = True,
) -> None:
    """Write finished ``records`` (e.g. a ranking) in one go, in the format of ``path``'s extension:
    CSV as ``CsvWriter``, JSONL one flat object per line, Parquet, or .xlsx with its "about" sheet."""
    fmt = output_format(path)
    if fmt == "xlsx":
        from .xlsx import XlsxWriter

        writer = XlsxWriter(path, columns, about, BatchOutputError)
        writer.write(records)
        writer.close()
    elif fmt == "csv":
        with open(path, "w", encoding="utf-8", errors="replace", newline="") as fh:
            fh.write(csv_text(columns, records, bom))
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8", errors="replace", newline="") as fh:
            fh.write(
                "".join(json.dumps({c: r[c] for c in columns}, ensure_ascii=False) + "\n" for r in records)
            )
    else:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise BatchOutputError("writing Parquet needs pyarrow: pip install 'rolematch[parquet]'") from exc
        data = {c: [r[c] for r in records] for c in columns}
        pq.write_table(pa.table(data), path)


def csv_text(columns: list[str], records: list[dict[str, Any]], bom: bool = False) -> str:
    """``records`` as CSV text (numbers as ``format_number``), with a UTF-8 byte-order mark if ``bom``."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    csv.writer(buffer, lineterminator="\n").writerows(
        [columns, *([_cell(r[c]) for c in columns] for r in records)]
    )
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ resume


@dataclass
class Existing:
    """What an earlier run left: whole ``rows``, the id of the last one, the model versions seen."""

    rows: int = 0
    last_key: str | None = None
    versions: set[str] = field(default_factory=set)
    has_header: bool = False


def scan_existing(path: Path, fmt: str, spec: BatchSpec, model_version: str) -> Existing:
    """Count the whole rows of an earlier run's output, cut a torn last row, and check it can be continued."""
    if fmt in ("parquet", "xlsx"):
        raise BatchOutputError(
            f"--resume works with .csv and .jsonl outputs (a {'Parquet' if fmt == 'parquet' else 'workbook'} "
            "file cannot be appended to); write .csv or .jsonl, or start again with --overwrite"
        )
    if not path.is_file() or path.stat().st_size == 0:
        return Existing()
    existing, end = _scan_csv(path, spec) if fmt == "csv" else _scan_jsonl(path, spec)
    other = existing.versions - {model_version}
    if other:
        raise BatchOutputError(
            f"{path} was written by model version {', '.join(sorted(other))}, this run uses {model_version}; "
            "rows of two models must not be mixed: write to a new file, or use --overwrite"
        )
    if end < path.stat().st_size:
        with open(path, "r+b") as fh:  # a torn last row from a killed run
            fh.truncate(end)
    return existing


def _lines(fh, state: dict[str, Any]):
    for line in fh:
        state["consumed"] += len(line)
        state["newline"] = line.endswith(b"\n")
        yield line.decode("utf-8", "replace")


def _scan_csv(path: Path, spec: BatchSpec) -> tuple[Existing, int]:
    state = {"consumed": 0, "newline": True}
    with open(path, "rb") as fh:
        reader = csv.reader(_lines(fh, state), strict=True)
        header = next(reader, None)
        if header is None or not state["newline"]:
            return Existing(), 0
        if header and header[0].startswith(BOM):
            header[0] = header[0][len(BOM) :]
        if header != spec.columns():
            raise BatchOutputError(
                f"{path} has other columns than this run would write ({', '.join(header[:8])}, …); "
                "resume with the same --top, --id-column and --include-text, or use --overwrite"
            )
        found, end = Existing(has_header=True), state["consumed"]
        key_at, version_at = 0, header.index("model_version")
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error:
                _only_tail(reader, path, found.rows)
                break
            if len(fields) != len(header) or not state["newline"]:
                _only_tail(reader, path, found.rows)
                break
            found.rows += 1
            found.last_key = fields[key_at]
            found.versions.add(fields[version_at])
            end = state["consumed"]
    return found, end


def _scan_jsonl(path: Path, spec: BatchSpec) -> tuple[Existing, int]:
    found, end = Existing(has_header=True), 0
    with open(path, "rb") as fh:
        lines = iter(fh)
        for line in lines:
            try:
                record = json.loads(line) if line.endswith(b"\n") else None
            except ValueError:
                record = None
            if isinstance(record, dict) and (spec.key not in record or "model_version" not in record):
                if found.rows:
                    raise _damaged(path, found.rows)
                raise BatchOutputError(
                    f"{path} holds other records than this run would write (no {spec.key!r} "
                    "key); resume with the same --id-column, or use --overwrite"
                )
            if not isinstance(record, dict):  # a torn last line is cut; anything after it means damage
                if any(rest.strip() for rest in lines):
                    raise _damaged(path, found.rows)
                break
            found.rows += 1
            found.last_key = str(record[spec.key])
            found.versions.add(str(record["model_version"]))
            end += len(line)
    return found, end


def _only_tail(reader, path: Path, rows: int) -> None:
    """After a bad record: fine if it was the torn last one, else the file is damaged."""
    try:
        more = next(reader, None) is not None
    except csv.Error:
        more = True
    if more:
        raise _damaged(path, rows)


def _damaged(path: Path, rows: int) -> BatchOutputError:
    return BatchOutputError(
        f"{path} is damaged after row {rows:,} (not just a torn last row); it cannot be "
        "continued safely: move it away, or use --overwrite"
    )
