"""Rank stage: similarity signals between a person's text and each role, as pure numpy.

``similarity_features`` gives, per role, four cosine signals (see ``FEATURES``). A ranker
turns them (and, for the fused ranker, classifier probabilities) into scores, calibrated
confidences and a fit score; see ``classify.FusedRanker`` for the trained one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .embed import EncodedText
from .embed.cache import SharedMemo
from .index import CorpusIndex
from .textproc import too_little_text

FEATURES = ("description", "best_chunk", "passages", "sentences")
BACKBONE = ("occupation", "title")  # per role: its occupations' and its job titles' best cosine
WORLD = (  # per text: the best match inside the catalog against the best outside it
    "inside_occupation",
    "outside_occupation",
    "occupation_margin",
    "has_title",
    "inside_title",
    "outside_title",
    "title_margin",
    "log_words",
)
TOP_K = 3
TITLE_MEMO = SharedMemo()  # title cosines shared by the texts that name the same titles (one per process)


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
    conditional: np.ndarray | None = None  # (n_docs, n_roles) P(role | some role fits)


def listed_order(score: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """Role indices as results list them, per text ``(..., n_roles)``: by confidence (the number shown),
    ties by the ranking score. A role that overlaps the top one can show more confidence than one the score
    ranks above it (the confidence counts overlapping roles as right); listed by score, a 66% role sat
    below a 0% one."""
    return np.lexsort((-score, -confidence), axis=-1)


def conformal_threshold(
    confidence: np.ndarray, truth: np.ndarray, coverage: float = 0.9, weights: np.ndarray | None = None
) -> float:
    """Split-conformal threshold: keep every role whose confidence is at least the returned value, and the
    set holds the right role with probability ≥ ``coverage`` on exchangeable data.

    ``confidence`` ``(n, n_roles)`` on calibration rows; ``truth`` ``(n,)`` their role indices;
    ``weights`` ``(n,)`` how much each row stands for (default equal): the level is a weighted quantile of
    the nonconformity, with the usual finite-sample correction for one more row of the largest weight.
    """
    n = len(truth)
    scores = 1.0 - confidence[np.arange(n), truth]  # nonconformity
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(scores, kind="stable")
    cumulative = np.cumsum(w[order]) / (w.sum() + w.max())
    at = min(int(np.searchsorted(cumulative, coverage - 1e-12)), n - 1)
    return float(1.0 - scores[order][at])


@dataclass(frozen=True)
class DocFeatures:
    """What the rankers see of ``n`` documents.

    ``vectors`` ``(n, dim)`` whole-text vectors; ``similarity`` ``(n, n_roles, 4)`` (see ``FEATURES``);
    ``chunks``: per document, its chunk vectors ``(n_chunks, dim)``; ``backbone`` ``(n, n_roles, 2)``
    (see ``BACKBONE``; the title column is 0 where the text names no title) and ``world`` ``(n, 8)``
    (see ``WORLD``), zeros without an occupation backbone.
    """

    vectors: np.ndarray
    similarity: np.ndarray
    chunks: tuple[np.ndarray, ...]
    backbone: np.ndarray | None = None
    world: np.ndarray | None = None
    too_short: np.ndarray | None = None  # (n,) bool: too little text to judge (``textproc.too_little_text``)

    def __post_init__(self) -> None:
        n, r = self.similarity.shape[:2]
        if self.too_short is None:
            object.__setattr__(self, "too_short", np.zeros(n, bool))
        if self.backbone is None:
            object.__setattr__(self, "backbone", np.zeros((n, r, len(BACKBONE)), np.float32))
        if self.world is None:
            object.__setattr__(self, "world", np.zeros((n, len(WORLD)), np.float32))

    def __len__(self) -> int:
        return len(self.vectors)

    def subset(self, rows: Sequence[int] | np.ndarray) -> DocFeatures:
        rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)
        return DocFeatures(
            self.vectors[rows],
            self.similarity[rows],
            tuple(self.chunks[i] for i in rows),
            self.backbone[rows],
            self.world[rows],
            self.too_short[rows],
        )

    @staticmethod
    def concat(parts: Sequence[DocFeatures]) -> DocFeatures:
        return DocFeatures(
            np.concatenate([p.vectors for p in parts]),
            np.concatenate([p.similarity for p in parts]),
            tuple(c for p in parts for c in p.chunks),
            np.concatenate([p.backbone for p in parts]),
            np.concatenate([p.world for p in parts]),
            np.concatenate([p.too_short for p in parts]),
        )


def featurize_docs(docs: Sequence[EncodedText], index: CorpusIndex) -> DocFeatures:
    """Ranker inputs for encoded documents."""
    n_roles, dim = index.role_vectors.shape
    if not docs:
        return DocFeatures(
            np.zeros((0, dim), np.float32), np.zeros((0, n_roles, len(FEATURES)), np.float32), ()
        )
    backbone, world = None, None
    if index.has_backbone:
        pairs = [backbone_features(d, index) for d in docs]
        backbone = np.stack([p[0] for p in pairs])
        world = np.stack([p[1] for p in pairs])
    return DocFeatures(
        vectors=np.stack([d.vector for d in docs]).astype(np.float32),
        similarity=np.stack([similarity_features(d, index) for d in docs]),
        chunks=tuple(d.chunk_vectors for d in docs),
        backbone=backbone,
        world=world,
        too_short=too_short(docs),
    )


def too_short(docs: Sequence[EncodedText]) -> np.ndarray:
    """``(n,)`` bool: the documents with too little text to judge (``textproc.too_little_text``)."""
    return np.array([too_little_text(d.text) for d in docs], dtype=bool)


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


def occupation_similarity(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_occupations,)``: cosine of each occupation to the whole text or to its best chunk (the larger)."""
    occ = index.occupation_vectors
    return doc.remembered(
        "occupation_similarity",
        occ,
        lambda: np.maximum(occ @ doc.vector, (doc.chunk_vectors @ occ.T).max(axis=0)),
    )


