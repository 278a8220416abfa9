"""Options shared by the commands that read a table of people (``batch``, ``rank``) and their exit statuses."""

from __future__ import annotations

import click

#: Exit statuses of ``batch`` and ``rank`` (1: nothing done, the message says why; 2: bad options).
EXIT_OK = 0
EXIT_SOME_FAILED = 3
EXIT_NONE_SCORED = 4
EXIT_INTERRUPTED = 130

EXIT_HELP = """\b
Exit status:
  0    every row was scored
  1    nothing was scored: the input, the output or the model could not be used (the message says why)
  2    bad options
  3    some rows could not be scored (status=error, with the reason; the others are in the output)
  4    no row could be scored (every row has status=error)
  130  interrupted (Ctrl+C)
"""

_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}


def exit_status(rows_ok: int, rows_error: int, rows_resumed: int = 0) -> int:
    """0 when every row scored, 3 when some failed, 4 when none scored (see ``EXIT_HELP``)."""
    if rows_error == 0:
        return EXIT_OK
    return EXIT_NONE_SCORED if rows_ok + rows_resumed == 0 else EXIT_SOME_FAILED


def parse_delimiter(value: str | None) -> str | None:
    """``--delimiter``: one character, or comma / semicolon / tab / pipe."""
    if value is None:
        return None
    value = _DELIMITERS.get(value.lower(), value)
    if len(value) != 1 or value in '"\r\n':
        raise click.BadParameter(
            f"expected one character or comma, semicolon, tab, pipe; got {value!r}", param_hint="--delimiter"
        )
    return value


def parse_keep(value: str | None) -> list[str]:
    """``--keep-columns name,email``: the column names (spaces around commas are ignored)."""
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def table_options(f):
    """--text-column, --id-column, --keep-columns, --keep-all, --sheet, --delimiter."""
    options = [
        click.option(
            "--delimiter",
            default=None,
            help="CSV delimiter: one character, or comma, semicolon, tab, pipe (default: detected from the file).",
        ),
        click.option("--sheet", default=None, help="Sheet of an .xlsx input (default: the first)."),
        click.option(
            "--keep-all", is_flag=True, help="Carry every input column (but the text) through to the output."
        ),
        click.option(
            "--keep-columns",
            default=None,
            metavar="COLS",
            help="Input columns to carry through to the output, e.g. name,email.",
        ),
        click.option(
            "--id-column",
            default=None,
            help="Column of ids (default: 'id' if the input has one, else row numbers).",
        ),
        click.option(
            "--text-column", default="text", show_default=True, help="Column holding the resume or bio."
        ),
    ]
    for option in options:
        f = option(f)
    return f


def file_options(f):
    """--recursive and --glob: which files of a folder or .zip of resumes are read."""
    f = click.option(
        "--glob", "pattern", default=None, help="With a folder or .zip: only files matching, e.g. '*.pdf'."
    )(f)
    return click.option(
        "--recursive", is_flag=True, help="With a folder: also read the files of its subfolders."
    )(f)


def check_table_only(is_files: bool, options: dict[str, object]) -> None:
    """Refuse table options (``--id-column``, ``--sheet``...) for a folder or zip of resume files, whose
    rows are named by ``file``: ignoring them would hide a mistake."""
    used = [name for name, value in options.items() if value]
    if is_files and used:
        raise click.UsageError(
            f"{', '.join(used)} {'is' if len(used) == 1 else 'are'} for a table; a folder or .zip of "
            "resume files gives one row per file, named by its path (leave those options out)"
        )


def check_keep_options(keep_columns: str | None, keep_all: bool) -> list[str]:
    if keep_columns and keep_all:
        raise click.UsageError("choose --keep-columns (some columns) or --keep-all (every column), not both")
    return parse_keep(keep_columns)


def echo_notes(command: str, notes: list[str] | tuple[str, ...]) -> None:
    """How the input was read (delimiter, sheet, a column that looks like ids), on stderr."""
    for note in notes:
        click.echo(f"rolematch {command}: {note}", err=True)
