"""Excel workbooks (.xlsx, via openpyxl) in and out of batch scoring and ranking.

Reading (``_Workbook``, for the batch readers): the first sheet (or a named one) as a header row and
rows of text cells, streamed (read-only mode); a formula cell without a saved value reads as
``UNSAVED``. Writing: a "results" sheet with a bold, frozen header and column widths that suit each
column, streamed row by row (write-only mode: memory stays flat), and an "about" sheet saying which
model, catalog and settings made the file and what its numbers mean. A workbook is written under a
temporary name and moved into place when complete.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import RolematchError
from . import columns as columns_mod

INSTALL = "pip install 'rolematch[excel]'"
CELL_LIMIT = 32_767  # characters Excel holds in one cell
#: How many sheets, and how many rows of each, are looked at for the column a missing-column message
#: of a workbook suggests (``--sheet NAME``).
PEEK_SHEETS = 50
PEEK_ROWS = 100

#: What each output column means, for the "about" sheet (prefix → meaning).
MEANINGS = (
    ("rank", "position when sorted by the (first) role's confidence, best first"),
    ("status", "ok, or error when the row could not be scored (see error)"),
    ("abstain", "TRUE when no role of the catalog fits well (the roles are still shown, marked weak)"),
    ("fit", "how well the text fits the catalog at all, 0-1"),
    ("role", "role id in the catalog; title: its name"),
    (
        "score",
        "ranking score of the role, 0-1, not a probability: it orders the roles for one person "
        "(read confidence for how sure the model is)",
    ),
    (
        "confidence",
        "the probability that this role is right for this person, 0-1, counting the chance that no role "
        "fits (never above fit); compare it across people to rank candidates for one role",
    ),
    (
        "quote",
        "verbatim passage of a career article supporting the role, with its file and character offsets",
    ),
    ("evidence", "the person's own sentence that most drove the match to this role"),
)


def _openpyxl(action: str, error: type[RolematchError]):
    try:
        import openpyxl
    except ImportError as exc:
        raise error(f"{action} .xlsx needs openpyxl: {INSTALL}") from exc
    return openpyxl


# ------------------------------------------------------------------------------------------ reading


def cell_text(value: Any) -> str:
    """A cell as text: empty for none, ``12`` for the number 12.0, ISO dates, ``TRUE``/``FALSE``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class _Unsaved(str):
    """The text of a cell that holds a formula and no saved value (see ``UNSAVED``)."""


#: A cell holding a formula whose value the file does not store (written by a program that does not
#: calculate, e.g. openpyxl or pandas): reads as ``""``, told apart by identity (``is UNSAVED``).
UNSAVED = _Unsaved("")


def unsaved_formula(column: str | None) -> str:
    """What to do about a formula cell without a saved value in ``column``."""
    return (
        f"the {column!r} cell holds a formula and the file has no saved value for it (it was written by a "
        "program that does not calculate formulas); open the file in Excel or LibreOffice and save it, or "
        "replace the formula by its value (copy, then Paste Special > Values)"
    )


