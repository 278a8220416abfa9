"""Training pipeline: embed labeled examples, fit the fused ranker, evaluate on the held-apart split."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from . import persist
from .classify import (
    CLASSIFIER_FILE,
    FusedRanker,
    RoleClassifier,
    calibrated_fit,
    logit,
    pair_features,
    save_ranker,
    scope_features,
)
from .config import default_corpus_dir, default_models_dir
from .corpus import load_corpus
from .embed import encode_documents, load_embedder
from .examples import examples_hash, labelled_examples, load_examples, load_labeled_csv
from .index import CorpusIndex
from .rank import DocFeatures, conformal_threshold, featurize_docs, softmax
from .sources import SOURCES, Example, Row, training_rows

logger = logging.getLogger(__name__)
SEED = 0
FOLDS = 5
COVERAGE = 0.9  # target coverage of the conformal role sets
FALSE_ABSTAIN = 0.02  # share of in-scope training texts (out of fold) allowed to get "no good fit"
MAX_ABSTAIN_FIT = 0.5  # abstain at most below this fit: an abstaining result shows no role above 50%
SCOPE_C = 0.1
CALIBRATION_SOURCES = ("own", "titles", "descriptions")  # in-scope rows the temperature is fitted on


def featurize(
    embedder: Any, index: CorpusIndex, texts: list[str], batch: int = 64, progress: bool = False
) -> DocFeatures:
    """Embed texts (in batches) into ranker inputs."""
    parts = []
    for start in tqdm(range(0, len(texts), batch), disable=not progress, desc="Embedding", unit="batch"):
        parts.append(featurize_docs(encode_documents(embedder, texts[start : start + batch]), index))
    if not parts:
        return featurize_docs([], index)
    return DocFeatures.concat(parts)


def fit_temperature(
    logits: np.ndarray, accept: np.ndarray | list[set[int]], weights: np.ndarray | None = None
) -> float:
    """Temperature minimising the (weighted) negative log-likelihood of ``softmax(logits / T)``.

    ``accept``: per row the correct role index, or the set of acceptable role indices (a title whose
    occupation several roles cover is right for each of them): the likelihood is the mass on the set.
    """
    sets = [{int(a)} if np.isscalar(a) else set(a) for a in accept]
    mask = np.zeros(logits.shape, bool)
    for i, a in enumerate(sets):
        mask[i, list(a)] = True
    w = np.ones(len(sets)) if weights is None else np.asarray(weights, float)

    def nll(t: float) -> float:
        p = (softmax(logits, t) * mask).sum(axis=1)
        return float(-(w * np.log(np.clip(p, 1e-12, 1))).sum() / w.sum())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


def fit_platt(score: np.ndarray, target: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` so that ``sigmoid(a·logit(score) + b)`` is calibrated (weighted logistic regression)."""
    z = logit(score).reshape(-1, 1)
    model = LogisticRegression(C=1e4, max_iter=1000).fit(z, target, sample_weight=weights)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def abstain_threshold(fit_in_scope: np.ndarray, false_abstain: float = FALSE_ABSTAIN) -> float:
    """The fit below which to abstain: the ``false_abstain`` quantile of in-scope fit scores, so that
    at most that share of in-scope people are told "no good fit" (the costlier mistake), and never above
    ``MAX_ABSTAIN_FIT`` (so that under "no strong fit" no role's confidence can pass 50%)."""
    return min(float(np.quantile(fit_in_scope, false_abstain, method="lower")), MAX_ABSTAIN_FIT)


