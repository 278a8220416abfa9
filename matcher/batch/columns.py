"""Which input columns a batch uses: messages for a missing one, ``--keep-all``, and ids by their look."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from . import dialect


def keep_all(columns: Sequence[str], text_column: str, id_column: str | None) -> list[str]:
    """``--keep-all``: every input column but the text (use --include-text for it) and the id."""
    return [c for c in columns if c not in (text_column, id_column)]


def missing_column(
    columns: Sequence[str], column: str, option: str, name: str, delimiter: str | None = None
) -> str:
    """Why ``column`` (named by ``option``) is not in ``columns``: the columns that exist and the closest
    one, or, for a one-column header that holds another delimiter, the ``--delimiter`` to use."""
    shown = ", ".join(str(c) for c in columns) or "(none)"
    other = dialect.other_delimiter(columns, delimiter) if delimiter else None
    if other:
        return (
            f"column {column!r} not found in {name}: its one column is {shown!r}, which looks "
            f"{dialect.describe_delimiter(other)}, not {dialect.describe_delimiter(delimiter)}; "
            f"use --delimiter {other!r}"
        )
    close = difflib.get_close_matches(column, [str(c) for c in columns], n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"column {column!r} not found in {name}; columns are: {shown} ({hint}use {option})"


def id_note(columns: Sequence[str], text_column: str, asked: str | None, used: str | None) -> str | None:
    """When no ``--id-column`` was given and rows are numbered, a note naming a column that looks like ids."""
    if asked is not None or used is not None:
        return None
    column = dialect.looks_like_id(columns, exclude=[text_column])
    if column is None:
        return None
    flag = (
        f"--id-column {column}"
        if column.replace("_", "").replace("-", "").isalnum()
        else f"--id-column '{column}'"
    )
    return f"rows are named by number; column {column!r} looks like an id: add {flag} to use it"
