"""Rank stage: similarity signals between a person's text and each role, as pure numpy.

``similarity_features`` gives, per role, four cosine signals (see ``FEATURES``). A ranker
turns them (and, for the fused ranker, classifier probabilities) into scores, calibrated
confidences and a fit score; see ``classify.FusedRanker`` for the trained one.
"""

from __future__ import annotations

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


class Ranker(Protocol):
    def rank(self, doc_vectors: np.ndarray, features: np.ndarray) -> Scores:
        """``doc_vectors`` ``(n, dim)``, ``features`` ``(n, n_roles, n_features)`` → ``Scores``."""
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

    def rank(self, doc_vectors: np.ndarray, features: np.ndarray) -> Scores:
        sim = similarity_score(features)
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