def _folds(
    labels: np.ndarray, groups: np.ndarray, n_splits: int = FOLDS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped, stratified folds (rows of one group, e.g. one occupation's titles, stay together)."""
    cv = StratifiedGroupKFold(n_splits, shuffle=True, random_state=SEED)
    return list(cv.split(np.zeros(len(labels)), labels, groups))


def fit_ranker(
    feats: DocFeatures,
    labels: list[str | None],
    roles: list[str],
    extra_X: np.ndarray | None = None,
    extra_y: list[str] | None = None,
    weights: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    calibrate: np.ndarray | None = None,
    drop: frozenset[str] = frozenset(),
    accept: list[set[str]] | None = None,
    threshold_rows: np.ndarray | None = None,
    also: list[frozenset[str]] | None = None,
    in_scope_share: float = 0.5,
    sources: np.ndarray | None = None,
) -> FusedRanker:
    """Fit classifier, fusion, temperature and fit (in-scope) model; fusion, temperature and thresholds
    are learned on out-of-fold predictions.

    Rows of ``feats`` are training rows: ``labels`` a role id each, ``None``/"" for texts that fit no role;
    ``weights`` per row (default 1); ``groups`` keep related rows in one fold (default: each row alone);
    ``calibrate``: per-row weights (or a mask) of the rows the temperature and the role sets are
    calibrated on (default: all); ``accept``: per row the role ids that count as right (default: its
    label), for the temperature; ``threshold_rows``: the in-scope rows the abstention threshold keeps
    (default: those calibrated on); ``also``: per row the other roles a person would find just as right
    (the role overlap the confidence counts, see ``role_overlap``); ``in_scope_share``: how common texts
    that fit the catalog are among those people score (the prior the fit is calibrated to); ``sources``: a
    name per row, for out-of-fold acc@1 and acc@3 per source in the metrics; ``extra_X``/``extra_y``: more
    labelled vectors for the classifier alone; ``drop``: signal groups to leave out (see
    ``classify.ABLATIONS``).
    """
    labels_arr = np.array([r if isinstance(r, str) else "" for r in labels], dtype=object)
    n_all = len(labels_arr)
    weights = np.ones(n_all) if weights is None else np.asarray(weights, dtype=float)
    groups = np.arange(n_all).astype(str) if groups is None else np.asarray(groups).astype(str)
    calibrate = np.ones(n_all) if calibrate is None else np.asarray(calibrate, float)
    threshold_rows = calibrate > 0 if threshold_rows is None else np.asarray(threshold_rows, bool)
    inside = labels_arr != ""
    fi = feats.subset(inside)
    yi = labels_arr[inside].astype(str)
    wi, gi = weights[inside], groups[inside]
    cw = calibrate[inside]
    ci = cw > 0
    y_index = np.array([roles.index(r) for r in yi])
    accept_i = [
        {int(y)} | ({roles.index(r) for r in accept[i]} if accept is not None else set())
        for i, y in zip(np.flatnonzero(inside), y_index)
    ]
    folds = _folds(yi, gi)

    fit_X = fi.vectors if extra_X is None else np.vstack([fi.vectors, extra_X])
    fit_y = yi if extra_y is None else np.concatenate([yi, np.array(extra_y)])
    fit_w = wi if extra_X is None else np.concatenate([wi, np.ones(len(extra_X))])
    classifier = RoleClassifier(random_state=SEED).fit(fit_X, fit_y, sample_weight=fit_w)
    ranker = FusedRanker(roles, classifier, None, 1.0, None, 0.5, {}, drop=drop)  # type: ignore[arg-type]

    # out-of-fold classifier probabilities → fusion training data
    oof = np.zeros((len(yi), len(roles)))
    for train_idx, test_idx in folds:
        fold_clf = RoleClassifier(random_state=SEED).fit(
            fi.vectors[train_idx], yi[train_idx], sample_weight=wi[train_idx]
        )
        fold = FusedRanker(roles, fold_clf, None, 1.0, None, 0.5, {})  # type: ignore[arg-type]
        oof[test_idx] = fold.classifier_proba(fi.subset(test_idx))
    Z = pair_features(oof, fi, drop)
    n, r, k = Z.shape
    target = (y_index[:, None] == np.arange(r)[None, :]).astype(int).reshape(-1)
    pair_w = np.repeat(wi, r)
    splits = [(_expand(tr, r), _expand(te, r)) for tr, te in folds]
    warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")  # LogisticRegressionCV API
    fusion = make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(Cs=[0.01, 0.1, 1.0, 10.0], cv=splits, scoring="neg_log_loss", max_iter=2000),
    ).fit(Z.reshape(-1, k), target, logisticregressioncv__sample_weight=pair_w)
    # out-of-fold fused logits → temperature (calibration)
    best_c = float(fusion[-1].C_[0])
    oof_logits = np.zeros((n, r))
    for tr, te in folds:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=best_c, max_iter=2000))
        model.fit(
            Z[tr].reshape(-1, k),
            target.reshape(n, r)[tr].reshape(-1),
            logisticregression__sample_weight=np.repeat(wi[tr], r),
        )
        oof_logits[te] = model.decision_function(Z[te].reshape(-1, k)).reshape(len(te), r)
    temperature = fit_temperature(oof_logits[ci], [a for a, c in zip(accept_i, ci) if c], cw[ci])
    right_i = [
        a | ({roles.index(r) for r in also[i]} if also is not None else set())
        for i, a in zip(np.flatnonzero(inside), accept_i)
    ]
    overlap = role_overlap(y_index[ci], [a for a, c in zip(right_i, ci) if c], cw[ci], len(roles))

    # fit model: out-of-fold probabilities for in-scope rows, full-model ones for the others
    proba_all = ranker.classifier_proba(feats)
    proba_all[inside] = oof
    S = scope_features(proba_all, feats, drop)
    balance = np.where(inside, 0.5 / weights[inside].sum(), 0.5 / max(weights[~inside].sum(), 1e-9))
    scope_w = weights * balance * n_all
    scope = make_pipeline(StandardScaler(), LogisticRegression(C=SCOPE_C, max_iter=3000))
    metrics: dict[str, Any] = {
        "train_rows": int(n_all),
        "train_in_scope": int(inside.sum()),
        "train_out_of_scope": int((~inside).sum()),
        "fusion_C": best_c,
        "temperature": temperature,
        "oof_acc1_classifier": float((oof[ci].argmax(1) == y_index[ci]).mean()),
        "oof_acc1_fused": float((oof_logits[ci].argmax(1) == y_index[ci]).mean()),
        **_acceptance_metrics(softmax(oof_logits[ci], temperature), overlap, right_i, ci),
        **(_oof_by_source(oof_logits, right_i, np.asarray(sources)[inside]) if sources is not None else {}),
        "dropped": sorted(drop),
    }
    if (~inside).sum() >= FOLDS:
        scope_oof = np.zeros(n_all)
        for tr, te in _folds(inside.astype(int), groups):
            model = make_pipeline(StandardScaler(), LogisticRegression(C=SCOPE_C, max_iter=3000))
            model.fit(S[tr], inside[tr], logisticregression__sample_weight=scope_w[tr])
            scope_oof[te] = model.predict_proba(S[te])[:, 1]
        # the detector learns from both sides balanced; its probability is calibrated to the prior
        prior = np.where(inside, in_scope_share, 1.0 - in_scope_share) * 2.0
        fit_scale, fit_bias = fit_platt(scope_oof, inside, scope_w * prior)
        scope_oof = calibrated_fit(scope_oof, feats, fit_scale, fit_bias)
        threshold = abstain_threshold(scope_oof[inside & threshold_rows])
        metrics["oof_scope_auroc"] = float(roc_auc_score(inside, scope_oof))
        if (threshold_rows & ~inside).any():
            metrics["oof_scope_auroc_calibration_rows"] = float(
                roc_auc_score(inside[threshold_rows], scope_oof[threshold_rows])
            )
        metrics["oof_abstain_in_scope"] = float((scope_oof[inside & threshold_rows] < threshold).mean())
        metrics["oof_abstain_out_of_scope"] = float((scope_oof[~inside] < threshold).mean())
        scope.fit(S, inside, logisticregression__sample_weight=scope_w)
    else:  # no out-of-scope examples: never abstain on the fit alone
        scope = make_pipeline(StandardScaler(), LogisticRegression())
        scope.fit(np.vstack([S, S.mean(0, keepdims=True) - 10]), np.append(inside, False))
        threshold, fit_scale, fit_bias = 0.0, 1.0, 0.0
    metrics["scope_threshold"] = threshold
    metrics["fit_scale"], metrics["fit_bias"] = fit_scale, fit_bias
    # split conformal prediction sets, calibrated on the out-of-fold conditional probabilities of the
    # calibration rows, each source with the same total weight (as the temperature)
    set_threshold = conformal_threshold(
        softmax(oof_logits[ci], temperature), y_index[ci], COVERAGE, weights=cw[ci]
    )
    metrics["set_threshold"] = set_threshold
    metrics["set_coverage_target"] = COVERAGE
    return FusedRanker(
        roles,
        classifier,
        fusion,
        temperature,
        scope,
        threshold,
        metrics,
        set_threshold,
        COVERAGE,
        drop,
        fit_scale=fit_scale,
        fit_bias=fit_bias,
        overlap=overlap,
    )


