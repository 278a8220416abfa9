"""Classify stage: a scikit-learn head on the text embedding, fused with the similarity signals.

``RoleClassifier`` is a plain scikit-learn estimator (passes ``check_estimator``).
``FusedRanker`` combines its probabilities with the four similarity cosines per role through a
pointwise logistic model whose weights are learned on out-of-fold predictions, then calibrates
the confidence by temperature scaling, and decides "no good fit" with an in-scope detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .persist import check_file
from .rank import DocFeatures, Ranker, Scores, SimilarityRanker, similarity_score, softmax

CLASSIFIER_FILE = "classifier.joblib"


class RoleClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression on L2-normalised embeddings.

    Parameters: ``C`` inverse regularisation strength; ``class_weight`` as in scikit-learn
    (``"balanced"`` by default: roles have different numbers of examples); ``max_iter``;
    ``random_state`` (passed through; lbfgs itself is deterministic).
    """

    def __init__(
        self,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        max_iter: int = 2000,
        random_state: int | None = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None) -> RoleClassifier:
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.model_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.random_state
        ).fit(normalize(X), y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.n_iter_ = self.model_.n_iter_
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.decision_function(normalize(X))

    def predict_proba(self, X) -> np.ndarray:
        """``(n_samples, n_classes)``, columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict_proba(normalize(X))

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


ABLATIONS = ("backbone", "titles", "world")  # signal groups a ranker can be trained without
MIN_WORDS = 2  # texts with fewer words say too little to fit any role: their fit is capped
LOW_INFORMATION_FIT = 0.05


def pair_features(proba: np.ndarray, features: DocFeatures, drop: frozenset[str] = frozenset()) -> np.ndarray:
    """Per (document, role) fusion inputs ``(n, n_roles, k)``: log classifier probability, the four
    similarity cosines and each minus its best value over the roles; then, unless dropped, the role's
    occupation cosine (and minus the best), and its title cosine (and minus the best; 0 without a title)."""
    sim = features.similarity
    logp = np.log(np.clip(proba, 1e-6, 1.0))[..., None]
    parts = [logp, sim, sim - sim.max(axis=1, keepdims=True)]
    occ, title = features.backbone[..., :1], features.backbone[..., 1:2]
    if "backbone" not in drop:
        parts += [occ, occ - occ.max(axis=1, keepdims=True)]
    if "titles" not in drop:
        has = features.world[:, None, 3:4]
        parts += [has * title, has * (title - title.max(axis=1, keepdims=True))]
    return np.concatenate(parts, axis=2).astype(np.float64)


def scope_features(
    proba: np.ndarray, features: DocFeatures, drop: frozenset[str] = frozenset()
) -> np.ndarray:
    """In-scope detector inputs ``(n, dim + 6 + k)``: the embedding, best cosines, best probability and
    similarity; unless dropped, the best occupation inside the catalog against the best outside it, the
    same for job titles, and the text's length (see ``rank.WORLD``)."""
    sim = features.similarity
    parts = [
        features.vectors,
        sim.max(axis=1),
        proba.max(axis=1, keepdims=True),
        similarity_score(sim).max(axis=1, keepdims=True),
    ]
    world = features.world
    if "world" not in drop:
        parts += [world[:, [0, 1, 2, 7]]]
        if "titles" not in drop:
            parts += [world[:, 3:7]]
    return np.concatenate(parts, axis=1)


def logit(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))``, with ``p`` clipped to [1e-6, 1 - 1e-6]."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def platt(p: np.ndarray, scale: float, bias: float) -> np.ndarray:
    """Platt scaling of probabilities: ``sigmoid(scale·logit(p) + bias)``."""
    return 1.0 / (1.0 + np.exp(-(scale * logit(p) + bias)))


def low_information(features: DocFeatures) -> np.ndarray:
    """``(n,)`` bool: texts of fewer than ``MIN_WORDS`` words (needs the backbone's word counts)."""
    counted = features.world.any(axis=1)  # all zeros: no backbone, no word count
    return counted & (np.expm1(features.world[:, 7]) < MIN_WORDS - 0.5)


