"""Batch input from files: a folder (``--recursive``, ``--glob``), a ``.zip`` of resumes, or a list of
files. One row per file in sorted path order, id column ``file`` (the path relative to the folder or
inside the zip); a file the read stage refuses becomes an error row, never a stopped run."""

from __future__ import annotations

import fnmatch
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputTextError
from ..read import MAX_FILE_BYTES, read_bytes
from .frame import CHUNK_ROWS, Chunk, plural
from .readers import BatchInputError, Table, open_table

ID_COLUMN = "file"


def is_file_collection(path: str) -> bool:
    """True for a folder or a zip archive (by its bytes), which ``open_files`` reads."""
    if path == "-":
        return False
    p = Path(path)
    if p.is_dir():
        return True
    if p.is_file():
        with open(p, "rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06") and p.suffix.lower() not in (".xlsx", ".docx")
    return False


def open_input(
    path: str,
    text_column: str,
    id_column: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    count: bool = False,
    stdin: Any = None,
    recursive: bool = False,
    glob: str | None = None,
    exclude: Path | None = None,
    **table_options: Any,
) -> Table:
    """A folder or zip → ``open_files``; anything else (CSV, JSONL, Parquet, .xlsx, ``-``) → ``open_table``
    (``table_options``: its ``delimiter``, ``sheet``, ``keep``, ``keep_every``)."""
    if is_file_collection(path):
        return open_files(path, text_column, chunk_rows, recursive=recursive, glob=glob, exclude=exclude)
    if recursive or glob:
        raise BatchInputError(f"--recursive and --glob apply to a folder or a .zip; {path} is a table file")
    return open_table(path, text_column, id_column, chunk_rows, count=count, stdin=stdin, **table_options)


def open_files(
    path: str,
    text_column: str = "text",
    chunk_rows: int = CHUNK_ROWS,
    recursive: bool = False,
    glob: str | None = None,
    exclude: Path | None = None,
) -> Table:
    """The files of a folder or zip as a ``Table`` with columns ``file`` and ``text_column``."""
    source = Path(path)
    if source.is_dir():
        entries = folder_entries(source, recursive, glob, exclude)
        where = f"{path}" + ("" if recursive else " (add --recursive for subfolders)")
    else:
        entries = zip_entries(source, glob)
        where = str(path)
    if not entries:
        pattern = f" matching {glob!r}" if glob else ""
        raise BatchInputError(f"no files{pattern} in {where}; resumes are .pdf, .docx, .txt or .md files")
    notes = []
    if source.is_dir() and not recursive:
        folders = sum(p.is_dir() and not p.name.startswith(".") for p in source.iterdir())
        if folders:
            notes.append(f"{plural(folders, 'subfolder')} not read (add --recursive to read them)")
    return Table(
        str(path),
        [ID_COLUMN, text_column],
        ID_COLUMN,
        len(entries),
        _chunks(entries, chunk_rows),
        notes=notes,
    )


Entry = tuple[str, Callable[[], bytes]]


def folder_entries(folder: Path, recursive: bool, glob: str | None, exclude: Path | None) -> list[Entry]:
    """``(relative path, loader)`` of the regular, non-hidden files of ``folder``, in sorted path order."""
    found = folder.rglob("*") if recursive else folder.glob("*")
    skip = exclude.resolve() if exclude is not None else None
    out = []
    for file in found:
        rel = file.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or not file.is_file():
            continue
        if glob and not fnmatch.fnmatch(file.name, glob) and not fnmatch.fnmatch(rel, glob):
            continue
        if skip is not None and file.resolve() == skip:
            continue
        out.append((rel, _loader(file)))
    return sorted(out, key=lambda e: e[0])


def _loader(file: Path) -> Callable[[], bytes]:
    def load() -> bytes:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputTextError(
                f"{file.name} is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB"
            )
        return file.read_bytes()

    return load


def zip_entries(path: Path, glob: str | None) -> list[Entry]:
    """``(path inside the zip, loader)`` of the archive's files; a zip bomb raises before any work."""
    from ..read.archive import members, open_zip, read_member

    try:
        archive = open_zip(path.read_bytes(), str(path))
    except InputTextError as exc:
        raise BatchInputError(str(exc)) from exc
    out = []
    for m in members(archive):
        if (
            glob
            and not fnmatch.fnmatch(m.name.rsplit("/", 1)[-1], glob)
            and not fnmatch.fnmatch(m.name, glob)
        ):
            continue
        out.append((m.name, lambda name=m.name: read_member(archive, name, MAX_FILE_BYTES, str(path))))
    return out


def read_entries(entries: Sequence[Entry]) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    """``(file, text, problem, warning)`` per entry: the read stage's text, or its error as the problem."""
    for name, load in entries:
        try:
            document = read_bytes(load(), name)
        except InputTextError as exc:
            yield name, None, str(exc), None
            continue
        except OSError as exc:
            yield name, None, f"cannot read {name}: {exc.strerror or exc}", None
            continue
        yield name, document.text, None, "; ".join(document.warnings) or None


def _chunks(entries: Sequence[Entry], chunk_rows: int) -> Iterator[Chunk]:
    rows = read_entries(entries)
    number = 0
    while batch := list(itertools.islice(rows, chunk_rows)):
        numbers = list(range(number + 1, number + len(batch) + 1))
        number += len(batch)
        yield Chunk(
            numbers,
            [t if t is not None else "" for _, t, _, _ in batch],
            [name for name, _, _, _ in batch],
            [p for _, _, p, _ in batch],
            [w for _, _, _, w in batch],
        )