def role_overlap(primary: np.ndarray, right: list[set[int]], weights: np.ndarray, n_roles: int) -> np.ndarray:
    """``(n_roles, n_roles)``: entry ``[s, r]`` is the (weighted) share of texts labelled ``s`` for which
    ``r`` is just as right, shrunk toward 0 by one pseudo-text per role; the diagonal is 1.

    Roles overlap (a Java developer who runs the build servers is a software engineer and a technical
    specialist), so the chance that role ``r`` is right is ``Σ_s P(s is the label) · overlap[s, r]``.
    """
    counts = np.zeros((n_roles, n_roles))
    totals = np.zeros(n_roles)
    texts = np.zeros(n_roles)
    for y, ok, w in zip(primary, right, weights):
        totals[y] += w
        texts[y] += 1
        counts[y, sorted(ok)] += w
    pseudo = np.divide(totals, texts, out=np.zeros(n_roles), where=texts > 0)  # one text's mean weight
    overlap = np.divide(
        counts, (totals + pseudo)[:, None], out=np.zeros_like(counts), where=totals[:, None] > 0
    )
    np.fill_diagonal(overlap, 1.0)
    return overlap


def _acceptance_metrics(
    conditional: np.ndarray, overlap: np.ndarray, right: list[set[int]], rows: np.ndarray
) -> dict[str, float]:
    """Calibration of the top role's chance of being right on out-of-fold probabilities, with and without
    the overlap (which is learned on these same rows, so the first is a little optimistic)."""
    from .evaluate import expected_calibration_error

    chosen = [r for r, keep in zip(right, rows) if keep]
    top = conditional.argmax(1)
    hit = np.array([t in ok for t, ok in zip(top, chosen)], float)
    alone = conditional[np.arange(len(top)), top]
    counted = (conditional @ overlap)[np.arange(len(top)), top]
    return {
        "oof_acc1_counting_overlap": float(hit.mean()),
        "oof_ece_without_overlap": expected_calibration_error(alone, hit),
        "oof_ece_with_overlap": expected_calibration_error(counted, hit),
    }


