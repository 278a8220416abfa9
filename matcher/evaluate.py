"""Evaluation harness: ranking, classification, calibration and out-of-scope metrics, for the fused
system and the baselines computed in the same run (TF-IDF, raw embedding similarity, the four-signal
similarity, the classifier alone).

The metric functions are pure numpy and are tested on tiny cases with known answers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, roc_auc_score

from .rank import listed_order, softmax

# --------------------------------------------------------------------------- metrics (pure)


def first_hit_ranks(order: np.ndarray, acceptable: list[set[int]]) -> np.ndarray:
    """1-based rank of the first acceptable role in each row's ranking ``order`` ``(n, n_roles)``."""
    ranks = np.full(len(order), order.shape[1] + 1)
    for i, (row, ok) in enumerate(zip(order, acceptable)):
        hits = [pos for pos, role in enumerate(row) if role in ok]
        if hits:
            ranks[i] = hits[0] + 1
    return ranks


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE: bin-size-weighted mean |accuracy − confidence| over equal-width confidence bins."""
    if len(confidence) == 0:
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - confidence[sel].mean())
    return float(total)


INTERVAL_LEVEL = 0.9


def bootstrap_intervals(
    ranks: np.ndarray, top_confidence: np.ndarray, resamples: int = 1000, seed: int = 0
) -> dict[str, list[float]]:
    """How far the figures of a small evaluation set could move on another sample of the same kind (rows
    drawn with replacement, fixed seed): ``INTERVAL_LEVEL`` percentile intervals ``[low, high]`` of acc@1,
    acc@3 and MRR, and ``ece`` ``[sd]``, the spread of the ECE over the resamples (its percentiles would
    mislead: repeated rows fill the bins unevenly, so resampled ECEs read high). ``ranks``: 1-based rank of
    the first acceptable role per row; ``top_confidence``: the top role's confidence."""
    draws = np.random.default_rng(seed).integers(0, len(ranks), size=(resamples, len(ranks)))
    picked = ranks[draws]
    hit = (picked == 1).astype(float)
    tail = (1.0 - INTERVAL_LEVEL) / 2 * 100
    means = {
        "acc@1": hit.mean(axis=1),
        "acc@3": (picked <= 3).mean(axis=1),
        "mrr": (1.0 / picked).mean(axis=1),
    }
    out = {k: [float(x) for x in np.percentile(v, [tail, 100 - tail])] for k, v in means.items()}
    ece = [expected_calibration_error(top_confidence[d], h) for d, h in zip(draws, hit)]
    out["ece"] = [float(np.std(ece))]
    return out


def ranking_metrics(
    scores: np.ndarray,
    confidence: np.ndarray,
    primary: np.ndarray,
    acceptable: list[set[int]],
    roles: list[str],
    intervals: bool = False,
) -> dict[str, Any]:
    """acc@1, acc@3, MRR, macro-F1, per-role recall, top confusions and ECE for in-scope rows, and with
    ``intervals`` their bootstrap intervals (``bootstrap_intervals``).

    ``scores``/``confidence`` ``(n, n_roles)``; ``primary`` ``(n,)`` role indices; ``acceptable``: per row
    the role indices that count as correct (always including the primary one).
    """
    order = listed_order(scores, confidence)
    ranks = first_hit_ranks(order, acceptable)
    top1 = order[:, 0]
    correct = ranks == 1
    # for F1 and recall a top-1 prediction inside the acceptable set counts as the primary label
    credited = np.where(correct, primary, top1)
    present = sorted(set(primary.tolist()))
    recall = {roles[r]: float(correct[primary == r].mean()) for r in present}
    confusions = Counter((roles[p], roles[t]) for p, t, ok in zip(primary, top1, correct) if not ok)
    top_confidence = confidence[np.arange(len(top1)), top1]
    out = {
        "n": int(len(primary)),
        "acc@1": float(correct.mean()),
        "acc@3": float((ranks <= 3).mean()),
        "mrr": float((1.0 / ranks).mean()),
        "macro_f1": float(f1_score(primary, credited, labels=present, average="macro", zero_division=0)),
        "ece": expected_calibration_error(top_confidence, correct.astype(float)),
        "per_role_recall": recall,
        "top_confusions": [f"{a} → {b}: {c}" for (a, b), c in confusions.most_common(5)],
    }
    if intervals and len(ranks):
        out["intervals"] = bootstrap_intervals(ranks, top_confidence)
    return out


def scope_metrics(fit: np.ndarray, in_scope: np.ndarray, abstain: np.ndarray | None = None) -> dict[str, Any]:
    """AUROC of ``fit`` for in-scope (1) vs out-of-scope (0) rows, and abstention rates."""
    out: dict[str, Any] = {"n_out_of_scope": int((~in_scope).sum())}
    if in_scope.any() and (~in_scope).any():
        out["fit_auroc"] = float(roc_auc_score(in_scope, fit))
    if abstain is not None and in_scope.any():
        out["abstain_in_scope"] = float(abstain[in_scope].mean())
    if abstain is not None and (~in_scope).any():
        out["abstain_out_of_scope"] = float(abstain[~in_scope].mean())
    return out


