"""The trained ranker, at run time: fusion, temperature, fit (in-scope) model and role sets, in numpy.

``FusedRanker`` combines the classifier's probabilities with the similarity signals per role through a
pointwise logistic model learned on out-of-fold predictions, calibrates the confidence by temperature
scaling, and decides "no good fit" with an in-scope detector. It is trained with scikit-learn
(``matcher.classify``, ``matcher.train``) and saved as plain arrays (``models/ranker.npz``: a zip of
``.npy`` files and ``meta.json``), so loading and matching need neither scikit-learn nor unpickling:
its three models are ``linear.LinearModel``s. Every dataclass field is saved, whatever it is (floats,
None, lists, frozensets, dicts as JSON; arrays as ``.npy``; fitted models as their arrays).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ArtifactError
from .linear import LinearModel
from .persist import check_file
from .rank import DocFeatures, Ranker, Scores, SimilarityRanker, similarity_score, softmax

CLASSIFIER_FILE = "ranker.npz"
RANKER_FORMAT = 1  # the layout of ranker.npz (the models/ format as a whole is persist.FORMAT_VERSION)
_META = "meta.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same ranker gives the same bytes


class ProbabilisticModel(Protocol):
    classes_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray: ...

    def decision_function(self, X: Any) -> np.ndarray: ...


ABLATIONS = ("backbone", "titles", "world")  # signal groups a ranker can be trained without
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


def calibrated_fit(p: np.ndarray, features: DocFeatures, scale: float, bias: float) -> np.ndarray:
    """The fit from the in-scope detector's probability ``p``: Platt-scaled, capped for near-empty texts."""
    fit = platt(p, scale, bias)
    return np.where(low_information(features), np.minimum(fit, LOW_INFORMATION_FIT), fit)


def low_information(features: DocFeatures) -> np.ndarray:
    """``(n,)`` bool: texts of fewer than ``MIN_WORDS`` words that say something (``textproc.word_count``)."""
    return features.too_short


@dataclass
class FusedRanker:
    """The trained ranker: classifier + fusion + temperature + in-scope detector (see module doc)."""

    roles: list[str]
    classifier: ProbabilisticModel
    fusion: ProbabilisticModel
    temperature: float
    scope: ProbabilisticModel
    threshold: float
    metrics: dict[str, Any]
    set_threshold: float | None = None  # conformal: roles with confidence ≥ this form the prediction set
    coverage: float | None = None
    drop: frozenset[str] = frozenset()  # signal groups left out (ablations)
    fit_scale: float = 1.0  # Platt scaling of the in-scope detector: sigmoid(scale·logit(p) + bias)
    fit_bias: float = 0.0
    # (n_roles, n_roles) [s, r]: how often r is just as right when s is the label (train.role_overlap)
    overlap: np.ndarray | None = None

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
        return calibrated_fit(p, features, self.fit_scale, self.fit_bias)

    def rank(self, features: DocFeatures) -> Scores:
        """Scores whose ``confidence`` is the probability that the role is right for the person, counting
        the chance that none fits: ``fit × Σ_s P(s | some role fits) · overlap[s, role]`` (a role is also
        right where an overlapping one is the label), so no role's confidence exceeds the fit."""
        if len(features) == 0:
            empty = np.zeros((0, len(self.roles)))
            return Scores(empty, empty, empty, empty, np.zeros(0), np.zeros(0, bool), conditional=empty)
        proba = self.classifier_proba(features)
        logits = self.fused(proba, features)
        fit = self.fit_proba(proba, features)
        conditional = softmax(logits, self.temperature)
        right = conditional if self.overlap is None else conditional @ self.overlap
        confidence = fit[:, None] * np.clip(right, 0.0, 1.0)
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


# ---------------------------------------------------------------------- saving and loading


