"""Build pipeline: corpus → index (→ classifier) → ``models/`` with its manifest."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from . import persist
from .config import default_corpus_dir, default_models_dir
from .corpus import load_corpus
from .embed import load_embedder
from .index import build_index

logger = logging.getLogger(__name__)


def build(
    corpus_dir: Path | None = None,
    models_dir: Path | None = None,
    backend: str = "minilm",
    embedder: Any = None,
    train: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Rebuild the artifacts of ``backend`` from the corpus; returns the manifest written.

    The index is always embedded in fp32, so the same corpus and model give the same vectors.
    """
    corpus_dir = corpus_dir or default_corpus_dir()
    models_dir = models_dir or default_models_dir(backend)
    steps = ["load corpus", "embed index", "train classifier"] if train else ["load corpus", "embed index"]
    with tqdm(total=len(steps), desc="Build", unit="step", disable=not progress) as bar:
        bar.set_postfix_str(steps[0])
        corpus = load_corpus(corpus_dir)
        logger.info(
            "Build - %d articles, %d passages, %d roles",
            len(corpus.articles),
            len(corpus.passages),
            len(corpus.roles),
        )
        if embedder is None:
            if backend == "static":  # distilled once from the bundled MiniLM, then committed
                from .embed.static import ensure_static_model

                ensure_static_model()
            embedder = (
                load_embedder(backend, dtype="fp32", batch_invariant=False)
                if backend == "minilm"
                else load_embedder(backend)
            )
        bar.update()
        bar.set_postfix_str(steps[1])
        index = build_index(corpus, embedder)
        files = persist.save_index(models_dir, index, corpus)
        manifest = persist.new_manifest(backend, embedder, corpus, files)
        persist.write_manifest(models_dir, manifest)
        logger.info("Build - wrote index to %s", models_dir)
        bar.update()
        if train:
            from .train import train as run_train

            bar.set_postfix_str(steps[2])
            manifest = run_train(
                corpus_dir=corpus_dir,
                models_dir=models_dir,
                backend=backend,
                embedder=embedder,
                progress=progress,
            )
            bar.update()
    return manifest