def joint_calibration_error(
    scores: np.ndarray, confidence: np.ndarray, in_scope: np.ndarray, acceptable: list[set[int]]
) -> float:
    """ECE of the top role's confidence over every row, a row that fits no role counting as wrong: the
    calibration of a confidence that counts the chance that none fits (``ece`` looks at in-scope rows
    only, where such a confidence is bound to look low by that chance)."""
    top = listed_order(scores, confidence)[:, 0]
    right = np.array([keep and t in ok for t, ok, keep in zip(top, acceptable, in_scope)], float)
    return expected_calibration_error(confidence[np.arange(len(top)), top], right)


def set_metrics(in_set: np.ndarray, acceptable: list[set[int]]) -> dict[str, Any]:
    """Empirical coverage of prediction sets ``(n, n_roles)`` (a hit: an acceptable role in the set)
    and their mean size."""
    hits = [bool(ok & set(np.flatnonzero(row).tolist())) for row, ok in zip(in_set, acceptable)]
    return {"set_coverage": float(np.mean(hits)), "set_size": float(in_set.sum(axis=1).mean())}


ABLATION_METRICS = ("acc@1", "acc@3", "mrr", "ece", "fit_auroc", "abstain_in_scope")  # per variant


def agreement_metrics(
    reference: dict[str, np.ndarray],
    other: dict[str, np.ndarray],
    acceptable: list[set[int]],
    in_scope: np.ndarray,
) -> dict[str, Any]:
    """How a second system (the fast path) compares with the reference (the default) on the same rows.

    ``reference``/``other``: ``score`` and ``confidence`` ``(n, n_roles)``; ``acceptable`` per in-scope row.
    Returns the top-1 agreement over all rows, acc@1 of each on the in-scope rows, and the other system's
    mean top-role confidence where the two agree and where they disagree (a fast path that knows its
    limits is less sure where it parts from the default).
    """
    top_ref = listed_order(reference["score"], reference["confidence"])[:, 0]
    top_other = listed_order(other["score"], other["confidence"])[:, 0]
    agree = top_ref == top_other
    conf_other = other["confidence"][np.arange(len(top_other)), top_other]
    inside = np.flatnonzero(in_scope)
    out: dict[str, Any] = {
        "n": int(len(agree)),
        "top1_agreement": float(agree.mean()) if len(agree) else float("nan"),
    }
    for name, top in (("reference", top_ref), ("other", top_other)):
        hits = [int(top[i]) in ok for i, ok in zip(inside, acceptable)]
        out[f"acc@1_{name}"] = float(np.mean(hits)) if hits else float("nan")
    out["confidence_other_agree"] = float(conf_other[agree].mean()) if agree.any() else float("nan")
    out["confidence_other_disagree"] = float(conf_other[~agree].mean()) if (~agree).any() else float("nan")
    return out


# --------------------------------------------------------------------------- systems


def _tfidf_system(matcher: Any, texts: list[str]) -> dict[str, np.ndarray]:
    docs = [f"{r.title}. {r.description} {' '.join(r.signals)}" for r in matcher.corpus.roles]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(docs + texts)
    sims = (vectorizer.transform(texts) @ vectorizer.transform(docs).T).toarray()
    return {"score": sims, "confidence": softmax(sims, 0.05), "fit": sims.max(axis=1)}


def system_scores(matcher: Any, texts: list[str], baselines: bool = True) -> dict[str, dict[str, np.ndarray]]:
    """Scores of every system for the texts, from a single embedding pass."""
    from .train import featurize

    feats = featurize(matcher.embedder, matcher.index, texts)
    F = feats.similarity
    scores = matcher.ranker.rank(feats)
    systems = {
        "fused": {
            "score": scores.score,
            "confidence": scores.confidence,
            "fit": scores.fit,
            "abstain": scores.abstain,
            "in_set": scores.in_set,
        }
    }
    if baselines:
        systems["tfidf"] = _tfidf_system(matcher, texts)
        raw = F[:, :, 0]
        systems["embedding"] = {"score": raw, "confidence": softmax(raw, 0.03), "fit": raw.max(axis=1)}
        sim = F.mean(axis=2)
        systems["similarity"] = {"score": sim, "confidence": softmax(sim, 0.03), "fit": sim.max(axis=1)}
        if scores.classifier is not None:
            p = scores.classifier
            systems["classifier"] = {"score": p, "confidence": p, "fit": p.max(axis=1)}
    return systems


