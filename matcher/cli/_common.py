"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource

from ..config import DEFAULT_BACKEND
from ..errors import RolematchError

FORMATS = ("table", "json", "markdown")


def backend_option(f):
    return click.option(
        "--backend",
        type=click.Choice(["minilm", "onnx", "static"]),
        default=DEFAULT_BACKEND,
        show_default=True,
        help="Embedding backend: onnx (all-MiniLM-L6-v2 as int8 on ONNX Runtime, no torch), minilm (the "
        "same model in torch fp32/bf16: pip install 'rolematch[train]'), or static (model2vec distilled "
        "from it: 12-16x faster end to end, a little less accurate).",
    )(f)


def fast_option(f):
    return click.option(
        "--fast", is_flag=True, help="Same as --backend static: the distilled model2vec model, far faster."
    )(f)


def chosen_backend(ctx: click.Context, backend: str, fast: bool) -> str:
    """The backend to load: ``static`` with ``--fast`` (which refuses another ``--backend`` given with it)."""
    if not fast:
        return backend
    if ctx.get_parameter_source("backend") == ParameterSource.COMMANDLINE and backend != "static":
        raise click.UsageError(
            f"--fast means --backend static; it cannot be combined with --backend {backend}"
        )
    return "static"


def models_option(f):
    return click.option(
        "--models",
        "models_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder of built artifacts (default: models/ of the project).",
    )(f)


def catalog_option(f):
    return click.option(
        "--catalog",
        "catalog",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="ROLEMATCH_CATALOG",
        show_envvar=True,
        help="Catalog folder (roles.yaml, articles/, models/; see `rolematch init`). "
        "Default: the bundled catalog.",
    )(f)


def resolve_catalog_or_fail(catalog: Path | None):
    """The ``Catalog`` of ``--catalog`` (or the bundled one); a bad folder is a usage error."""
    from ..config import resolve_catalog

    try:
        return resolve_catalog(catalog)
    except RolematchError as exc:
        raise click.BadParameter(str(exc), param_hint="--catalog") from exc


def uncalibrated_note(matcher) -> str | None:
    """The line the CLI prints when the catalog's confidence is not calibrated."""
    if matcher.calibrated:
        return None
    from ..results import UNCALIBRATED

    return f"confidence {UNCALIBRATED}: catalog {matcher.catalog_name!r} ranks by similarity"


def text_input(f):
    """The person's text: a TEXT argument ('-' reads stdin) or ``--file``."""
    f = click.option(
        "-f",
        "--file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        multiple=True,
        help="Read the resume from a file: .pdf, .docx, .txt or .md (told apart by its bytes).",
    )(f)
    return click.argument("text", required=False)(f)


def read_text_arg(text: str | None, file: tuple[Path, ...] | Path | None) -> tuple[str, tuple[str, ...]]:
    """The person's text from the argument, ``-`` (stdin: PDF, DOCX or text, told apart by its bytes)
    or ``--file``, and the read stage's warnings (``matcher.read``: files and stdin; none for an argument),
    for ``MatchResult.after_reading``."""
    from ..read import read_bytes, read_file

    files = (file,) if isinstance(file, Path) else tuple(file or ())
    if len(files) > 1:
        raise click.UsageError(
            f"--file was given {len(files)} times; match takes one file: to score several, "
            "use rolematch batch FOLDER -o results.csv"
        )
    if text is not None and files:
        raise click.UsageError("give the text either as an argument or with --file, not both")
    try:
        if files:
            document = read_file(files[0])
            return document.text, document.warnings
        if text is None or text == "-":
            if text is None and sys.stdin.isatty():
                raise click.UsageError("give a text, '-' to read stdin, or --file resume.pdf")
            document = read_bytes(sys.stdin.buffer.read(), None)
            return document.text, document.warnings
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    return text, ()


def load_matcher(models_dir: Path | None, backend: str, catalog: Path | None = None):
    from ..matcher import RoleMatcher

    resolve_catalog_or_fail(catalog)
    try:
        return RoleMatcher.load(models_dir=models_dir, backend=backend, catalog=catalog)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
