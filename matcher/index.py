"""Index stage: embedded role descriptions, role signals and corpus passages.

``build_index`` turns a ``Corpus`` and an embedder into arrays; ``persist`` saves and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .corpus import Corpus
from .embed import Embedder


@dataclass(frozen=True)
class CorpusIndex:
    """Vectors of the corpus.

    ``role_vectors`` ``(n_roles, dim)``; ``passage_vectors`` ``(n_passages, dim)``;
    ``grounding`` ``(n_passages, n_roles)`` 0/1; ``signal_vectors`` ``(n_signals, dim)`` with
    ``signal_roles`` ``(n_signals,)`` giving each signal's role index.

    The occupation backbone (empty without ``corpus/onet/``): ``occupation_vectors`` ``(n_occ, dim)``
    (title and description), ``occupation_weights`` ``(n_occ, n_roles)`` (the share of each occupation
    that is each role), ``title_vectors`` ``(n_titles, dim)`` float16 reference job titles with
    ``title_roles`` ``(n_titles, n_roles)`` 0/1 and ``title_occupations`` ``(n_titles,)`` (-1: a role's own).

    ``quotable`` ``(n_passages,)`` bool: the passages that read as prose (``explain.is_quotable``), worked
    out from the passage texts when the index is built or loaded, never saved; ``None``: all of them.
    """

    role_vectors: np.ndarray
    passage_vectors: np.ndarray
    grounding: np.ndarray
    signal_vectors: np.ndarray
    signal_roles: np.ndarray
    occupation_vectors: np.ndarray | None = None
    occupation_weights: np.ndarray | None = None
    title_vectors: np.ndarray | None = None
    title_roles: np.ndarray | None = None
    title_occupations: np.ndarray | None = None
    quotable: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.title_vectors is not None and self.title_vectors.dtype != np.float32:
            # stored as float16 (half the size); cast once here, not on every match
            object.__setattr__(self, "title_vectors", self.title_vectors.astype(np.float32))

    @property
    def has_backbone(self) -> bool:
        return self.occupation_vectors is not None and len(self.occupation_vectors) > 0

    def arrays(self) -> dict[str, np.ndarray]:
        out = {
            "role_vectors": self.role_vectors,
            "passage_vectors": self.passage_vectors,
            "grounding": self.grounding,
            "signal_vectors": self.signal_vectors,
            "signal_roles": self.signal_roles,
        }
        if self.has_backbone:
            out.update(
                occupation_vectors=self.occupation_vectors,
                occupation_weights=self.occupation_weights,
                title_vectors=self.title_vectors.astype(np.float16),
                title_roles=self.title_roles,
                title_occupations=self.title_occupations,
            )
        return out


def role_text(title: str, description: str) -> str:
    """The text embedded for a role: its title and description."""
    return f"{title}. {description}"


def grounding_matrix(corpus: Corpus) -> np.ndarray:
    """``(n_passages, n_roles)`` float32: 1 where a passage grounds a role."""
    grounding = np.zeros((len(corpus.passages), len(corpus.roles)), dtype=np.float32)
    for j, role in enumerate(corpus.roles):
        grounding[list(corpus.grounding[role.id]), j] = 1.0
    return grounding


def build_index(corpus: Corpus, embedder: Embedder) -> CorpusIndex:
    """Embed the role descriptions, signals and passages of ``corpus``."""
    from .explain import quotable_mask  # explain reads the index: imported here, not at the top

    roles = corpus.roles
    role_vectors = embedder.encode([role_text(r.title, r.description) for r in roles])
    passage_vectors = embedder.encode([p.text for p in corpus.passages])
    grounding = grounding_matrix(corpus)
    signals = [(j, s) for j, r in enumerate(roles) for s in r.signals]
    signal_vectors = (  # a catalog's roles may give no signals
        embedder.encode([s for _, s in signals])
        if signals
        else np.zeros((0, role_vectors.shape[1]), np.float32)
    )
    backbone = {}
    if corpus.backbone is not None:
        b = corpus.backbone
        backbone = {
            "occupation_vectors": embedder.encode([o.text for o in b.occupations]).astype(np.float32),
            "occupation_weights": b.weights.astype(np.float32),
            "title_vectors": embedder.encode(list(b.titles)).astype(np.float16),
            "title_roles": b.title_roles.astype(np.float32),
            "title_occupations": b.title_occupations.astype(np.int32),
        }
    return CorpusIndex(
        role_vectors=role_vectors.astype(np.float32),
        passage_vectors=passage_vectors.astype(np.float32),
        grounding=grounding,
        signal_vectors=signal_vectors.astype(np.float32),
        signal_roles=np.array([j for j, _ in signals], dtype=np.int32),
        quotable=quotable_mask(corpus.passages),
        **backbone,
    )
