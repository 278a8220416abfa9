"""Classify stage: a scikit-learn head on the text embedding, fused with the similarity signals.

``RoleClassifier`` is a plain scikit-learn estimator (passes ``check_estimator``), used for training.
``FusedRanker`` (in ``matcher.fused``, re-exported here) combines its probabilities with the similarity
signals per role, calibrates the confidence and decides "no good fit"; it is saved as plain arrays
and run with numpy, so matching imports ``matcher.fused``, not this module (nor scikit-learn).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .fused import (  # noqa: F401  (re-exported: train, evaluate and ablations import them from here)
    ABLATIONS,
    CLASSIFIER_FILE,
    LOW_INFORMATION_FIT,
    FusedRanker,
    calibrated_fit,
    load_ranker,
    logit,
    low_information,
    pair_features,
    platt,
    read_ranker,
    save_ranker,
    scope_features,
)


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
