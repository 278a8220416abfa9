"""``rolematch build``: rebuild ``models/`` from ``corpus/``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import RolematchError
from ._common import backend_option, models_option


@click.command()
@backend_option
@models_option
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--no-train", is_flag=True, help="Only the index; keep the similarity ranker.")
def build(backend: str, models_dir: Path | None, corpus_dir: Path | None, no_train: bool) -> None:
    """Rebuild the passages, embeddings, index, classifier and manifest in models/."""
    from ..build import build as run_build

    if backend == "onnx":  # the int8 run-time encoder (models/encoder/) reads MiniLM's index: build both
        from ..embed.onnx import encoder_is_current, pack_encoder

        try:
            if not encoder_is_current():
                click.echo(f"packed the int8 ONNX encoder into {pack_encoder()}")
        except RolematchError as exc:
            raise click.ClickException(str(exc)) from exc
        backend = "minilm"
    try:
        manifest = run_build(
            corpus_dir=corpus_dir, models_dir=models_dir, backend=backend, train=not no_train, progress=True
        )
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"built {backend} artifacts: {len(manifest['roles'])} roles, {manifest['n_passages']} passages, "
        f"corpus {manifest['corpus_sha256'][:12]}"
    )


COMMANDS = [build]
