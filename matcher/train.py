"""Training pipeline: embed labeled examples, fit the fused ranker, evaluate on the held-apart split."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from . import persist
from .classify import CLASSIFIER_FILE, FusedRanker, RoleClassifier, pair_features, save_ranker, scope_features
from .config import default_corpus_dir, default_models_dir
from .corpus import load_corpus
from .embed import encode_documents, load_embedder
from .examples import examples_hash, load_examples, load_labeled_csv
from .index import CorpusIndex, role_text
from .rank import DocFeatures, conformal_threshold, featurize_docs, softmax

logger = logging.getLogger(__name__)
SEED = 0
FOLDS = 5
COVERAGE = 0.9  # target coverage of the conformal role sets
FALSE_ABSTAIN = 0.02  # share of in-scope training texts (out of fold) allowed to get "no good fit"


def featurize(
    embedder: Any, index: CorpusIndex, texts: list[str], batch: int = 64, progress: bool = False
) -> DocFeatures:
    """Embed texts (in batches) into ranker inputs."""
    parts = []
    for start in tqdm(range(0, len(texts), batch), disable=not progress, desc="Embedding", unit="batch"):
        parts.append(featurize_docs(encode_documents(embedder, texts[start : start + batch]), index))
    if not parts:
        return featurize_docs([], index)
    return DocFeatures(
        np.concatenate([p.vectors for p in parts]),
        np.concatenate([p.similarity for p in parts]),
        tuple(c for p in parts for c in p.chunks),
    )


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of ``softmax(logits / T)``."""

    def nll(t: float) -> float:
        p = softmax(logits, t)[np.arange(len(y)), y]
        return float(-np.log(np.clip(p, 1e-12, 1)).mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def abstain_threshold(fit_in_scope: np.ndarray, false_abstain: float = FALSE_ABSTAIN) -> float:
    """The fit below which to abstain: the ``false_abstain`` quantile of in-scope fit scores, so that
    at most that share of in-scope people are told "no good fit" (the costlier mistake)."""
    return float(np.quantile(fit_in_scope, false_abstain, method="lower"))


def fit_ranker(
    feats: DocFeatures,
    labels: list[str | None],
    roles: list[str],
    extra_X: np.ndarray | None = None,
    extra_y: list[str] | None = None,
) -> FusedRanker:
    """Fit classifier, fusion, temperature and in-scope detector (fusion and thresholds on out-of-fold data).

    ``labels``: a role id per document, ``None`` for out-of-scope ones; ``extra_X``/``extra_y``: more
    labeled vectors for the classifier only (weak supervision).
    """
    labels_arr = np.array([r if isinstance(r, str) else "" for r in labels], dtype=object)  # None/NaN: out
    inside = labels_arr != ""
    fi = feats.subset(inside)
    yi = labels_arr[inside].astype(str)
    y_index = np.array([roles.index(r) for r in yi])
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)

    fit_X = fi.vectors if extra_X is None else np.vstack([fi.vectors, extra_X])
    fit_y = yi if extra_y is None else np.concatenate([yi, np.array(extra_y)])
    classifier = RoleClassifier(random_state=SEED).fit(fit_X, fit_y)
    ranker = FusedRanker(roles, classifier, None, 1.0, None, 0.5, {})  # type: ignore[arg-type]

    # out-of-fold classifier probabilities → fusion training data
    oof = np.zeros((len(yi), len(roles)))
    for train_idx, test_idx in folds.split(fi.vectors, yi):
        fold_clf = RoleClassifier(random_state=SEED).fit(fi.vectors[train_idx], yi[train_idx])
        fold = FusedRanker(roles, fold_clf, None, 1.0, None, 0.5, {})  # type: ignore[arg-type]
        oof[test_idx] = fold.classifier_proba(fi.subset(test_idx))
    Z = pair_features(oof, fi.similarity)
    n, r, k = Z.shape
    target = (y_index[:, None] == np.arange(r)[None, :]).astype(int).reshape(-1)
    groups = np.repeat(np.arange(n), r)
    splits = list(GroupKFold(FOLDS).split(Z.reshape(-1, k), target, groups))
    warnings.filterwarnings(
        "ignore", category=FutureWarning, module="sklearn"
    )  # LogisticRegressionCV API churn
    fusion = make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(Cs=[0.01, 0.1, 1.0, 10.0], cv=splits, scoring="neg_log_loss", max_iter=2000),
    ).fit(Z.reshape(-1, k), target)
    # out-of-fold fused logits → temperature (calibration)
    best_c = float(fusion[-1].C_[0])
    oof_logits = cross_val_predict(
        make_pipeline(StandardScaler(), LogisticRegression(C=best_c, max_iter=2000)),
        Z.reshape(-1, k),
        target,
        cv=splits,
        method="decision_function",
    ).reshape(n, r)
    temperature = fit_temperature(oof_logits, y_index)

    # in-scope detector: out-of-fold probabilities for in-scope rows, full-model ones for out-of-scope rows
    proba_all = ranker.classifier_proba(feats)
    proba_all[inside] = oof
    S = scope_features(feats.vectors, proba_all, feats.similarity)
    scope = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000))
    metrics: dict[str, Any] = {
        "train_examples": int(inside.sum()),
        "train_out_of_scope": int((~inside).sum()),
        "fusion_C": best_c,
        "temperature": temperature,
        "oof_acc1_classifier": float((oof.argmax(1) == y_index).mean()),
        "oof_acc1_fused": float((oof_logits.argmax(1) == y_index).mean()),
    }
    if (~inside).sum() >= FOLDS:
        scope_oof = cross_val_predict(
            scope,
            S,
            inside,
            cv=StratifiedKFold(FOLDS, shuffle=True, random_state=SEED),
            method="predict_proba",
        )[:, 1]
        threshold = abstain_threshold(scope_oof[inside])
        metrics["oof_scope_auroc"] = float(roc_auc_score(inside, scope_oof))
        metrics["oof_abstain_in_scope"] = float((scope_oof[inside] < threshold).mean())
        metrics["oof_abstain_out_of_scope"] = float((scope_oof[~inside] < threshold).mean())
    else:  # no out-of-scope examples: never abstain on the detector alone
        scope = make_pipeline(StandardScaler(), LogisticRegression())
        S = np.vstack([S, S.mean(0, keepdims=True) - 10])
        inside = np.append(inside, False)
        threshold = 0.0
    scope.fit(S, inside)
    metrics["scope_threshold"] = threshold
    # split conformal prediction sets, calibrated on the out-of-fold confidences
    set_threshold = conformal_threshold(softmax(oof_logits, temperature), y_index, COVERAGE)
    metrics["set_threshold"] = set_threshold
    metrics["set_coverage_target"] = COVERAGE
    return FusedRanker(
        roles, classifier, fusion, temperature, scope, threshold, metrics, set_threshold, COVERAGE
    )


