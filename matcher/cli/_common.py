"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import RolematchError
from ..textproc import decode_bytes

FORMATS = ("table", "json", "markdown")


def backend_option(f):
    return click.option(
        "--backend",
        type=click.Choice(["minilm", "onnx", "static"]),
        default="minilm",
        show_default=True,
        help="Embedding backend: minilm (default), onnx (the same MiniLM, int8 on ONNX Runtime, no torch; "
        "`rolematch build --backend onnx` exports it), or static (model2vec distilled from it: "
        "12-16x faster end to end, a little less accurate).",
    )(f)


def models_option(f):
    return click.option(
        "--models",
        "models_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder of built artifacts (default: models/ of the project).",
    )(f)


def text_input(f):
    """The person's text: a TEXT argument ('-' reads stdin) or ``--file``."""
    f = click.option(
        "-f",
        "--file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Read the text from a file.",
    )(f)
    return click.argument("text", required=False)(f)


def read_text_arg(text: str | None, file: Path | None) -> str:
    """The person's text from the argument, ``-`` (stdin) or ``--file``."""
    if text is not None and file is not None:
        raise click.UsageError("give the text either as an argument or with --file, not both")
    try:
        if file is not None:
            return decode_bytes(file.read_bytes())
        if text is None or text == "-":
            if text is None and sys.stdin.isatty():
                raise click.UsageError("give a text, '-' to read stdin, or --file resume.txt")
            return decode_bytes(sys.stdin.buffer.read())
    except OSError as exc:
        raise click.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="--file") from exc
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    return text


def load_matcher(models_dir: Path | None, backend: str):
    from ..matcher import RoleMatcher

    try:
        return RoleMatcher.load(models_dir=models_dir, backend=backend)
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
