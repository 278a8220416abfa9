"""``rolematch serve``: the local web page and JSON API."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from ._common import backend_option, catalog_option, load_matcher, models_option, uncalibrated_note

logger = logging.getLogger(__name__)

WARM_UP = "I lead product launches and write the messaging for a software product."


@click.command(
    epilog="""\b
Examples:
  rolematch serve                      # then open http://127.0.0.1:8000
  rolematch serve --port 8080 --no-access-log
  curl -s localhost:8000/api/match -H 'content-type: application/json' -d '{"text": "I run launches..."}'
"""
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. The default is this machine only; anything else exposes the page "
    "(no authentication) to your network.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(1, 600),
    default=30.0,
    show_default=True,
    help="Seconds one request may take before it is answered with 504.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log method, path and status per request (never bodies or query strings).",
)
@backend_option
@models_option
@catalog_option
def serve(
    host: str,
    port: int,
    timeout_s: float,
    access_log: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
):
    """Serve the page (paste a resume, see ranked roles and why) and the JSON API, offline."""
    try:
        from ..web.app import WebSettings, create_app
        from ..web.server import LOOPBACK, bind_socket
        from ..web.server import serve as run_server
    except ImportError as exc:
        raise click.ClickException(
            f"the web server needs the 'web' extra ({exc.name} is missing): pip install 'rolematch[web]'"
        ) from exc

    try:  # fail before the model load if the address is taken
        bind_socket(host, port).close()
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror}); is another server running there? "
            "Pick another port with --port 8080"
        ) from exc
    matcher = load_matcher(models_dir, backend, catalog) if catalog else load_matcher(models_dir, backend)
    matcher.match(WARM_UP, top=1, quotes=1, paths=True)  # first-call costs (threads, caches, paths) paid now
    app = create_app(matcher, WebSettings(timeout_s=timeout_s))
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"rolematch: serving on http://{shown}:{port}  "
        f"(catalog {getattr(matcher, 'catalog_name', 'catalog')!r}, model {matcher.model_version}; "
        "Ctrl+C stops)"
    )
    if not getattr(matcher, "calibrated", True):
        click.echo(f"rolematch: {uncalibrated_note(matcher)}")
    if host in LOOPBACK:
        click.echo("rolematch: bound to this machine only; nothing is sent over the network.")
    else:
        click.echo(
            f"rolematch: WARNING: bound to {host}: anyone who can reach this address can use the page "
            "(there is no authentication). Use --host 127.0.0.1 to keep it local.",
            err=True,
        )
    run_server(app, host=host, port=port, access_log=access_log)


COMMANDS = [serve]
