"""``rolematch roles``: list the role catalog."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from ..corpus import load_corpus, role_catalog
from ..errors import RolematchError
from ._common import catalog_option, resolve_catalog_or_fail


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of roles.yaml and articles/ (default: the catalog's).",
)
@catalog_option
def roles(fmt: str, corpus_dir: Path | None, catalog: Path | None) -> None:
    """List the roles of the catalog (JSON: with the passages that ground each role)."""
    found = resolve_catalog_or_fail(catalog)
    try:
        corpus = load_corpus(corpus_dir or found.corpus_dir)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(role_catalog(corpus), indent=2, ensure_ascii=False))
        return
    click.echo(f"catalog {corpus.name!r}: {len(corpus.roles)} roles, {len(corpus.articles)} articles\n")
    for role in corpus.roles:
        n = len(corpus.grounding[role.id])
        click.echo(f"{role.id:<28} {role.title}  ({n} passages)")
        click.echo(textwrap.fill(role.description, 96, initial_indent="    ", subsequent_indent="    "))


COMMANDS = [roles]