def _oof_by_source(logits: np.ndarray, right: list[set[int]], source: np.ndarray) -> dict[str, float]:
    """Out-of-fold acc@1 and acc@3 of the fused ranking for the in-scope rows of each source (a role the
    row is labelled with, or names under ``also``, counts as right). Folds keep one example, one title or
    one occupation's description together, so these are the figures of unseen texts of each kind."""
    from .evaluate import first_hit_ranks

    ranks = first_hit_ranks(np.argsort(-logits, axis=1, kind="stable"), right)
    out = {}
    for name in sorted(set(source.tolist())):
        chosen = ranks[source == name]
        out[f"oof_acc1_{name}"] = float((chosen == 1).mean())
        out[f"oof_acc3_{name}"] = float((chosen <= 3).mean())
    return out


def _expand(rows: np.ndarray, r: int) -> np.ndarray:
    """Row indices → indices of their ``r`` (document, role) pairs."""
    return (rows[:, None] * r + np.arange(r)[None, :]).reshape(-1)


def training_set(
    embedder: Any,
    index: CorpusIndex,
    corpus: Any,
    examples: Sequence[Example],
    sources: tuple[str, ...] = SOURCES,
    progress: bool = False,
) -> tuple[DocFeatures, list[Row]]:
    """The rows of ``sources`` and their features (each distinct text embedded once)."""
    rows = training_rows(corpus, examples, sources)
    texts = list(dict.fromkeys(r.text for r in rows))
    where = {t: i for i, t in enumerate(texts)}
    feats = featurize(embedder, index, texts, progress=progress)
    return feats.subset([where[r.text] for r in rows]), rows