def remembered_by_titles(
    doc: EncodedText, key: str, source: object, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """``doc.remembered``, shared with every text whose title vectors have the same bits (``TITLE_MEMO``):
    ``compute`` reads only the titles and ``source``, so it gives them all the same result, and a title
    that comes back ("Software Engineer") is compared with the reference titles once."""
    titles = doc.title_vectors
    tag = (key, titles.shape, titles.dtype.str, titles.tobytes())
    return doc.remembered(key, source, lambda: TITLE_MEMO.get(tag, source, compute, len(tag[3])))


def title_similarity(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_person_titles, n_reference_titles)`` cosines (no rows where the text names no title)."""
    if not doc.names_titles:
        return np.zeros((0, len(index.title_vectors)), np.float32)
    refs = index.title_vectors
    return remembered_by_titles(doc, "title_similarity", refs, lambda: doc.title_vectors @ refs.T)


def role_title_similarity(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_roles + 1,)`` for a text that names a title: per role, the best cosine of one of the person's
    titles to one of the role's reference titles (0 if it owns none); last, the best to a reference
    title no role owns (0 if there is none)."""

    def compute() -> np.ndarray:
        best = title_similarity(doc, index).max(axis=0)  # (n_reference_titles,)
        owned = index.title_roles > 0
        role_title = np.where(owned.T, best[None, :], 0.0).max(axis=1)
        outside = ~owned.any(axis=1)
        return np.append(role_title, best[outside].max() if outside.any() else 0.0).astype(np.float32)

    return remembered_by_titles(doc, "role_title_similarity", index, compute)


def backbone_features(doc: EncodedText, index: CorpusIndex) -> tuple[np.ndarray, np.ndarray]:
    """Per role ``(n_roles, 2)`` (see ``BACKBONE``) and per text ``(8,)`` (see ``WORLD``) backbone signals.

    A role's occupation cosine is the best over the occupations it covers; its title cosine the best
    of any of the person's titles to any of its reference titles. Outside: occupations no role covers.
    """
    occ = occupation_similarity(doc, index)
    covers = index.occupation_weights > 0  # (n_occ, n_roles)
    inside = covers.any(axis=1)
    role_occ = np.where(covers.T, occ[None, :], -1.0).max(axis=1)
    inside_occ = float(occ[inside].max()) if inside.any() else 0.0
    outside_occ = float(occ[~inside].max()) if (~inside).any() else 0.0
    n_roles = covers.shape[1]
    if doc.names_titles:
        titled = role_title_similarity(doc, index)
        role_title = titled[:n_roles]
        inside_title = float(role_title.max())
        outside_title = float(titled[n_roles])
        has_title = 1.0
    else:
        role_title = np.zeros(n_roles, np.float32)
        inside_title = outside_title = has_title = 0.0
    words = len(doc.text.split())
    world = np.array(
        [
            inside_occ,
            outside_occ,
            inside_occ - outside_occ,
            has_title,
            inside_title,
            outside_title,
            inside_title - outside_title,
            np.log1p(words),
        ],
        dtype=np.float32,
    )
    return np.stack([role_occ, role_title], axis=1).astype(np.float32), world


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
        conditional = softmax(sim, self.temperature)
        return Scores(
            score=np.clip(sim, 0.0, 1.0),
            confidence=fit[:, None] * conditional,
            conditional=conditional,
            similarity=np.clip(sim, 0.0, 1.0),
            classifier=None,
            fit=fit,
            abstain=best < self.fit_threshold,
        )


@dataclass(frozen=True)
class SimilarityBackboneRanker:
    """The ranker of a catalog without labelled examples: similarity, plus the occupation backbone's
    signals where roles give O*NET codes. Nothing is learned, so its confidence is not calibrated.

    A role's score is the mean of its four similarity cosines, of its occupations' best cosine (roles
    with codes) and of its job titles' best cosine (texts that name a title). Without a backbone it
    ranks exactly as ``SimilarityRanker``. ``fit_threshold``: the best score under which it abstains.
    """

    temperature: float = 0.03
    fit_threshold: float = 0.30
    calibrated: bool = False

    def rank(self, features: DocFeatures) -> Scores:
        has_backbone = features.world.any(axis=1)[:, None]  # (n, 1): the backbone's word count is never 0
        occ, title = features.backbone[..., 0], features.backbone[..., 1]
        use_occ = has_backbone & (occ > -0.999)  # -1: the role covers no occupation
        use_title = has_backbone & (features.world[:, 3:4] > 0)  # the text names a job title
        total = (
            features.similarity.sum(axis=-1) + np.where(use_occ, occ, 0.0) + np.where(use_title, title, 0.0)
        )
        score = total / (features.similarity.shape[-1] + use_occ + use_title)
        best = score.max(axis=1) if score.size else np.zeros(len(score))
        fit = np.clip(best / (2 * self.fit_threshold), 0.0, 1.0)
        conditional = softmax(score, self.temperature) if score.size else score
        return Scores(
            score=np.clip(score, 0.0, 1.0),
            confidence=fit[:, None] * conditional,
            conditional=conditional,
            similarity=np.clip(similarity_score(features.similarity), 0.0, 1.0),
            classifier=None,
            fit=fit,
            abstain=best < self.fit_threshold,
        )
