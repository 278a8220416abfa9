"""Build pipeline: corpus → index (→ classifier) → ``models/`` with its manifest."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from . import persist
from .config import resolve_catalog
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
    catalog: str | Path | None = None,
) -> dict[str, Any]:
    """Rebuild the artifacts of ``backend`` from a catalog's sources; returns the manifest written.

    ``catalog``: a catalog folder (default ``$ROLEMATCH_CATALOG``, else the bundled one); its
    ``models/`` receives the artifacts unless ``models_dir`` is given. The classifier is trained only
    when the catalog has labelled examples (``examples/*.csv``); without them the similarity ranker
    (with the occupation backbone where roles give O*NET codes) ranks, and its confidence is marked
    not calibrated. The index is always embedded in fp32, so the same corpus and model give the same
    vectors.
    """
    found = resolve_catalog(catalog)
    corpus_dir = Path(corpus_dir) if corpus_dir else found.corpus_dir
    models_dir = Path(models_dir) if models_dir else found.models_dir(backend)
    train = train and has_examples(corpus_dir)
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
        manifest["catalog"] = corpus.name
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


def has_examples(corpus_dir: Path) -> bool:
    """True when the catalog has labelled examples to train the classifier on."""
    return any((corpus_dir / "examples").glob("*.csv"))
