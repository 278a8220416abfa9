"""Excel workbooks (.xlsx, via openpyxl) in and out of batch scoring and ranking.

Reading: the first sheet (or a named one) as a header row and rows of text cells. Writing: a
"results" sheet with a bold, frozen header and column widths that suit each column, streamed row by
row (write-only mode: memory stays flat), and an "about" sheet saying which model, catalog and settings
made the file and what its numbers mean. A workbook is written under a temporary name and moved into
place when complete.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import RolematchError

INSTALL = "pip install 'rolematch[excel]'"
CELL_LIMIT = 32_767  # characters Excel holds in one cell

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


def read_xlsx(path: Path, sheet: str | None, error: type[RolematchError]):
    """``(sheet name, header, rows)`` of a workbook: rows are ``(fields, "")``; blank rows are skipped.

    ``sheet``: a sheet name (default: the first sheet). Raises ``error`` naming the sheets that exist.
    """
    openpyxl = _openpyxl("reading", error)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile/openpyxl raise many types for a bad file
        raise error(f"{path} is not a readable .xlsx workbook ({exc}); save it from Excel as .xlsx") from exc
    names = list(book.sheetnames)
    if sheet is not None and sheet not in names:
        book.close()
        close = difflib.get_close_matches(sheet, names, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise error(
            f"sheet {sheet!r} not found in {path}; sheets are: {', '.join(names)} ({hint}use --sheet)"
        )
    name = sheet or names[0]
    values = book[name].iter_rows(values_only=True)
    header = next((row for row in values if any(cell_text(v).strip() for v in row)), None)
    if header is None:
        book.close()
        raise error(
            f"sheet {name!r} of {path} is empty; expected a header row naming the columns (e.g. id, bio) "
            "and one row per person"
            + ("" if len(names) == 1 else f" (other sheets: {', '.join(names[1:])}; use --sheet)")
        )
    cells = [cell_text(v).strip() for v in header]
    while cells and not cells[-1]:
        cells.pop()  # trailing empty header cells are formatting, not columns
    width = len(cells)
    columns = [c or f"column_{i + 1}" for i, c in enumerate(cells)]

    def rows() -> Iterator[tuple[list[str], str]]:
        try:
            for row in values:
                fields = [cell_text(v) for v in row]
                if not any(f.strip() for f in fields):
                    continue
                while len(fields) > width and not fields[-1]:
                    fields.pop()
                yield fields + [""] * (width - len(fields)), ""
        finally:
            book.close()

    return name, columns, rows()


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
