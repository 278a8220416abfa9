"""Explain stage: which corpus passages tie the person's text to a role, and which of the
person's sentences drove the match. Pure numpy over precomputed vectors."""

from __future__ import annotations

import re
from itertools import islice

import numpy as np

from .embed import EncodedText
from .index import CorpusIndex
from .rank import occupation_similarity, remembered_by_titles, title_similarity
from .textproc import too_little_text

PERSON_WEIGHT = 0.5  # quote score = 0.5 · closeness to the person + 0.5 · closeness to the role
DUPLICATE_COSINE = 0.9


def rank_quotes(doc: EncodedText, index: CorpusIndex, role: int, k: int = 3) -> list[tuple[int, float, int]]:
    """Up to ``k`` grounded passages for ``role``: ``(passage index, score, best sentence index)``.

    Near-duplicate passages (cosine > 0.9 to one already chosen) are skipped.
    """
    grounded = np.flatnonzero(index.grounding[:, role])
    if grounded.size == 0 or k <= 0:
        return []
    vectors = index.passage_vectors[grounded]
    person = person_passages(doc, index, role)  # (n_spans, n_grounded)
    eligible = evidence_mask(doc)
    best_span = (np.where(eligible[:, None], person, -np.inf) if eligible.any() else person).argmax(axis=0)
    score = PERSON_WEIGHT * person.max(axis=0) + (1 - PERSON_WEIGHT) * (vectors @ index.role_vectors[role])
    chosen: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        if all(float(vectors[i] @ vectors[j]) <= DUPLICATE_COSINE for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return [(int(grounded[i]), float(score[i]), int(best_span[i])) for i in chosen]


_PLACEHOLDER = re.compile(r"\[(?:NAME|EMAIL|PHONE|ADDRESS|URL)\]")
_WORD_TAIL = re.compile(r"[^\W_]\S*")  # from a word's first letter or digit (``str.isalnum``) to its end


def person_passages(doc: EncodedText, index: CorpusIndex, role: int) -> np.ndarray:
    """``(n_spans, n_grounded)``: cosine of each of the person's sentences to each passage grounding
    ``role`` (in passage order), worked out once per text and role: its quotes and its evidence read it."""
    vectors = index.passage_vectors
    return doc.remembered(
        f"person_passages:{role}",
        vectors,
        lambda: doc.span_vectors @ vectors[np.flatnonzero(index.grounding[:, role])].T,
    )


def is_evidence(sentence: str) -> bool:
    """At least three words (with a letter or digit) once placeholders (``[NAME] | [EMAIL]``) are set
    aside: a line of redacted contact details is never evidence."""
    words = _WORD_TAIL.finditer(_PLACEHOLDER.sub(" ", sentence))  # one match per such word
    return next(islice(words, 2, None), None) is not None


def evidence_mask(doc: EncodedText) -> np.ndarray:
    """``(n_spans,)`` bool: which of the person's sentences may be evidence (``is_evidence``), worked
    out once per text (quotes and evidence ask for every role shown)."""
    return doc.remembered(
        "evidence", None, lambda: np.array([is_evidence(s.text) for s in doc.spans], dtype=bool)
    )


def rank_evidence(doc: EncodedText, index: CorpusIndex, role: int, k: int = 3) -> list[tuple[int, float]]:
    """Up to ``k`` of the person's sentences that best support ``role``: ``(span index, score)``.

    A sentence scores by its cosine to the role description and to the role's best passage.
    Fragments under three words are not evidence.
    """
    grounded = np.flatnonzero(index.grounding[:, role])
    to_role = doc.span_vectors @ index.role_vectors[role]
    to_passages = person_passages(doc, index, role).max(axis=1) if grounded.size else to_role
    score = 0.5 * to_role + 0.5 * to_passages
    eligible = evidence_mask(doc)
    keep = [i for i in np.argsort(-score, kind="stable") if eligible[i]]
    return [(int(i), float(score[i])) for i in keep[:k]]


def title_evidence(doc: EncodedText, index: CorpusIndex, role: int) -> tuple[int, int, float] | None:
    """The person's title closest to one of ``role``'s reference titles: ``(person title index,
    reference title index, cosine)``, or ``None`` when the text names no title (or there is no backbone)."""
    if not index.has_backbone or not doc.names_titles:
        return None
    owned = np.flatnonzero(index.title_roles[:, role] > 0)
    sims = title_similarity(doc, index)[:, owned]  # (n_titles, n_owned)
    if sims.size == 0:
        return None
    t, r = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return int(t), int(owned[r]), float(sims[t, r])


def title_occupation_similarity(doc: EncodedText, index: CorpusIndex) -> np.ndarray:
    """``(n_occupations,)`` for a text that names a title: the best cosine of one of the person's titles
    to a reference title of each occupation (``-inf`` where the occupation has none)."""

    def compute() -> np.ndarray:
        refs = np.flatnonzero(index.title_occupations >= 0)
        sims = title_similarity(doc, index)[:, refs].max(axis=0)
        by_occ = np.full(len(index.occupation_vectors), -np.inf)
        np.maximum.at(by_occ, index.title_occupations[refs], sims)
        return by_occ

    return remembered_by_titles(doc, "title_occupation_similarity", index, compute)


def closest_outside(doc: EncodedText, index: CorpusIndex) -> tuple[int, float] | None:
    """The occupation outside the catalog closest to the text: ``(occupation index, cosine)``.

    A job title the person names counts as much as the whole text: the better of the two decides.
    """
    if not index.has_backbone:
        return None
    outside = index.occupation_weights.sum(axis=1) == 0
    if not outside.any():
        return None
    score = np.where(outside, occupation_similarity(doc, index), -np.inf)
    if doc.names_titles:
        score = np.where(outside, np.maximum(score, title_occupation_similarity(doc, index)), -np.inf)
    best = int(np.argmax(score))
    return best, float(score[best])


def named_outside(doc: EncodedText, abstain: bool) -> bool:
    """Whether a result names its closest occupation outside the catalog: only when it abstains, and
    not for a text too short to judge (one word, "Sales", is not an occupation's work)."""
    return bool(abstain) and not too_little_text(doc.text)