class _Workbook:
    """One sheet of an .xlsx workbook read as a table (openpyxl, read-only: rows stream, memory stays flat).

    ``sheet``: the sheet read (the one asked for, else the first); ``sheets``: all of them; ``columns``:
    its header, the first row with a value (trailing empty header cells dropped; an empty one inside is
    ``column_N``). Raises ``error`` naming the sheets for a sheet that is missing or empty; a row with no
    value comes out as ``(None, empty_row)``.
    """

    def __init__(
        self, path: Path, sheet: str | None, *, error: type[RolematchError], empty_row: str, formula_row: str
    ) -> None:
        self.path = path
        self._empty_row = empty_row
        self._formula_row = formula_row
        self._openpyxl = _openpyxl("reading", error)
        try:
            self._book = self._openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl raise many types for a bad file
            raise error(
                f"{path} is not a readable .xlsx workbook ({exc}); save it from Excel as .xlsx"
            ) from exc
        self._formulas: Any = None
        self.sheets = list(self._book.sheetnames)
        if sheet is not None and sheet not in self.sheets:
            self.close()
            close = difflib.get_close_matches(sheet, self.sheets, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise error(
                f"sheet {sheet!r} not found in {path}; sheets are: {', '.join(self.sheets)} ({hint}use --sheet)"
            )
        self.sheet = sheet or self.sheets[0]
        self._values = enumerate(self._book[self.sheet].iter_rows(), 1)  # (sheet row number, cells)
        header = next((cells for _, cells in self._values if any(_text(c) for c in cells)), None)
        if header is None:
            self.close()
            others = [n for n in self.sheets if n != self.sheet]
            raise error(
                f"sheet {self.sheet!r} of {path} is empty; expected a header row naming the columns "
                "(e.g. id, bio) and one row per person"
                + (f" (other sheets: {', '.join(others)}; use --sheet)" if others else "")
            )
        self.columns = _header([c.value for c in header])

    def rows(self) -> Iterator[tuple[list[str] | None, str]]:
        """``(fields, problem)`` per row after the header; a row with no value is ``(None, empty_row)``, or
        ``(None, formula_row)`` where formulas with no saved value fill it (a template's formulas filled down
        past the data: held back, as empty rows are); in a row with values, a cell with a formula and no saved
        value reads as ``UNSAVED``."""
        from openpyxl.cell.read_only import EmptyCell

        width = len(self.columns)
        try:
            for number, cells in self._values:
                fields = [cell_text(c.value) for c in cells]
                bare = [
                    i for i, c in enumerate(cells[:width]) if c.value is None and not isinstance(c, EmptyCell)
                ]
                if bare:  # a cell with no value: a formula without its saved value, or only a format
                    for i in self._formula_columns(number) & set(bare):
                        fields[i] = UNSAVED
                if not any(f.strip() for f in fields):  # no value: held back as empty rows are
                    yield None, self._formula_row if any(f is UNSAVED for f in fields) else self._empty_row
                    continue
                while len(fields) > width and not fields[-1]:
                    fields.pop()
                yield fields + [""] * (width - len(fields)), ""
        finally:
            self.close()

    def _formula_columns(self, number: int) -> set[int]:
        """The columns (0-based) of sheet row ``number`` that hold a formula: a second read of the sheet
        with formulas, begun at the first row that asks and only moved forward (read-only as well: memory
        stays flat, and a workbook whose cells all have values is read once)."""
        if self._formulas is None:
            book = self._openpyxl.load_workbook(self.path, read_only=True, data_only=False)
            self._formulas = [book, enumerate(book[self.sheet].iter_rows(min_row=number), number), 0, ()]
        book, rows, at, cells = self._formulas
        while at < number:
            at, cells = next(rows, (number, ()))
        self._formulas[2:] = [at, cells]
        return {i for i, c in enumerate(cells) if getattr(c, "data_type", None) == "f"}

    def sheet_hint(self, text_column: str, id_column: str | None) -> str:
        """For a missing column: the sheets of the workbook and, when another sheet's header has the columns
        asked for, ``--sheet`` with its name."""
        if len(self.sheets) == 1:
            return ""
        wanted = [text_column] + ([id_column] if id_column else [])
        having = [
            name
            for name in self.sheets[:PEEK_SHEETS]
            if name != self.sheet and all(c in self._peek_header(name) for c in wanted)
        ]
        return columns_mod.sheet_hint(self.sheet, self.sheets, text_column, having)

    def _peek_header(self, name: str) -> list[str]:
        rows = self._book[name].iter_rows(max_row=PEEK_ROWS, values_only=True)
        return _header(next((row for row in rows if any(cell_text(v).strip() for v in row)), ()))

    def close(self) -> None:
        self._book.close()
        if self._formulas is not None:
            self._formulas[0].close()
            self._formulas = None


def _text(cell: Any) -> str:
    return cell_text(cell.value).strip()


def _header(values: Sequence[Any]) -> list[str]:
    """Column names from a header row's values: trailing empty cells are formatting, not columns; an
    empty cell inside is ``column_N``."""
    cells = [cell_text(v).strip() for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return [c or f"column_{i + 1}" for i, c in enumerate(cells)]


# ------------------------------------------------------------------------------------------ writing


def column_width(name: str) -> float:
    """A readable width (in characters) for an output column, by what it holds."""
    kind = name.split("_", 1)[0]
    widths = {"quote": 70, "evidence": 60, "error": 40, "warning": 30, "title": 30, "role": 26}
    if kind in widths and (name == kind or "_" in name):
        return widths[kind]
    if kind in ("score", "confidence", "fit", "abstain", "rank", "status"):
        return max(10, len(name) + 2)
    return min(40, max(12, len(name) + 2))


def about_rows(settings: dict[str, Any], catalog: Sequence[tuple[str, str]]) -> list[list[Any]]:
    """The "about" sheet: what made the file (``settings``), the role catalog and what the columns mean."""
    from .. import __version__

    rows: list[list[Any]] = [["rolematch", __version__], ["written (UTC)", _now()]]
    rows += [
        [key, cell_text(value) if not isinstance(value, (list, tuple)) else ", ".join(map(str, value))]
        for key, value in settings.items()
    ]
    rows += [[], ["columns", "meaning"], *[[k, v] for k, v in MEANINGS]]
    rows += [[], ["catalog: role id", "title"], *[[i, t] for i, t in catalog]]
    return rows


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class XlsxWriter:
    """Rows into a "results" sheet (frozen bold header, set widths) plus an "about" sheet, streamed."""

    def __init__(
        self, path: Path, columns: Sequence[str], about: list[list[Any]] | None, error: type[RolematchError]
    ):
        openpyxl = _openpyxl("writing", error)
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        self.columns = list(columns)
        self._book = openpyxl.Workbook(write_only=True)
        self._sheet = self._book.create_sheet("results")
        self._sheet.freeze_panes = "B2"  # the header and the id stay in view
        for i, name in enumerate(self.columns, 1):
            self._sheet.column_dimensions[get_column_letter(i)].width = column_width(name)
        bold = Font(bold=True)
        header = []
        for name in self.columns:
            cell = WriteOnlyCell(self._sheet, value=name)
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)
        self._about = about
        self._bold = bold

    def write(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self._sheet.append([self._text_cell(_value(record.get(c))) for c in self.columns])

    def _text_cell(self, value: Any) -> Any:
        """A string that opens like a formula ("=HYPERLINK(...)" in a bio) as a text cell, never a formula."""
        if isinstance(value, str) and value.startswith("="):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self._sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def close(self, complete: bool = True) -> None:
        if self._about:
            from openpyxl.cell import WriteOnlyCell

            about = self._book.create_sheet("about")
            about.column_dimensions["A"].width = 28
            about.column_dimensions["B"].width = 100
            for row in self._about:
                if len(row) == 2 and row[0] in ("columns", "catalog: role id"):
                    row = [WriteOnlyCell(about, value=v) for v in row]
                    for cell in row:
                        cell.font = self._bold
                about.append(row)
        if not complete:
            self._book.close()
            self.partial.unlink(missing_ok=True)
            return
        self._book.save(self.partial)
        os.replace(self.partial, self.path)


def _value(value: Any) -> Any:
    """A cell value openpyxl accepts (control characters other than tab/newline are dropped)."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > CELL_LIMIT:
            value = value[: CELL_LIMIT - 60] + " […cut: an Excel cell holds 32,767 characters]"
        return value
    if isinstance(value, (list, tuple, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value