def train(
    corpus_dir: Path | None = None,
    models_dir: Path | None = None,
    backend: str = "minilm",
    embedder: Any = None,
    examples: Path | None = None,
    text_column: str = "text",
    label_column: str = "role",
    split_column: str | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Train the fused ranker on the examples and write it (and the manifest) to ``models_dir``."""
    from .card import write_model_card
    from .evaluate import evaluate_frame

    corpus_dir = corpus_dir or default_corpus_dir()
    models_dir = models_dir or default_models_dir(backend)
    corpus = load_corpus(corpus_dir)
    if embedder is None:
        embedder = load_embedder(backend, dtype="fp32") if backend == "minilm" else load_embedder(backend)
    rebuild = "rolematch build" if backend == "minilm" else f"rolematch build --backend {backend}"
    index, manifest = persist.load_index(models_dir, corpus, embedder, backend, rebuild)
    roles = corpus.role_ids
    if examples is None:
        data = load_examples(corpus_dir / "examples", roles)
        source = {"examples": "corpus/examples", "examples_sha256": examples_hash(corpus_dir / "examples")}
    else:
        data = load_labeled_csv(examples, text_column, label_column, roles, split_column)
        source = {"examples": str(examples), "examples_sha256": persist.sha256_file(examples)}
    train_rows = data[data["split"] == "train"].reset_index(drop=True)
    test_rows = data[data["split"] == "test"].reset_index(drop=True)
    logger.info("Train - %d training and %d held-apart examples", len(train_rows), len(test_rows))

    feats = featurize(embedder, index, train_rows["text"].tolist(), progress=progress)
    # weak supervision: each role's own description is one more labeled example
    extra_X = embedder.encode([role_text(r.title, r.description) for r in corpus.roles])
    ranker = fit_ranker(feats, train_rows["role"].tolist(), roles, extra_X, roles)

    manifest["files"].pop(CLASSIFIER_FILE, None)
    path = save_ranker(ranker, models_dir)
    manifest["files"][CLASSIFIER_FILE] = persist.sha256_file(path)
    manifest["training"] = {
        **source,
        "train_rows": len(train_rows),
        "test_rows": len(test_rows),
        "seed": SEED,
    }
    manifest["metrics"] = {"training": ranker.metrics}
    if len(test_rows):
        from .matcher import RoleMatcher

        matcher = RoleMatcher(corpus, index, embedder, ranker, manifest)
        report = evaluate_frame(matcher, test_rows.rename(columns={"role": "label"}), baselines=False)
        manifest["metrics"]["held_apart"] = report["systems"]["fused"]
    persist.write_manifest(models_dir, manifest)
    write_model_card(models_dir, manifest, corpus)
    return manifest
