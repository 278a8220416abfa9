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
#: How many columns a message lists, and how much of each name: a header row that is really a line of
#: text (a resume given as a table) must not come back whole in an error or a log.
LISTED_COLUMNS = 8
LISTED_CHARS = 40


def keep_all(columns: Sequence[str], text_column: str, id_column: str | None) -> list[str]:
    """``--keep-all``: every input column but the text (use --include-text for it) and the id."""
    return [c for c in columns if c not in (text_column, id_column)]


def missing_column(
    columns: Sequence[str], column: str, option: str, name: str, delimiter: str | None = None
) -> str:
    """Why ``column`` (named by ``option``) is not in ``columns``: the columns that exist (``listed``) and
    the closest ones, or, for a one-column header that holds another delimiter, the ``--delimiter`` to use."""
    shown = listed(columns)
    other = dialect.other_delimiter(columns, delimiter) if delimiter else None
    if other:
        return (
            f"column {column!r} not found in {name}: its one column is {shown!r}, which looks "
            f"{dialect.describe_delimiter(other)}, not {dialect.describe_delimiter(delimiter)}; "
            f"use --delimiter {other!r}"
        )
    if dialect.reads_like_text(columns):  # a note or a line of a resume above the table: not listed
        return (
            f"column {column!r} not found in {name}: its first row reads like text, not column names "
            f"(use {option} to name the column)"
        )
    close = closest_columns(column, columns)
    hint = f"did you mean {' or '.join(repr(shorten(c)) for c in close)}? " if close else ""
    return f"column {column!r} not found in {name}; columns are: {shown} ({hint}use {option})"


def sheet_hint(sheet: str, sheets: Sequence[str], column: str, having: Sequence[str]) -> str:
    """What a missing-column message of a workbook adds: the sheet read among the workbook's sheets
    (``listed``), and ``--sheet`` with the first of the sheets ``having`` the column, if any."""
    which = "the first sheet" if sheets and sheet == sheets[0] else "a sheet"
    said = f"; {shorten(sheet)!r} is {which} of {len(sheets)}: {listed(sheets)}"
    if having:
        name = having[0]
        flag = f"--sheet {name}" if re.fullmatch(r"[\w.-]+", name) else f"--sheet '{name}'"
        return f"{said}. Sheet {shorten(name)!r} has a {shorten(column)!r} column: read it with {flag}"
    return f"{said}. If the table is on another sheet, name it with --sheet NAME"


def listed(columns: Sequence[str]) -> str:
    """The column names for a message: at most ``LISTED_COLUMNS`` of them, each ``shorten``-ed, then how
    many more; ``(none)`` for none."""
    names = [shorten(str(c)) for c in columns[:LISTED_COLUMNS]]
    more = len(columns) - len(names)
    return ", ".join(names + ([f"… ({more} more)"] if more > 0 else [])) or "(none)"


def shorten(name: str, limit: int = LISTED_CHARS) -> str:
    """``name`` on one line and cut to ``limit`` characters with an ellipsis."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


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
