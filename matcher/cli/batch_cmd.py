"""``rolematch batch``: score a CSV/JSONL/Parquet/.xlsx file of resumes or bios, one ranked row per input row."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import RolematchError
from ._common import (
    backend_option,
    catalog_option,
    chosen_backend,
    fast_option,
    models_option,
    resolve_catalog_or_fail,
)
from ._table import (
    EXIT_HELP,
    EXIT_INTERRUPTED,
    check_keep_options,
    echo_notes,
    exit_status,
    file_options,
    parse_delimiter,
    table_options,
)


@click.command(
    epilog="""\b
Examples:
  rolematch batch candidates.csv --text-column bio --id-column id --top 3 --output ranked.csv
  rolematch batch candidates.xlsx --text-column bio --keep-columns name,email --output ranked.xlsx
  rolematch batch candidates.parquet --text-column bio --fast --output ranked.parquet
  rolematch batch resumes/ --recursive --glob '*.pdf' --output ranked.csv
  rolematch batch resumes.zip --output ranked.jsonl
  cat candidates.csv | rolematch batch - --text-column bio --output ranked.jsonl
  rolematch batch big.csv --text-column bio --output ranked.csv --resume      # after an interruption
  rolematch batch big.csv --text-column bio --output ranked.csv --engine dask --scheduler tcp://host:8786

\b
Output columns: id (or row), the --keep-columns, status (ok/error), error, warning, abstain, fit,
model_version, then role_i, title_i, score_i (ranking score, not a probability), confidence_i
(the probability that the role is right, counting the chance that none fits), quote_i (the
article passage) and evidence_i (the person's own sentence) for i = 1..top; numbers have at most
4 decimals. JSONL carries the full result of each row. CSV is UTF-8 with a byte-order mark so that Excel reads it
right (--no-bom leaves it out). .xlsx adds an "about" sheet (model, catalog, settings).

"""
    + EXIT_HELP
)
@click.argument("source", metavar="INPUT")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .csv, .xlsx, .jsonl (full results) or .parquet; - for standard output (CSV).",
)
@click.option(
    "--format",
    "stdout_format",
    type=click.Choice(["csv", "jsonl"]),
    default=None,
    help="The format on standard output (-o -); a file's format comes from its extension.",
)
@table_options
@click.option("-k", "--top", type=click.IntRange(1, 50), default=3, show_default=True, help="Roles per row.")
@click.option(
    "--quotes",
    type=click.IntRange(0, 5),
    default=None,
    help="Quotes per role (default: 3 in JSONL; CSV and Parquet show the best one).",
)
@click.option(
    "--include-text",
    is_flag=True,
    help="Copy the input text into the output (personal data: off by default).",
)
@fast_option
@backend_option
@models_option
@catalog_option
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where rows are scored: this machine, or a Dask cluster (pip install 'rolematch[dask]').",
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster of 2 workers).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Scoring processes (default: 1 for MiniLM, whose encoder uses every core; one per core for --fast "
    "on inputs over 1 MB; 2 for a local Dask cluster).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 100_000),
    default=512,
    show_default=True,
    help="Rows read, scored and written at a time.",
)
@file_options
@click.option("--resume", is_flag=True, help="Continue an interrupted run from the rows already in --output.")
@click.option("--overwrite", is_flag=True, help="Replace an existing --output.")
@click.option(
    "--no-bom", is_flag=True, help="Write CSV without the UTF-8 byte-order mark (for tools that keep it)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.pass_context
def batch(
    ctx: click.Context,
    source: str,
    output: Path,
    stdout_format: str | None,
    text_column: str,
    id_column: str | None,
    keep_columns: str | None,
    keep_all: bool,
    sheet: str | None,
    delimiter: str | None,
    top: int,
    quotes: int | None,
    include_text: bool,
    fast: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int,
    recursive: bool,
    pattern: str | None,
    resume: bool,
    overwrite: bool,
    no_bom: bool,
    quiet: bool,
) -> None:
    """Score every row of INPUT (.csv, .tsv, .xlsx, .jsonl, .parquet, or '-' for CSV on stdin) into
    --output, in order. The CSV delimiter (comma, semicolon, tab, pipe) is detected.

    INPUT may also be a folder or a .zip of resume files (.pdf, .docx, .txt, .md): one row per file, in
    sorted path order, with a `file` column (the path relative to the folder); a bad file is an error row.

    Every input row gives exactly one output row; a row that cannot be scored says why (status=error).
    """
    keep = check_keep_options(keep_columns, keep_all)
    delimiter = parse_delimiter(delimiter)
    backend = chosen_backend(ctx, backend, fast)
    if resume and overwrite:
        raise click.UsageError("choose --resume (continue the output) or --overwrite (replace it), not both")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler is the address of a Dask cluster: add --engine dask")
    from ..batch import BatchInterrupted, run_batch
    from ..batch.engine import default_workers

    found = resolve_catalog_or_fail(catalog)
    try:
        summary = run_batch(
            source,
            output,
            text_column=text_column,
            id_column=id_column,
            top=top,
            quotes=quotes,
            include_text=include_text,
            backend=backend,
            models_dir=models_dir or found.models_dir(backend),
            corpus_dir=found.corpus_dir,
            engine=engine,
            workers=workers or default_workers(engine, backend, source),
            scheduler=scheduler,
            resume=resume,
            overwrite=overwrite,
            chunk_rows=chunk_size,
            progress=not quiet and sys.stderr.isatty(),
            recursive=recursive,
            glob=pattern,
            keep_columns=keep,
            keep_all=keep_all,
            delimiter=delimiter,
            sheet=sheet,
            bom=not no_bom,
            stdout_format=stdout_format,
        )
    except BatchInterrupted as exc:
        click.echo(f"rolematch batch: {exc}", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        echo_notes("batch", summary.notes)
        click.echo(f"rolematch batch: {summary.line()}", err=True)
        if summary.uncalibrated:
            click.echo(
                f"rolematch batch: confidence {summary.uncalibrated} (see the confidence_note column)",
                err=True,
            )
    ctx.exit(exit_status(summary.rows_ok, summary.rows_error, summary.rows_resumed))


COMMANDS = [batch]
