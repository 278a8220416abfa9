"""Which input columns a batch uses: messages for a missing one, ``--keep-all``, and ids by their look."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from . import dialect

#: A suggested column's spelling must be at least this close to the name asked for (difflib's ratio of
#: the lower-cased names): one slip in a short name ("txet" → "text", 0.75) passes; "nope" → "in_scope"
#: (0.67) does not.
SPELLING_CUTOFF = 0.75


def keep_all(columns: Sequence[str], text_column: str, id_column: str | None) -> list[str]:
    """``--keep-all``: every input column but the text (use --include-text for it) and the id."""
    return [c for c in columns if c not in (text_column, id_column)]


def missing_column(
    columns: Sequence[str], column: str, option: str, name: str, delimiter: str | None = None
) -> str:
    """Why ``column`` (named by ``option``) is not in ``columns``: the columns that exist and the
    closest ones, or, for a one-column header that holds another delimiter, the ``--delimiter`` to use."""
    shown = ", ".join(str(c) for c in columns) or "(none)"
    other = dialect.other_delimiter(columns, delimiter) if delimiter else None
    if other:
        return (
            f"column {column!r} not found in {name}: its one column is {shown!r}, which looks "
            f"{dialect.describe_delimiter(other)}, not {dialect.describe_delimiter(delimiter)}; "
            f"use --delimiter {other!r}"
        )
    close = closest_columns(column, columns)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    return f"column {column!r} not found in {name}; columns are: {shown} ({hint}use {option})"


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}


def closest_columns(column: str, columns: Sequence[str], most: int = 3) -> list[str]:
    """The columns a mistyped or partial name may mean, or none when no column is plausibly meant: the
    same name in another case ("Bio"), else those whose name has all its words ("resume" →
    "resume_text"), else the closest spelling at least ``SPELLING_CUTOFF`` alike (as the role
    suggestions of ``rank._closest_roles``)."""
    names = [str(c) for c in columns]
    same = [c for c in names if c.lower() == column.lower()]
    if same:
        return same[:most]
    words = _words(column)
    having = [c for c in names if words and words <= _words(c)]
    if having:
        return having[:most]
    lowered = {c.lower(): c for c in reversed(names)}  # the first column of a lower-cased name wins
    close = difflib.get_close_matches(column.lower(), list(lowered), n=1, cutoff=SPELLING_CUTOFF)
    return [lowered[c] for c in close]


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
