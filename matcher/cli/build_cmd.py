"""``rolematch build``: rebuild ``models/`` from ``corpus/``."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import INDEX_OF_MINILM
from ..errors import RolematchError
from ._common import backend_option, catalog_option, models_option, resolve_catalog_or_fail


@click.command()
@backend_option
@models_option
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of roles.yaml and articles/ (default: the catalog's).",
)
@catalog_option
@click.option("--no-train", is_flag=True, help="Only the index; keep the similarity ranker.")
def build(
    backend: str, models_dir: Path | None, corpus_dir: Path | None, catalog: Path | None, no_train: bool
) -> None:
    """Rebuild the passages, embeddings, index, classifier (if the catalog has labelled examples) and
    manifest in the catalog's models/. The onnx and minilm backends read one index (embedded by MiniLM in
    fp32); for onnx, the default, the int8 encoder is packed again first when it is stale.

    \b
    Examples:
      rolematch build
      rolematch build --catalog my-catalog
    """
    from ..build import build as run_build
    from ..fused import CLASSIFIER_FILE

    asked = backend
    if backend == "onnx":  # the int8 run-time encoder (models/encoder/) reads MiniLM's index: build both
        from ..embed.onnx import encoder_is_current, pack_encoder

        try:
            if not encoder_is_current():
                click.echo(f"packed the int8 ONNX encoder into {pack_encoder()}")
        except RolematchError as exc:
            raise click.ClickException(str(exc)) from exc
        backend = "minilm"
    found = resolve_catalog_or_fail(catalog)
    try:
        manifest = run_build(
            corpus_dir=corpus_dir,
            models_dir=models_dir,
            backend=backend,
            train=not no_train,
            progress=True,
            catalog=found.root,
        )
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(built_line(asked, manifest, models_dir or found.models_dir(backend)))
    if not no_train and CLASSIFIER_FILE not in manifest.get("files", {}):
        click.echo(
            "no labelled examples (examples/*.csv): ranking uses similarity"
            + (" and the O*NET backbone" if "occupation_vectors.npy" in manifest.get("files", {}) else "")
            + "; its confidence is marked not calibrated"
        )


def built_line(backend: str, manifest: dict, where: Path) -> str:
    """What ``build`` made, named as ``--backend`` names it: the backends that read the index built
    (``onnx`` and ``minilm`` read one: the int8 ONNX encoder is MiniLM's weights), its size and where."""
    readers = (
        [backend, *(b for b in INDEX_OF_MINILM if b != backend)] if backend in INDEX_OF_MINILM else [backend]
    )
    shared = " (one index, which both read)" if len(readers) > 1 else ""
    return (
        f"built artifacts for --backend {' and '.join(readers)}{shared}: {len(manifest['roles'])} roles, "
        f"{manifest['n_passages']} passages, corpus {manifest['corpus_sha256'][:12]} → {where}"
    )


COMMANDS = [build]
