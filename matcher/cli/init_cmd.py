"""``rolematch init``: create a catalog folder (your roles, articles and job descriptions)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import RolematchError


@click.command(
    epilog="""\b
Examples:
  rolematch init my-catalog                              # one documented example role
  rolematch init my-catalog --from-csv roles.csv         # columns id,title,description
  rolematch init my-catalog --from-onet 15-1252.00,15-1211.00
  rolematch init openings --from-jds jds/                # one role per job description
\b
Then:
  rolematch build --catalog my-catalog
  rolematch match --catalog my-catalog "Five years of SQL dashboards and reports."
"""
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from-csv",
    "csv_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Roles from a CSV with columns id, title, description (optional: titles, onet; ';'-separated).",
)
@click.option(
    "--from-onet",
    "onet_codes",
    default=None,
    help="Roles from O*NET-SOC codes, comma-separated: title, description and alternate titles from the "
    "bundled occupation backbone.",
)
@click.option(
    "--from-jds",
    "jds",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Roles from a folder of job descriptions (.md, .txt, .pdf, .docx): one role per file; the JD is "
    "its description and its article (its sentences become the quotes).",
)
@click.option("--name", default=None, help="The catalog's name (shown on the page and in results).")
def init(
    directory: Path, csv_path: Path | None, onet_codes: str | None, jds: Path | None, name: str | None
) -> None:
    """Create a catalog in DIRECTORY: roles.yaml, articles/, examples/, a README."""
    from ..catalog import from_csv, from_jds, from_onet, init_catalog

    try:
        drafts = []
        if csv_path is not None:
            drafts += from_csv(csv_path)
        if onet_codes is not None:
            drafts += from_onet(onet_codes)
        if jds is not None:
            drafts += from_jds(jds)
        init_catalog(directory, drafts, name=name)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    what = (
        f"{len(drafts)} role{'s' if len(drafts) != 1 else ''}"
        if drafts
        else "an example role (data-analyst) and its article"
    )
    click.echo(f"created the catalog {directory} with {what}; see {directory / 'README.md'}")
    click.echo(f"next: edit {directory / 'roles.yaml'}, then: rolematch build --catalog {directory}")


COMMANDS = [init]
