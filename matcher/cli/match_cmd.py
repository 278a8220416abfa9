"""``rolematch match``: rank the roles for one resume or bio."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import RolematchError
from ._common import (
    FORMATS,
    backend_option,
    catalog_option,
    chosen_backend,
    fast_option,
    load_matcher,
    models_option,
    read_text_arg,
    text_input,
)
from ._render import render_markdown, render_table
from ._table import echo_notes


@click.command(
    epilog="""\b
Examples:
  rolematch match "I run go-to-market launches and write case studies for a SaaS product."
  rolematch match --file resume.pdf --top 3 --format markdown
  cat cv.txt | rolematch match - --format json
  rolematch match --catalog my-catalog "Five years of SQL dashboards and reports."
"""
)
@text_input
@click.option(
    "-k", "--top", type=click.IntRange(1, 50), default=3, show_default=True, help="How many roles to show."
)
@click.option("--quotes", type=click.IntRange(0, 5), default=2, show_default=True, help="Quotes per role.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--paths", "with_paths", is_flag=True, help="Add next career moves, strengths and gaps.")
@fast_option
@backend_option
@models_option
@catalog_option
@click.pass_context
def match(
    ctx: click.Context,
    text: str | None,
    file: tuple[Path, ...],
    top: int,
    quotes: int,
    fmt: str,
    with_paths: bool,
    fast: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
):
    """Rank the roles that fit TEXT (a resume or bio; '-' reads stdin)."""
    body, read_warnings = read_text_arg(text, file)
    matcher = load_matcher(models_dir, chosen_backend(ctx, backend, fast), catalog)
    try:
        result = matcher.match(body, top=min(top, len(matcher.corpus.roles)), quotes=quotes, paths=with_paths)
        result = result.after_reading(read_warnings)  # a file's or stdin's decoding and repairs first
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    echo_notes("match", result.warnings)  # JSON carries them; the table and markdown say them on stderr
    from .paths_cmd import render_paths_markdown, render_paths_table

    if fmt == "markdown":
        click.echo(render_markdown(result), nl=False)
        if result.paths is not None:
            click.echo("\n## Next moves\n\n" + render_paths_markdown(result.to_dict()["paths"]), nl=False)
    else:
        click.echo(render_table(result), nl=False)
        if result.paths is not None:
            click.echo("\nnext moves\n" + render_paths_table(result.to_dict()["paths"]), nl=False)


COMMANDS = [match]
