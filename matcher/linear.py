"""Fitted linear classifiers applied with numpy alone, so matching needs no scikit-learn.

A ``LinearModel`` is what the trained ranker's scikit-learn parts reduce to: optional L2
normalisation of each row (``RoleClassifier``), optional standard scaling (``StandardScaler``), then
a logistic (two classes) or softmax (more) output (``LogisticRegression[CV]``). ``from_sklearn``
converts a fitted estimator at save time; the operations below are the ones scikit-learn runs, in
the same order and dtypes, so predictions agree to rounding (``tests/test_linear.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_FLOATS = (np.float32, np.float64)


def _as_float(X: Any) -> np.ndarray:
    """A float copy of ``X`` (2-D), keeping float32/float64 as scikit-learn's ``check_array`` does."""
    X = np.array(X, copy=True)
    if X.dtype.type not in _FLOATS:
        X = X.astype(np.float64)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D array (n_samples, n_features), got shape {X.shape}")
    return X


@dataclass(frozen=True, eq=False)
class LinearModel:
    """``classes_`` ``(n_classes,)``; ``coef`` ``(n_outputs, n_features)`` (one output for two
    classes); ``intercept`` ``(n_outputs,)``; ``mean``/``scale`` ``(n_features,)`` or None;
    ``normalize``: L2-normalise each row first."""

    classes_: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    normalize: bool = False

    @property
    def n_features_in_(self) -> int:
        return int(self.coef.shape[1])

    def _transform(self, X: Any) -> np.ndarray:
        X = _as_float(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, the model expects {self.n_features_in_}")
        if self.normalize:
            norms = np.sqrt(np.einsum("ij,ij->i", X, X))
            norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
            X /= norms[:, np.newaxis]
        if self.mean is not None:
            X -= self.mean.astype(X.dtype)
        if self.scale is not None:
            X /= self.scale.astype(X.dtype)
        return X

    def decision_function(self, X: Any) -> np.ndarray:
        """``(n,)`` for two classes (log-odds of ``classes_[1]``), else ``(n, n_classes)``."""
        scores = self._transform(X) @ self.coef.T + self.intercept
        return scores.reshape(-1) if scores.shape[1] == 1 else scores

    def predict_proba(self, X: Any) -> np.ndarray:
        """``(n, n_classes)``, columns in the order of ``classes_``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            with np.errstate(over="ignore"):  # exp(710+) → inf → p = 0, as scipy's expit gives
                p = 1.0 / (1.0 + np.exp(-scores))
            return np.stack([1 - p, p], axis=1)
        scores -= scores.max(axis=1).reshape(-1, 1)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1).reshape(-1, 1)
        return scores

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    # ------------------------------------------------------------------ saving

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save (no objects: loadable with ``allow_pickle=False``)."""
        out = {"classes": np.asarray(self.classes_), "coef": self.coef, "intercept": self.intercept}
        if self.mean is not None:
            out["mean"] = self.mean
        if self.scale is not None:
            out["scale"] = self.scale
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], normalize: bool = False) -> LinearModel:
        missing = {"classes", "coef", "intercept"} - set(arrays)
        if missing:
            raise ValueError(f"a linear model needs arrays {sorted(missing)}")
        coef, intercept = np.asarray(arrays["coef"]), np.asarray(arrays["intercept"])  # dtypes as fitted
        if coef.ndim != 2 or intercept.shape != (coef.shape[0],):
            raise ValueError(f"coef {coef.shape} and intercept {intercept.shape} do not fit together")
        return cls(
            classes_=np.asarray(arrays["classes"]),
            coef=coef,
            intercept=intercept,
            mean=arrays.get("mean"),
            scale=arrays.get("scale"),
            normalize=normalize,
        )


def from_sklearn(estimator: Any, normalize: bool = False) -> LinearModel:
    """Convert a fitted ``LogisticRegression[CV]``, or a ``Pipeline`` of an optional
    ``StandardScaler`` and one, into a ``LinearModel`` (needs scikit-learn; save time only)."""
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [s for _, s in estimator.steps] if isinstance(estimator, Pipeline) else [estimator]
    mean = scale = None
    if len(steps) == 2 and isinstance(steps[0], StandardScaler):
        scaler = steps.pop(0)
        mean = None if scaler.mean_ is None else np.asarray(scaler.mean_)
        scale = None if scaler.scale_ is None else np.asarray(scaler.scale_)
    if len(steps) != 1 or not isinstance(steps[0], (LogisticRegression, LogisticRegressionCV)):
        raise TypeError(
            "expected a fitted LogisticRegression[CV], optionally after a StandardScaler in a Pipeline; "
            f"got {estimator!r}"
        )
    model = steps[0]
    if len(model.classes_) > 2 and model.coef_.shape[0] != len(model.classes_):
        raise TypeError("one-vs-rest logistic regression is not supported; use the multinomial loss")
    return LinearModel(
        classes_=np.asarray(model.classes_),
        coef=np.asarray(model.coef_),  # dtype (float32 if fitted on float32) and order kept
        intercept=np.asarray(model.intercept_).reshape(-1),
        mean=mean,
        scale=scale,
        normalize=normalize,
    )
