"""The ``rolematch`` command line: one module per command, all calling the Python API."""

from __future__ import annotations

import logging

import click

from .. import __version__

EPILOG = """\b
Examples:
  rolematch match "Six years running go-to-market launches for a SaaS product..."
  cat cv.txt | rolematch match - --format json
  rolematch roles
  rolematch rank --role product-marketing-manager candidates.csv --text-column bio
  rolematch build
  rolematch init my-catalog && rolematch build --catalog my-catalog
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rolematch")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def main(verbose: int, quiet: bool) -> None:
    """rolematch: which roles fit a resume or bio, how sure, and why (offline)."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from . import (
        batch_cmd,
        build_cmd,
        init_cmd,
        match_cmd,
        paths_cmd,
        rank_cmd,
        roles_cmd,
        serve_cmd,
        train_cmd,
    )

    for module in (
        batch_cmd,
        match_cmd,
        paths_cmd,
        rank_cmd,
        roles_cmd,
        init_cmd,
        build_cmd,
        train_cmd,
        serve_cmd,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
