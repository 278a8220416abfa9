"""The uploads of ``/api/batch`` and ``/api/rank``, read exactly as the command line reads its input.

An upload is told apart by its bytes: an Excel workbook, a Parquet file, a zip of resume files, or
text (CSV/TSV, or JSONL by its name or its first character). It is then written to a private temporary
folder and opened by ``matcher.batch.files.open_input``, the reader of ``rolematch batch`` and
``rolematch rank``: the CSV delimiter is sniffed, a ragged or unparsable row becomes an error row (never
a failed request, never a dropped row), ``.xlsx`` reads its first sheet, a zip gives one row per file.
Whole-file problems raise ``InputTextError`` (a 422) worded for the form rather than the command line;
a resume uploaded as a table (``teacher.txt``) is told so, and where one resume goes, without its words.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputTextError, RolematchError

if TYPE_CHECKING:
    from ..batch.frame import BatchSpec, Chunk
    from ..batch.readers import Table

#: What the two endpoints take, for messages.
WHAT_TO_UPLOAD = (
    "upload a table with a header row (.csv, .tsv, .xlsx, .jsonl or .parquet) "
    "or a .zip of resume files (.pdf, .docx, .txt, .md)"
)
#: The file name each kind of upload is read under (the CLI's readers go by the extension).
UPLOAD_NAMES = {
    "csv": "upload.csv",
    "tsv": "upload.tsv",
    "jsonl": "upload.jsonl",
    "parquet": "upload.parquet",
    "xlsx": "upload.xlsx",
    "zip": "upload.zip",
}
#: The command line's options in the reader's messages, and the form fields that do the same.
FORM_FIELDS = {
    "--text-column": "the text_column field",
    "--id-column": "the id_column field",
    "--keep-columns": "the keep_columns field",
    "--sheet": "the sheet field",
    "--delimiter": "the delimiter field",
}
PARQUET_MAGIC = b"PAR1"
CSV_TYPE = "text/csv; charset=utf-8"


def upload_kind(data: bytes, filename: str | None) -> str:
    """One of ``UPLOAD_NAMES``' keys for an upload: by its bytes, and for text by its name (``.tsv``,
    ``.jsonl``/``.ndjson``) or a first character ``{`` (JSONL); otherwise CSV.

    Raises ``InputTextError`` for a single resume (PDF, Word: they go to ``/api/match``) or other binary data.
    """
    from ..read.detect import FORMAT_NAMES, detect_format

    if data.startswith(PARQUET_MAGIC):
        return "parquet"
    found = detect_format(data)
    if found in ("xlsx", "zip"):
        return found
    suffix = Path(filename or "").suffix.lower()
    if found == "text":
        if suffix == ".tsv":
            return "tsv"
        if suffix in (".jsonl", ".ndjson") or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return "jsonl"
        return "csv"
    single = " (one resume: POST it to /api/match, or zip several)" if found in ("pdf", "docx") else ""
    raise InputTextError(f"the upload is {FORMAT_NAMES.get(found, 'binary data')}{single}; {WHAT_TO_UPLOAD}")


def for_form(message: str, path: str, name: str) -> str:
    """A reader's message about the file at ``path`` said for the web form: the temporary path becomes the
    upload's ``name`` (dropped after "in", as a request holds one file) and each option its form field."""
    message = message.replace(f" in {path}", "").replace(path, name)
    for option, form_field in FORM_FIELDS.items():
        message = message.replace(option, form_field)
    return message


def read_upload(
    data: bytes,
    filename: str | None,
    text_column: str,
    max_rows: int,
    *,
    id_column: str | None = None,
    keep: Sequence[str] = (),
    sheet: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """The upload as the CLI reads it: a ``Table`` whose chunks are already read (at most ``max_rows`` rows).

    ``keep``, ``sheet`` and ``delimiter`` are the CLI's ``--keep-columns``, ``--sheet`` and
    ``--delimiter``; a zip of resumes has the columns ``file`` and ``text_column``. Raises
    ``InputTextError`` saying what to fix (empty, unreadable, a missing column, too many rows).
    """
    from ..batch.files import open_input
    from ..batch.readers import ColumnError, NotATableError

    if not data.strip():
        raise InputTextError(f"the uploaded file is empty; {WHAT_TO_UPLOAD}")
    kind = upload_kind(data, filename)
    name = Path(filename or "").name or "the upload"
    with tempfile.TemporaryDirectory(prefix="rolematch-upload-") as folder:
        path = Path(folder) / UPLOAD_NAMES[kind]
        path.write_bytes(data)
        try:
            options: dict[str, Any] = {"keep": keep, "sheet": sheet, "delimiter": delimiter}
            if kind == "zip":
                _no_table_options(id_column, options)
                options = {}
            table = open_input(str(path), text_column, id_column, **options)
            if table.total is not None:
                _check_size(table.total, max_rows, kind, exact=True)
            chunks = list(_at_most(table.chunks, max_rows, kind))  # read now: the file goes with the folder
        except ColumnError as exc:
            if isinstance(exc, NotATableError) or (kind in ("csv", "tsv") and _named_as_text(filename)):
                raise InputTextError(not_a_table(name, filename)) from exc  # its "columns" are its words
            raise InputTextError(for_form(str(exc), str(path), name)) from exc
        except RolematchError as exc:
            raise InputTextError(for_form(str(exc), str(path), name)) from exc
    chunks = [_renamed(chunk, str(path), name) for chunk in chunks]
    return dataclasses.replace(table, name=name, chunks=iter(chunks), total=sum(map(len, chunks)))


def not_a_table(name: str, filename: str | None) -> str:
    """Why a text upload without a header row of column names (a resume) is refused, naming no column
    (they would be the person's words), and where one resume goes instead."""
    suffix = Path(filename or "").suffix.lower()
    renamed = f"; a table saved as {suffix}: name it .csv" if _named_as_text(filename) else ""
    return (
        f"{name} is not a table with a header row: its first line is not column names. One resume goes "
        f"to POST /api/match, or paste it on the page; to score many, {WHAT_TO_UPLOAD}{renamed}"
    )


def _named_as_text(filename: str | None) -> bool:
    """True for the name of a text document (``teacher.txt``, ``cv.md``), which a table is not."""
    from ..read.detect import SUFFIX_FORMATS

    return SUFFIX_FORMATS.get(Path(filename or "").suffix.lower()) == "text"


def _no_table_options(id_column: str | None, options: dict[str, Any]) -> None:
    """A zip of resumes has no columns to choose: refuse the table-only fields rather than ignore them."""
    used = [f for f, v in (("id_column", id_column), *options.items()) if v]
    if used:
        raise InputTextError(
            f"{', '.join(used)} {'is' if len(used) == 1 else 'are'} for a table; a zip of resumes gives "
            "the columns file and text (leave those fields out)"
        )


def _check_size(rows: int, max_rows: int, kind: str, exact: bool) -> None:
    """Refuse an upload over ``max_rows`` rows (files, for a zip) before scoring any; ``exact``: ``rows``
    is the upload's count, not just the rows read so far."""
    if rows > max_rows:
        what = "files" if kind == "zip" else "rows"
        count = f"{rows:,}" if exact else f"more than {max_rows:,}"
        raise InputTextError(
            f"the upload has {count} {what}; this endpoint scores at most {max_rows:,}: split the file, "
            "or use rolematch batch / rolematch rank on the command line"
        )


def _at_most(chunks: Iterator[Chunk], max_rows: int, kind: str) -> Iterator[Chunk]:
    """The chunks, raising ``InputTextError`` once they hold more than ``max_rows`` rows."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        _check_size(seen, max_rows, kind, exact=False)
        yield chunk


def _renamed(chunk: Chunk, path: str, name: str) -> Chunk:
    """``chunk`` with the temporary path in its row problems (a damaged zip member) replaced by ``name``."""
    problems = [p.replace(path, name) if p else p for p in chunk.problems]
    return dataclasses.replace(chunk, problems=problems)


# ------------------------------------------------------------------------------------------ scoring


def score_table(
    matcher: Any, table: Table, top: int, nested: bool = False
) -> tuple[list[str], list[dict[str, Any]]]:
    """``(columns, records)``: one record per row of ``table``, in order, as ``rolematch batch`` writes
    them: flat (CSV) columns, or with ``nested`` the full result per row (JSONL: 3 quotes per role, no
    analysed text; ``columns`` are then the flat ones, unused)."""
    from ..batch.frame import score_chunks

    spec = batch_spec(matcher, table, top, nested)
    return spec.columns(), score_chunks(matcher, table.chunks, spec)


def batch_spec(matcher: Any, table: Table, top: int, nested: bool = False) -> BatchSpec:
    """The ``BatchSpec`` of ``rolematch batch`` for ``table``: ``top`` capped at the catalog size."""
    from ..batch.frame import BatchSpec, keep_names

    spec = BatchSpec(
        "text",
        table.id_column,
        min(top, len(matcher.corpus.roles)),
        3 if nested else 1,
        nested=nested,
        calibrated=bool(getattr(matcher, "calibrated", True)),
    )
    return dataclasses.replace(spec, keep=keep_names(table.columns, table.keep, spec.columns()))


# ------------------------------------------------------------------------------------------ answers


def csv_bytes(columns: list[str], records: list[dict[str, Any]]) -> bytes:
    """``records`` as the CSV that ``rolematch batch`` and ``rank --output x.csv`` write: numbers with at
    most 4 decimals, cells that would open as a formula quoted, and a UTF-8 byte-order mark, because
    Excel on Windows reads a CSV without one as cp1252 and garbles accents and curly quotes (pandas,
    Python's utf-8-sig, LibreOffice and Google Sheets skip it). Both endpoints answer with it, so their
    files open alike."""
    from ..batch.writers import csv_text

    return csv_text(columns, records, bom=True).encode("utf-8")


def jsonl_bytes(records: list[dict[str, Any]]) -> bytes:
    """One JSON object per line, as ``rolematch batch --output x.jsonl`` writes them."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
