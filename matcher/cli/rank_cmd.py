"""``rolematch rank``: who of these candidates fits a role? Every row scored, sorted by how well it fits."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from ..errors import RolematchError
from ..results import percent
from ._common import (
    backend_option,
    catalog_option,
    chosen_backend,
    fast_option,
    load_matcher,
    models_option,
    resolve_catalog_or_fail,
    uncalibrated_note,
)
from ._table import (
    EXIT_HELP,
    check_keep_options,
    check_table_only,
    echo_notes,
    exit_status,
    file_options,
    parse_delimiter,
    table_options,
)


@click.command(
    epilog="""\b
Examples:
  rolematch rank --role product-marketing-manager candidates.csv --text-column bio
  rolematch rank --role "Product Marketing Manager" people.xlsx --text-column bio --top 20
  rolematch rank --role product-manager --role product-marketing-manager people.csv -o shortlist.xlsx
  rolematch rank --role it-support people.csv --min-confidence 0.5 --keep-columns name,email --format csv
  rolematch rank --role strategy resumes/ --recursive --glob '*.pdf'   # one candidate per file
  rolematch rank --role strategy resumes.zip -o shortlist.csv
  rolematch roles                      # the role ids

\b
The people are sorted by the confidence of the first --role: the model's calibrated probability
that the role is right for the person, which is comparable across people. A catalog without
labelled examples has no such probability: its people are sorted by their similarity to the role,
those with no strong fit last. Each --role gets its
columns confidence_<role>, evidence_<role> (the person's sentence that drove the match) and
quote_<role> (the supporting article passage). Rows that cannot be scored come last with the
reason (left out with --top or --min-confidence; the summary counts them).

"""
    + EXIT_HELP
)
@click.argument("source", metavar="INPUT")
@click.option(
    "-r",
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="Role id or title to rank by (repeat for more roles; sorted by the first). See `rolematch roles`.",
)
@table_options
@file_options
@click.option("-n", "--top", type=click.IntRange(1), default=None, help="Only the best N candidates.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="P",
    help="Only candidates whose confidence for the (first) role is at least P (0-1).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="What goes to stdout when there is no --output.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the ranking to a file: .csv, .xlsx, .jsonl or .parquet (instead of stdout).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output.")
@click.option("--no-bom", is_flag=True, help="Write a CSV --output without the UTF-8 byte-order mark.")
@fast_option
@backend_option
@models_option
@catalog_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.pass_context
def rank(
    ctx: click.Context,
    source: str,
    roles: tuple[str, ...],
    text_column: str,
    id_column: str | None,
    keep_columns: str | None,
    keep_all: bool,
    sheet: str | None,
    delimiter: str | None,
    recursive: bool,
    pattern: str | None,
    top: int | None,
    min_confidence: float,
    fmt: str,
    output: Path | None,
    overwrite: bool,
    no_bom: bool,
    fast: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
    quiet: bool,
) -> None:
    """Rank every candidate in INPUT (.csv, .tsv, .xlsx, .jsonl, .parquet, or '-' for CSV on stdin)
    by how well ROLE fits them, best first.

    INPUT may also be a folder or a .zip of resume files (.pdf, .docx, .txt, .md), as for batch: one
    candidate per file, named by its path (the `file` column); a file that cannot be read is an error row.
    """
    backend = chosen_backend(ctx, backend, fast)
    keep = check_keep_options(keep_columns, keep_all)
    delimiter = parse_delimiter(delimiter)
    if output is not None and ctx.get_parameter_source("fmt") == ParameterSource.COMMANDLINE:
        raise click.UsageError("--format is for stdout; with --output the file's extension sets the format")
    from ..batch.files import is_file_collection, open_input
    from ..batch.rank import UNCALIBRATED_ORDER, UnknownRoleError, resolve_roles
    from ..batch.writers import BatchOutputError, check_writable, output_format
    from ..corpus import load_corpus

    found = resolve_catalog_or_fail(catalog)
    try:
        role_titles = [(r.id, r.title) for r in load_corpus(found.corpus_dir).roles]
        try:
            role_ids = resolve_roles(role_titles, roles)  # before the model loads: a typo fails at once
        except UnknownRoleError as exc:  # a bad option: exit status 2, as the README says
            raise click.BadParameter(str(exc), param_hint="--role") from exc
        if output is not None:
            output_format(output)
            if output.exists() and output.stat().st_size and not overwrite:
                raise BatchOutputError(f"{output} already exists; replace it with --overwrite")
            if source != "-" and output.exists() and output.resolve() == Path(source).resolve():
                raise BatchOutputError(f"the output {output} is the input file; write to another file")
            check_writable(output)
        table_only = {"--id-column": id_column, "--keep-columns": keep, "--keep-all": keep_all}
        check_table_only(
            is_file_collection(source), {**table_only, "--sheet": sheet, "--delimiter": delimiter}
        )
        table = open_input(
            source,
            text_column,
            id_column,
            count=not quiet and sys.stderr.isatty(),
            recursive=recursive,
            glob=pattern,
            exclude=output,
            delimiter=delimiter,
            sheet=sheet,
            keep=keep,
            keep_every=keep_all,
        )
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    matcher = load_matcher(models_dir, backend, catalog)
    ranking = _rank(matcher, table, role_ids, top, min_confidence, quiet)
    try:
        if output is not None:
            _write(output, ranking, table, matcher, backend, text_column, not no_bom)
        else:
            click.echo(_render(ranking, fmt, role_titles), nl=False)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        echo_notes("rank", table.notes)
        if uncalibrated_note(matcher):
            click.echo(f"rolematch rank: {uncalibrated_note(matcher)}; {UNCALIBRATED_ORDER}", err=True)
        where = f" → {output}" if output is not None else ""
        click.echo(f"rolematch rank: {ranking.line()}{where}", err=True)
    ctx.exit(exit_status(ranking.rows_ok, ranking.rows_error))


def _rank(matcher: Any, table: Any, role_ids, top, min_confidence, quiet: bool):
    from tqdm.auto import tqdm

    from ..batch.rank import rank_table

    bar = tqdm(
        total=table.total,
        unit="rows",
        desc="Ranking",
        disable=quiet or not sys.stderr.isatty(),
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        return rank_table(matcher, table, role_ids, top, min_confidence, on_chunk=bar.update)
    finally:
        bar.close()


def _write(output: Path, ranking, table, matcher, backend: str, text_column: str, bom: bool) -> None:
    from ..batch.rank import UNCALIBRATED_ORDER
    from ..batch.writers import write_records
    from ..batch.xlsx import about_rows

    spec = ranking.spec
    about = None
    if output.suffix.lower() == ".xlsx":
        settings = {
            "command": "rolematch rank",
            "input": table.name,
            "model version": matcher.model_version,
            "backend": backend,
            "ranked by": spec.roles[0],
            "roles": list(spec.roles),
            "text column": text_column,
            "id column": spec.id_column or "(row numbers)",
            "top": spec.top if spec.top is not None else "(all)",
            "min confidence": spec.min_confidence,
            "kept columns": list(spec.keep) or "(none)",
            "catalog": matcher.catalog_name,
            "confidence": uncalibrated_note(matcher) or "calibrated on labelled examples",
            "order": "by confidence" if matcher.calibrated else UNCALIBRATED_ORDER,
        }
        about = about_rows(settings, [(r.id, r.title) for r in matcher.corpus.roles])
    write_records(output, spec.columns(), ranking.records, about=about, bom=bom)


# ------------------------------------------------------------------------------------------ stdout


def _render(ranking, fmt: str, catalog) -> str:
    from ..batch.writers import csv_text

    if fmt == "json":
        return json.dumps(ranking.records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return csv_text(ranking.spec.columns(), ranking.records)
    return render_ranking(ranking, dict(catalog), shutil.get_terminal_size((120, 24)).columns)


#: A role column is this wide at least (">99.9%" and most titles' longest word fit), and at most
#: ``ROLE_WIDE`` when the table still fits the terminal; a longer title wraps onto more header lines.
ROLE_NARROW = 14
ROLE_WIDE = 28
ROLE_HEAD_LINES = 4


def render_ranking(ranking, titles: dict[str, str], width: int = 120) -> str:
    """A terminal table: rank, id, confidence per role (to a tenth of a percent, never "0.0%" or
    "100.0%": ``results.percent``), fit, then the candidate's best evidence sentence and the
    supporting quote for the first role, each on its own indented line. A role's column is headed by its
    whole title, wrapped onto up to ``ROLE_HEAD_LINES`` lines (not cut to "Sales & Busin…"), as wide as
    the terminal allows (``ROLE_NARROW`` to ``ROLE_WIDE``)."""
    spec = ranking.spec
    first = spec.roles[0]
    widths = {
        c: min(24 if c == spec.key else 20, max([len(c), *(len(_text(r[c])) for r in ranking.records[:200])]))
        for c in (spec.key, *spec.keep)
    }
    names = [titles.get(role, role) for role in spec.roles]
    role_widths = [min(ROLE_WIDE, max(ROLE_NARROW, len(name))) for name in names]
    fixed = 4 + sum(2 + w for w in widths.values()) + 2 + 5  # '#', the id and kept columns, 'fit'
    if fixed + sum(2 + w for w in role_widths) > width:  # too wide for the terminal: narrow columns
        role_widths = [ROLE_NARROW] * len(names)
    lines = [f"ranked by: {titles.get(first, first)} ({first})", ""]
    lines += _header(
        [f"{'#':>4}", *(f"{_short(c, w):<{w}}" for c, w in widths.items())], names, role_widths, f"{'fit':>5}"
    )
    wrap = max(40, width - 8)
    for record in ranking.records:
        cells = [
            f"{record['rank'] or '-':>4}",
            *(f"{_short(_text(record[c]), w):<{w}}" for c, w in widths.items()),
        ]
        for role, w in zip(spec.roles, role_widths):
            confidence = record[f"confidence_{role}"]
            cells.append(f"{'-' if confidence is None else percent(confidence, decimals=1):>{w}}")
        cells.append(f"{'-' if record['fit'] is None else format(record['fit'], '.2f'):>5}")
        lines.append("  ".join(cells) + ("  (no strong fit)" if record["abstain"] else ""))
        if record["status"] != "ok":
            lines.append("      error: " + textwrap.shorten(record["error"], wrap - 13))
            continue
        if record[f"evidence_{first}"]:
            lines.append(
                "      their text: " + textwrap.shorten(f"“{record[f'evidence_{first}']}”", wrap - 18)
            )
        if record[f"quote_{first}"]:
            lines.append("      article:    " + textwrap.shorten(record[f"quote_{first}"], wrap - 18))
    if not ranking.records:
        lines.append("(no candidate passes the filters)")
    return "\n".join(lines) + "\n"


def _header(left: list[str], names: list[str], role_widths: list[int], right: str) -> list[str]:
    """The header lines: each role's title wrapped to its column (right-aligned over the numbers), the
    other headings on the last line, beside the titles' last lines."""
    wrapped = [
        textwrap.wrap(name, w, max_lines=ROLE_HEAD_LINES, placeholder=" …") or [""]
        for name, w in zip(names, role_widths)
    ]
    depth = max(len(lines) for lines in wrapped)
    wrapped = [[""] * (depth - len(lines)) + lines for lines in wrapped]  # bottom-aligned
    out = []
    for k in range(depth):
        last = k == depth - 1
        cells = [cell if last else " " * len(cell) for cell in left]
        cells += [f"{lines[k]:>{w}}" for lines, w in zip(wrapped, role_widths)]
        cells.append(right if last else "")
        out.append("  ".join(cells).rstrip())
    return out


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\n", " ")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS = [rank]