@dataclass
class FusedRanker:
    """The trained ranker: classifier + fusion + temperature + in-scope detector (see module doc)."""

    roles: list[str]
    classifier: RoleClassifier
    fusion: Pipeline
    temperature: float
    scope: Pipeline
    threshold: float
    metrics: dict[str, Any]
    set_threshold: float | None = None  # conformal: roles with confidence ≥ this form the prediction set
    coverage: float | None = None
    drop: frozenset[str] = frozenset()  # signal groups left out (ablations)
    fit_scale: float = 1.0  # Platt scaling of the in-scope detector: sigmoid(scale·logit(p) + bias)
    fit_bias: float = 0.0

    def classifier_proba(self, features: DocFeatures) -> np.ndarray:
        """Classifier probabilities ``(n, n_roles)`` in catalog order (0 for roles it never saw).

        Every chunk counts: a role's probability is the larger of the whole text's and its best chunk's,
        renormalised, so a relevant part at the end of a long resume is not averaged away.
        """
        lookup = {c: i for i, c in enumerate(self.classifier.classes_)}
        columns = [lookup.get(role) for role in self.roles]

        def in_catalog_order(vectors: np.ndarray) -> np.ndarray:
            proba = self.classifier.predict_proba(vectors)
            out = np.zeros((len(vectors), len(self.roles)))
            for j, col in enumerate(columns):
                if col is not None:
                    out[:, j] = proba[:, col]
            return out

        proba = in_catalog_order(features.vectors)
        multi = [i for i, c in enumerate(features.chunks) if len(c) > 1]
        if multi:
            per_chunk = in_catalog_order(np.vstack([features.chunks[i] for i in multi]))
            start = 0
            for i in multi:
                n = len(features.chunks[i])
                proba[i] = np.maximum(proba[i], per_chunk[start : start + n].max(axis=0))
                start += n
            proba[multi] /= proba[multi].sum(axis=1, keepdims=True)
        return proba

    def fused(self, proba: np.ndarray, features: DocFeatures) -> np.ndarray:
        """Fused ranking scores (log-odds) ``(n, n_roles)``."""
        z = pair_features(proba, features, self.drop)
        n, r, k = z.shape
        return self.fusion.decision_function(z.reshape(n * r, k)).reshape(n, r)

    def fit_proba(self, proba: np.ndarray, features: DocFeatures) -> np.ndarray:
        """``(n,)`` the probability that some role of the catalog fits (capped for near-empty texts)."""
        p = self.scope.predict_proba(scope_features(proba, features, self.drop))[:, 1]
        fit = platt(p, self.fit_scale, self.fit_bias)
        return np.where(low_information(features), np.minimum(fit, LOW_INFORMATION_FIT), fit)

    def rank(self, features: DocFeatures) -> Scores:
        """Scores whose ``confidence`` is the probability that the role is right, counting the chance
        that none fits: ``fit × P(role | some role fits)``, so no role's confidence exceeds the fit."""
        if len(features) == 0:
            empty = np.zeros((0, len(self.roles)))
            return Scores(empty, empty, empty, empty, np.zeros(0), np.zeros(0, bool), conditional=empty)
        proba = self.classifier_proba(features)
        logits = self.fused(proba, features)
        fit = self.fit_proba(proba, features)
        conditional = softmax(logits, self.temperature)
        confidence = fit[:, None] * conditional
        abstain = fit < self.threshold
        in_set = None
        if self.set_threshold is not None:
            in_set = (conditional >= self.set_threshold) & ~abstain[:, None]  # no set without a fit
        return Scores(
            score=1.0 / (1.0 + np.exp(-logits)),
            confidence=confidence,
            conditional=conditional,
            similarity=np.clip(similarity_score(features.similarity), 0.0, 1.0),
            classifier=proba,
            fit=fit,
            abstain=abstain,
            in_set=in_set,
            coverage=self.coverage,
        )


def save_ranker(ranker: FusedRanker, models_dir: Path) -> Path:
    path = models_dir / CLASSIFIER_FILE
    joblib.dump(ranker, path, compress=3)
    return path


def load_ranker(models_dir: Path, manifest: dict[str, Any], rebuild: str) -> Ranker:
    """The trained ranker if the manifest lists one (sha256-checked before unpickling), else similarity."""
    if CLASSIFIER_FILE not in manifest.get("files", {}):
        return SimilarityRanker()
    path = check_file(models_dir, CLASSIFIER_FILE, manifest, rebuild)
    ranker = joblib.load(path)
    if not isinstance(ranker, FusedRanker) or ranker.roles != manifest.get("roles"):
        from .errors import ArtifactError

        raise ArtifactError(f"{path} does not hold a ranker for this role catalog; run `{rebuild}`")
    return ranker