def frame_targets(frame: pd.DataFrame, roles: list[str]) -> tuple[np.ndarray, np.ndarray, list[set[int]]]:
    """From columns ``label`` (role id; empty = out of scope) and optional ``acceptable`` (ids joined by
    ``|``): ``in_scope`` ``(n,)`` bool, ``primary`` ``(n,)`` role index (-1 out of scope), ``acceptable``."""
    labels = [str(x).strip() if isinstance(x, str) else "" for x in frame["label"]]
    unknown = sorted({x for x in labels if x and x not in roles})
    if unknown:
        raise ValueError(f"unknown role label(s) {unknown[:5]}; labels must be role ids: {', '.join(roles)}")
    accept_col = frame["acceptable"] if "acceptable" in frame else [""] * len(frame)
    acceptable = []
    for label, extra in zip(labels, accept_col):
        ok = {roles.index(label)} if label else set()
        ok |= {roles.index(r) for r in str(extra or "").split("|") if r in roles}
        acceptable.append(ok)
    primary = np.array([roles.index(x) if x else -1 for x in labels])
    return np.array([bool(x) for x in labels]), primary, acceptable


def evaluate_frame(
    matcher: Any, frame: pd.DataFrame, baselines: bool = True, systems: dict[str, dict] | None = None
) -> dict[str, Any]:
    """Evaluate on a frame with columns ``text``, ``label`` (role id, or empty/None = out of scope)
    and optionally ``acceptable`` (role ids separated by ``|``).

    ``systems``: scores already computed by ``system_scores`` for ``frame["text"]`` (saves a second
    embedding pass); by default they are computed here.
    """
    roles = matcher.corpus.role_ids
    in_scope, primary, acceptable = frame_targets(frame, roles)
    if systems is None:
        systems = system_scores(matcher, [str(t) for t in frame["text"]], baselines)
    inside = [a for a, keep in zip(acceptable, in_scope) if keep]
    report: dict[str, Any] = {"n": int(len(frame)), "n_in_scope": int(in_scope.sum()), "systems": {}}
    for name, s in systems.items():
        metrics = (
            ranking_metrics(
                s["score"][in_scope],
                s["confidence"][in_scope],
                primary[in_scope],
                inside,
                roles,
                intervals=name == "fused",
            )
            if in_scope.any()
            else {}
        )
        metrics.update(scope_metrics(s["fit"], in_scope, s.get("abstain")))
        if (~in_scope).any():
            metrics["ece_all"] = joint_calibration_error(s["score"], s["confidence"], in_scope, acceptable)
        if s.get("in_set") is not None and in_scope.any():
            metrics.update(set_metrics(s["in_set"][in_scope], inside))
        report["systems"][name] = metrics
    return report


SUMMARY_KEYS = ("acc@1", "acc@3", "mrr", "macro_f1", "ece", "fit_auroc")


def format_report(report: dict[str, Any], title: str = "") -> str:
    """A plain-text table of the main metrics per system, then details of the fused system."""
    lines = [f"{title} ({report['n']} rows, {report['n_in_scope']} in scope)".strip()]
    lines.append(f"{'system':<12}" + "".join(f"{k:>10}" for k in SUMMARY_KEYS))
    for name, m in report["systems"].items():
        cells = "".join(
            f"{m[k]:>10.3f}" if isinstance(m.get(k), float) else f"{'-':>10}" for k in SUMMARY_KEYS
        )
        lines.append(f"{name:<12}{cells}")
    fused = report["systems"].get("fused", {})
    if "intervals" in fused:
        lines.append(
            f"{INTERVAL_LEVEL:.0%} bootstrap intervals (fused, in-scope rows resampled): "
            + ", ".join(f"{k} {v[0]:.3f}-{v[1]:.3f}" for k, v in fused["intervals"].items() if len(v) == 2)
            + f"; ECE ±{fused['intervals']['ece'][0]:.3f} (sd)"
        )
    if "ece_all" in fused:
        lines.append(f"ECE over every row (a row that fits no role counts as wrong): {fused['ece_all']:.3f}")
    if "abstain_in_scope" in fused:
        lines.append(
            f"abstain: {fused['abstain_in_scope']:.1%} of in-scope rows, "
            f"{fused.get('abstain_out_of_scope', 0.0):.1%} of out-of-scope rows"
        )
    if "set_coverage" in fused:
        lines.append(f"role sets: coverage {fused['set_coverage']:.3f}, mean size {fused['set_size']:.2f}")
    fast = report.get("fast_path")
    if fast:
        lines.append(
            f"fast path: top-1 agreement {fast['top1_agreement']:.3f}; acc@1 {fast['acc@1_reference']:.3f} "
            f"(this backend) vs {fast['acc@1_other']:.3f} (fast); fast confidence "
            f"{fast['confidence_other_agree']:.2f} where they agree, {fast['confidence_other_disagree']:.2f} "
            "where they disagree"
        )
    if fused.get("per_role_recall"):
        lines.append(
            "per-role recall (fused): "
            + ", ".join(f"{k} {v:.2f}" for k, v in sorted(fused["per_role_recall"].items()))
        )
    if fused.get("top_confusions"):
        lines.append("top confusions (fused): " + "; ".join(fused["top_confusions"]))
    return "\n".join(lines) + "\n"
