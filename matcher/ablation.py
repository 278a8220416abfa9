"""Ablations: retrain the ranker with one signal group or one training source left out, and evaluate
every variant on the same data sets in one run (``rolematch evaluate --ablation``).

Training texts and evaluation texts are embedded once; each variant refits only the scikit-learn parts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .evaluate import ABLATION_METRICS, frame_targets, ranking_metrics, scope_metrics
from .examples import labelled_examples, load_examples
from .sources import SOURCES
from .train import featurize, fit_from_rows, training_set

VARIANTS: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("full", frozenset(), SOURCES),
    ("- backbone signal", frozenset({"backbone"}), SOURCES),
    ("- title signal", frozenset({"titles"}), SOURCES),
    ("- outside-world fit", frozenset({"world"}), SOURCES),
    *((f"- source {s}", frozenset(), tuple(x for x in SOURCES if x != s)) for s in SOURCES if s != "own"),
)
COLUMNS = ABLATION_METRICS


def ablation_report(
    matcher: Any, datasets: dict[str, pd.DataFrame], progress: bool = False
) -> dict[str, Any]:
    """``{variant: {dataset: metrics}}`` for every variant of ``VARIANTS``.

    ``datasets``: frames with ``text``, ``label`` (empty = out of scope) and optional ``acceptable``.
    Training uses the bundled examples' train split, as ``rolematch train`` does.
    """
    corpus, index, embedder = matcher.corpus, matcher.index, matcher.embedder
    roles = corpus.role_ids
    data = load_examples(corpus.articles[next(iter(corpus.articles))].path.parents[1] / "examples", roles)
    train_rows = data[data["split"] == "train"]
    feats, rows = training_set(embedder, index, corpus, labelled_examples(train_rows), progress=progress)
    evals = {
        name: (frame, featurize(embedder, index, [str(t) for t in frame["text"]]))
        for name, frame in datasets.items()
    }
    report: dict[str, Any] = {}
    for name, drop, sources in VARIANTS:
        keep = [i for i, r in enumerate(rows) if r.source in sources]
        ranker = fit_from_rows(feats.subset(keep), [rows[i] for i in keep], roles, drop)
        report[name] = {d: _metrics(ranker, f, frame, roles) for d, (frame, f) in evals.items()}
    return report


def _metrics(ranker: Any, feats: Any, frame: pd.DataFrame, roles: list[str]) -> dict[str, float]:
    scores = ranker.rank(feats)
    in_scope, primary, acceptable = frame_targets(frame, roles)
    inside = [a for a, k in zip(acceptable, in_scope) if k]
    out: dict[str, float] = {}
    if in_scope.any():
        m = ranking_metrics(
            scores.score[in_scope], scores.confidence[in_scope], primary[in_scope], inside, roles
        )
        out.update({k: m[k] for k in ("acc@1", "acc@3", "mrr", "ece")})
    out.update({k: v for k, v in scope_metrics(scores.fit, in_scope, scores.abstain).items() if k in COLUMNS})
    return out


def format_ablation(report: dict[str, Any]) -> str:
    """One table per data set: a row per variant, the metrics of ``COLUMNS``."""
    lines = []
    datasets = list(next(iter(report.values())))
    for d in datasets:
        lines.append(f"{d}")
        lines.append(f"{'variant':<30}" + "".join(f"{c:>17}" for c in COLUMNS))
        for variant, per in report.items():
            m = per[d]
            cells = "".join(
                f"{m[c]:>17.3f}" if isinstance(m.get(c), float) and not np.isnan(m[c]) else f"{'-':>17}"
                for c in COLUMNS
            )
            lines.append(f"{variant:<30}{cells}")
        lines.append("")
    return "\n".join(lines)