def fit_from_rows(
    feats: DocFeatures, rows: list[Row], roles: list[str], drop: frozenset[str] = frozenset()
) -> FusedRanker:
    """``fit_ranker`` on source rows: weights and groups from the rows.

    The temperature is calibrated on the in-scope sources (``CALIBRATION_SOURCES``), each source carrying
    the same total weight, with every role a text is labelled with counting as right (a title whose
    occupation two roles cover is right for both); the abstention threshold on our own examples only,
    and the fit's prior is the share of our own examples that fit a role.
    """
    roles_of: dict[str, set[str]] = {}  # a text labelled with several roles (a shared occupation's title)
    for r in rows:
        if r.role:
            roles_of.setdefault(r.text, set()).add(r.role)
    source = np.array([r.source for r in rows])
    labelled = np.array([bool(r.role) for r in rows])
    calibrate = np.zeros(len(rows))
    for name in CALIBRATION_SOURCES:
        chosen = (source == name) & labelled
        if chosen.any():
            calibrate[chosen] = 1.0 / chosen.sum()
    return fit_ranker(
        feats,
        [r.role or None for r in rows],
        roles,
        weights=np.array([r.weight for r in rows]),
        groups=np.array([r.group for r in rows]),
        calibrate=calibrate,
        drop=drop,
        accept=[roles_of.get(r.text, set()) for r in rows],
        threshold_rows=source == "own",
        also=[r.also for r in rows],
        in_scope_share=own_in_scope_share(labelled[source == "own"]),
        sources=source,
    )


def own_in_scope_share(labelled: np.ndarray) -> float:
    """The prior the fit is calibrated to: the share of our own texts that fit a role, kept within
    [0.05, 0.95]; 0.5 where they hold none that fits no role (a team's CSV of labelled people), which
    says nothing about how common such texts are (a share of 1 would turn abstention off)."""
    if not len(labelled) or labelled.all() or not labelled.any():
        if len(labelled):
            logger.warning("Train - no own examples fit no role (or none fits one): the fit assumes 50%")
        return 0.5
    return float(np.clip(labelled.mean(), 0.05, 0.95))


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
        embedder = (
            load_embedder(backend, dtype="fp32", batch_invariant=False)
            if backend == "minilm"
            else load_embedder(backend)
        )
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

    feats, rows = training_set(embedder, index, corpus, labelled_examples(train_rows), progress=progress)
    ranker = fit_from_rows(feats, rows, roles)

    manifest["files"].pop(CLASSIFIER_FILE, None)
    path = save_ranker(ranker, models_dir)
    manifest["files"][CLASSIFIER_FILE] = persist.sha256_file(path)
    manifest["training"] = {
        **source,
        "train_rows": len(train_rows),
        "test_rows": len(test_rows),
        "seed": SEED,
        "sources": {src: sum(r.source == src for r in rows) for src in SOURCES},
    }
    manifest["metrics"] = {"training": ranker.metrics}
    if len(test_rows):
        from .matcher import RoleMatcher

        matcher = RoleMatcher(corpus, index, embedder, ranker, manifest)
        held = test_rows.rename(columns={"role": "label", "also": "acceptable"})
        report = evaluate_frame(matcher, held, baselines=False)
        manifest["metrics"]["held_apart"] = report["systems"]["fused"]
    persist.write_manifest(models_dir, manifest)
    write_model_card(models_dir, manifest, corpus)
    return manifest