def save_ranker(ranker: FusedRanker, models_dir: Path) -> Path:
    """Write ``models_dir/ranker.npz`` (fitted scikit-learn parts converted to arrays); return its path."""
    meta, arrays = _encode(ranker)
    path = Path(models_dir) / CLASSIFIER_FILE
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        text = json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=True)
        zf.writestr(zipfile.ZipInfo(_META, _ZIP_TIME), text + "\n", zipfile.ZIP_DEFLATED)
        for name in sorted(arrays):
            buf = io.BytesIO()
            # the array as it is, F order included: BLAS then sums in the same order as when fitted
            np.lib.format.write_array(buf, np.asanyarray(arrays[name]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(f"{name}.npy", _ZIP_TIME), buf.getvalue(), zipfile.ZIP_DEFLATED)
    os.replace(tmp, path)
    return path


def read_ranker(path: Path) -> FusedRanker:
    """Read a ranker written by ``save_ranker`` (no pickles); ``ValueError`` if it is not one."""
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read(_META).decode("utf-8"))
            arrays = {
                name[: -len(".npy")]: np.lib.format.read_array(io.BytesIO(zf.read(name)), allow_pickle=False)
                for name in zf.namelist()
                if name.endswith(".npy")
            }
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a rolematch ranker file ({exc})") from exc
    found = meta.get("format") if isinstance(meta, dict) else None
    if found != RANKER_FORMAT:
        raise ValueError(f"ranker format {found!r}, this rolematch reads {RANKER_FORMAT}")
    try:
        ranker = _decode(meta["fields"], arrays)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"its fields do not make a ranker ({exc!r})") from exc
    n = len(ranker.roles)
    if ranker.overlap is not None and ranker.overlap.shape != (n, n):
        raise ValueError(f"its role overlap is {ranker.overlap.shape}, not ({n}, {n}) for its {n} roles")
    return ranker


def load_ranker(models_dir: Path, manifest: dict[str, Any], rebuild: str) -> Ranker:
    """The trained ranker if the manifest lists one (sha256-checked before reading), else similarity."""
    if CLASSIFIER_FILE not in manifest.get("files", {}):
        return SimilarityRanker()
    path = check_file(models_dir, CLASSIFIER_FILE, manifest, rebuild)
    try:
        ranker = read_ranker(path)
    except ValueError as exc:
        raise ArtifactError(f"{path} cannot be read: {exc}; run `{rebuild}`") from exc
    if ranker.roles != manifest.get("roles"):
        raise ArtifactError(f"{path} does not hold a ranker for this role catalog; run `{rebuild}`")
    return ranker


def _as_linear(value: Any) -> LinearModel:
    """A fitted model as a ``LinearModel`` (scikit-learn is imported only to convert one)."""
    if isinstance(value, LinearModel):
        return value
    from .classify import RoleClassifier
    from .linear import from_sklearn

    if isinstance(value, RoleClassifier):
        return from_sklearn(value.model_, normalize=True)
    return from_sklearn(value)


def _plain(value: Any) -> Any:
    """numpy scalars → Python ones, for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def _check_keys(value: Any) -> None:
    """JSON turns dict keys into strings: refuse other keys rather than load something else."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"dict key {k!r} is not a string")
            _check_keys(v)
    elif isinstance(value, list):
        for v in value:
            _check_keys(v)


def _encode(ranker: FusedRanker) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    fields: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    for f in dataclasses.fields(ranker):
        value = getattr(ranker, f.name)
        if hasattr(value, "predict_proba"):
            model = _as_linear(value)
            fields[f.name] = {"kind": "linear", "normalize": model.normalize}
            arrays.update({f"{f.name}__{k}": v for k, v in model.arrays().items()})
        elif isinstance(value, np.ndarray):
            fields[f.name] = {"kind": "array"}
            arrays[f.name] = value
        elif isinstance(value, (set, frozenset)):
            fields[f.name] = {"kind": "frozenset", "value": sorted(_plain(list(value)))}
        else:
            plain = _plain(value)
            try:
                json.dumps(plain, sort_keys=True)
                _check_keys(plain)
            except TypeError as exc:
                raise TypeError(f"FusedRanker.{f.name} cannot be saved as JSON: {exc}") from exc
            fields[f.name] = {"kind": "tuple" if isinstance(value, tuple) else "json", "value": plain}
    return {"format": RANKER_FORMAT, "class": "FusedRanker", "fields": fields}, arrays


def _decode(fields: dict[str, Any], arrays: dict[str, np.ndarray]) -> FusedRanker:
    known = {f.name: f for f in dataclasses.fields(FusedRanker)}
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ValueError(f"it has fields this rolematch does not know ({', '.join(unknown)})")
    kwargs: dict[str, Any] = {}
    for name, field in known.items():
        spec = fields.get(name)
        if spec is None:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ValueError(f"it lacks the field {name!r}")
            continue
        kind = spec.get("kind")
        if kind == "linear":
            prefix = f"{name}__"
            parts = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            kwargs[name] = LinearModel.from_arrays(parts, normalize=bool(spec.get("normalize")))
        elif kind == "array":
            kwargs[name] = arrays[name]
        elif kind == "frozenset":
            kwargs[name] = frozenset(spec["value"])
        elif kind == "tuple":
            kwargs[name] = tuple(spec["value"])
        elif kind == "json":
            kwargs[name] = spec["value"]
        else:
            raise ValueError(f"field {name!r} has an unknown kind {kind!r}")
    return FusedRanker(**kwargs)
