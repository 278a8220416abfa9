"""``rolematch paths``: where a person can go next, what each move takes, and what their text lacks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from ..errors import RolematchError
from ..results import percent
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
from ._table import echo_notes

QUOTES_SHOWN = 2  # per move, in the table and Markdown (JSON has them all)


def _cite(q: dict[str, Any]) -> str:
    return f"{q['title']} ({q['source']}:{q['start']}-{q['end']})"


def _md_quote(q: dict[str, Any]) -> str:
    return f"> {q['text']}\n>\n> — *{q['title']}* (`{q['source']}:{q['start']}-{q['end']}`)\n"


def _fill(text: str, width: int, indent: str) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent + " ")


def render_paths_table(paths: dict[str, Any], width: int = 100, outside: str | None = None) -> str:
    """The ``paths`` dict of a ``MatchResult`` as terminal text; ``outside``: its ``outside_line``."""
    cur = paths["current"]
    weak = " (weak fit: treat the moves below with care)" if cur["weak"] else ""
    lines = [f"current role: {cur['title']} ({percent(cur['confidence'])} confidence){weak}"]
    if outside:
        lines.append(
            _fill(f"no strong fit: {outside}; the moves start from the nearest catalog role", width, "")
        )
    if paths["also_close"]:
        lines.append("also close: " + ", ".join(a["title"] for a in paths["also_close"]))
    if paths["hybrid"]:
        lines += ["", _fill("hybrid: " + paths["hybrid"]["note"], width, "")]
        for q in paths["hybrid"]["quotes"]:
            lines += [_fill(f"“{q['text']}”", width, "    "), f"      — {_cite(q)}"]
    if paths["note"]:
        lines += ["", paths["note"]]
    for rank, move in enumerate(paths["moves"], 1):
        lines += [
            "",
            f"{rank}. {move['title']}  (readiness {move['readiness']:.2f}; your text shows "
            f"{move['signals_shown']} of its {move['signals_total']} signals)",
            _fill("why: " + move["reason"], width, "   "),
        ]
        for q in move["quotes"][:QUOTES_SHOWN]:
            lines += [_fill(f"“{q['text']}”", width, "    "), f"      — {_cite(q)}"]
        lines.append(_fill("the move requires: " + "; ".join(move["requires"]), width, "   "))
        for s in move["strengths"]:
            said = f" — “{textwrap.shorten(s['evidence']['text'], 70)}”" if s["evidence"] else ""
            lines.append(f"   + {s['skill']}{said}")
        for g in move["gaps"]:
            q = g["quote"]
            lines.append(
                f"   - gap: {g['skill']}" + (f" — {q['source']}:{q['start']}-{q['end']}" if q else "")
            )
    return "\n".join(lines).rstrip() + "\n"


def render_paths_markdown(paths: dict[str, Any], outside: str | None = None) -> str:
    """The ``paths`` dict of a ``MatchResult`` as Markdown; ``outside``: its ``outside_line``."""
    cur = paths["current"]
    weak = " — weak fit." if cur["weak"] else ""
    lines = [f"**Current role:** {cur['title']} ({percent(cur['confidence'])} confidence){weak}"]
    if outside:
        lines.append(f"\nNo strong fit: {outside}; the moves start from the nearest catalog role.")
    if paths["also_close"]:
        lines.append(f"\n**Also close:** {', '.join(a['title'] for a in paths['also_close'])}")
    if paths["hybrid"]:
        lines += ["", f"**Hybrid:** {paths['hybrid']['note']}", ""]
        lines += [_md_quote(q) for q in paths["hybrid"]["quotes"]]
    if paths["note"]:
        lines += ["", paths["note"]]
    for move in paths["moves"]:
        lines += ["", f"### → {move['title']} (readiness {move['readiness']:.2f})", "", move["reason"], ""]
        lines += [_md_quote(q) for q in move["quotes"][:QUOTES_SHOWN]]
        lines.append("**Requires:** " + "; ".join(move["requires"]))
        shown = [
            s["skill"] + (f" (“{s['evidence']['text']}”)" if s["evidence"] else "") for s in move["strengths"]
        ]
        if shown:
            lines.append("\n**You already show:** " + "; ".join(shown))
        if move["gaps"]:
            lines.append("\n**Gaps:** " + "; ".join(g["skill"] for g in move["gaps"]))
    return "\n".join(lines) + "\n"


@click.command(
    epilog="""\b
Examples:
  rolematch paths "Second line support: ServiceNow tickets, Active Directory, escalations."
  rolematch paths --file resume.pdf --format markdown
  cat cv.txt | rolematch paths - --format json
"""
)
@text_input
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@fast_option
@backend_option
@models_option
@catalog_option
@click.pass_context
def paths(
    ctx: click.Context,
    text: str | None,
    file: tuple[Path, ...],
    fmt: str,
    fast: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
):
    """Next career moves for TEXT (a resume or bio; '-' reads stdin), with quotes and your gaps."""
    body, read_warnings = read_text_arg(text, file)
    matcher = load_matcher(models_dir, chosen_backend(ctx, backend, fast), catalog)
    if not matcher.has_paths:
        raise click.ClickException(
            f"the catalog {matcher.catalog_name!r} has no career paths: write paths.yaml beside its "
            "roles.yaml (paths.example.yaml shows the format)"
        )
    try:
        result = matcher.match(body, top=1, quotes=0, paths=True)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    echo_notes("paths", result.after_reading(read_warnings).warnings)  # on stderr: stdout is the paths
    whole = result.to_dict()
    data = whole["paths"]
    if fmt == "json":  # with the match's fit and, when it abstains, the closest occupation outside
        data = {**data, "fit": whole["fit"], "closest_occupation": whole["closest_occupation"]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render_paths_markdown(data, result.outside_line), nl=False)
    else:
        click.echo(render_paths_table(data, outside=result.outside_line), nl=False)


COMMANDS = [paths]
