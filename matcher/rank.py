"""Rank stage: similarity signals between a person's text and each role, as pure numpy.

``similarity_features`` gives, per role, four cosine signals (see ``FEATURES``). A ranker
turns them (and, for the fused ranker, classifier probabilities) into scores, calibrated
confidences and a fit score; see ``classify.FusedRanker`` for the trained one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .embed import EncodedText
from .index import CorpusIndex

FEATURES = ("description", "best_chunk", "passages", "sentences")
TOP_K = 3


@dataclass(frozen=True)
class Scores:
    """Per-document role scores: arrays ``(n_docs, n_roles)`` and ``(n_docs,)``."""

    score: np.ndarray
    confidence: np.ndarray
    similarity: np.ndarray
    classifier: np.ndarray | None
    fit: np.ndarray
    abstain: np.ndarray
    in_set: np.ndarray | None = None  # (n_docs, n_roles) conformal prediction set membership
    coverage: float | None = None  # the set's target coverage


def conformal_threshold(confidence: np.ndarray, truth: np.ndarray, coverage: float = 0.9) -> float:
    """Split-conformal threshold: keep every role whose confidence is at least the returned value, and the
    set holds the right role with probability ≥ ``coverage`` on exchangeable data.

    ``confidence`` ``(n, n_roles)`` on calibration rows; ``truth`` ``(n,)`` their role indices.
    """
    n = len(truth)
    scores = 1.0 - confidence[np.arange(n), truth]  # nonconformity
    level = min(1.0, np.ceil((n + 1) * coverage) / n)
    return float(1.0 - np.quantile(scores, level, method="higher"))


@dataclass(frozen=True)
class DocFeatures:
    """What the rankers see of ``n`` documents.

    ``vectors`` ``(n, dim)`` whole-text vectors; ``similarity`` ``(n, n_roles, 4)`` (see ``FEATURES``);
    ``chunks``: per document, its chunk vectors ``(n_chunks, dim)``.
    """

    vectors: np.ndarray
    similarity: np.ndarray
    chunks: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return len(self.vectors)

    def subset(self, rows: Sequence[int] | np.ndarray) -> DocFeatures:
        rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)
        return DocFeatures(self.vectors[rows], self.similarity[rows], tuple(self.chunks[i] for i in rows))


def featurize_docs(docs: Sequence[EncodedText], index: CorpusIndex) -> DocFeatures:
    """Ranker inputs for encoded documents."""
    n_roles, dim = index.role_vectors.shape
    if not docs:
        return DocFeatures(
            np.zeros((0, dim), np.float32), np.zeros((0, n_roles, len(FEATURES)), np.float32), ()
        )
    return DocFeatures(
        vectors=np.stack([d.vector for d in docs]).astype(np.float32),
        similarity=np.stack([similarity_features(d, index) for d in docs]),
        chunks=tuple(d.chunk_vectors for d in docs),
    )


class Ranker(Protocol):
    def rank(self, features: DocFeatures) -> Scores:
        """Scores for the documents described by ``features``."""
        ...


def top_k_mean(values: np.ndarray, k: int = TOP_K, axis: int = 0) -> np.ndarray:
    """Mean of the ``k`` largest values along ``axis`` (all of them if fewer)."""
    k = min(k, values.shape[axis])
    if k == 0:
        return np.zeros(np.delete(values.shape, axis), dtype=np.float32)
    part = -np.partition(-values, k - 1, axis=axis)
    return np.take(part, range(k), axis=axis).mean(axis=axis)


def similarity_features(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_roles, 4)``: cosine of the whole text, of its best chunk, of its best-matching grounded
    passages (top-3 mean) and of its best sentences (top-3 mean) to each role."""
    roles = index.role_vectors
    description = roles @ doc.vector
    best_chunk = (doc.chunk_vectors @ roles.T).max(axis=0)
    per_passage = (doc.span_vectors @ index.passage_vectors.T).max(axis=0)  # (n_passages,)
    masked = np.where(index.grounding.T > 0, per_passage[None, :], -1.0)  # (n_roles, n_passages)
    passages = top_k_mean(masked, axis=1)
    sentences = top_k_mean(doc.span_vectors @ roles.T, axis=0)
    return np.stack([description, best_chunk, passages, sentences], axis=1).astype(np.float32)


def similarity_score(features: np.ndarray) -> np.ndarray:
    """The similarity signal alone: the mean of the four cosines, ``(..., n_roles)``."""
    return features.mean(axis=-1)


def softmax(x: np.ndarray, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    z = x / temperature
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class SimilarityRanker:
    """Ranks by similarity alone (no training): the baseline, and the fallback without a classifier.

    ``temperature`` spreads the softmax confidence; ``fit_threshold`` is the best-role similarity
    under which the result abstains.
    """

    temperature: float = 0.03
    fit_threshold: float = 0.30

    def rank(self, features: DocFeatures) -> Scores:
        sim = similarity_score(features.similarity)
        best = sim.max(axis=1)
        fit = np.clip(best / (2 * self.fit_threshold), 0.0, 1.0)
        return Scores(
            score=np.clip(sim, 0.0, 1.0),
            confidence=softmax(sim, self.temperature),
            similarity=np.clip(sim, 0.0, 1.0),
            classifier=None,
            fit=fit,
            abstain=best < self.fit_threshold,
        )
