"""``rolematch train`` and ``rolematch evaluate``: the classifier and its honest evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import index_backend
from ..errors import RolematchError
from ._common import backend_option, catalog_option, load_matcher, models_option, resolve_catalog_or_fail


@click.command(
    epilog="""\b
Examples:
  rolematch train
  rolematch train --examples labeled.csv --text-column bio --label-column role
"""
)
@backend_option
@models_option
@catalog_option
@click.option(
    "--examples",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A labeled CSV to train on instead of corpus/examples/ (empty label = out of scope).",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="role", show_default=True)
@click.option("--split-column", default=None, help="Column with train/test; without it every row trains.")
def train(
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
    examples: Path | None,
    text_column: str,
    label_column: str,
    split_column: str | None,
) -> None:
    """Retrain the classifier and fusion from labeled examples; writes models/ and MODEL_CARD.md."""
    from ..train import train as run_train

    found = resolve_catalog_or_fail(catalog)
    try:
        manifest = run_train(
            corpus_dir=found.corpus_dir,
            models_dir=models_dir or found.models_dir(backend),
            backend=index_backend(backend),  # onnx trains on MiniLM's index, with torch fp32
            examples=examples,
            text_column=text_column,
            label_column=label_column,
            split_column=split_column,
            progress=True,
        )
    except RolematchError as exc:
        raise click.ClickException(str(exc)) from exc
    held = manifest["metrics"].get("held_apart", {})
    summary = ", ".join(f"{k} {held[k]:.3f}" for k in ("acc@1", "acc@3", "mrr", "ece") if k in held)
    click.echo(f"trained on {manifest['training']['train_rows']} examples; held-apart: {summary or 'none'}")


@click.command(
    epilog="""\b
Examples:
  rolematch evaluate ../shared/data/resumes_kaggle.csv --acceptable-column acceptable
  rolematch evaluate titles.csv --text-column title --label-column role --format json
  rolematch evaluate tests/data/fairness_bios.csv --fairness
  rolematch evaluate resumes_kaggle.csv titles_florex.csv --acceptable-column acceptable --ablation
"""
)
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="role", show_default=True, help="Role id; empty = out of scope.")
@click.option(
    "--acceptable-column", default=None, help="Role ids separated by '|' that also count as correct."
)
@click.option("--limit", type=int, default=None, help="Evaluate a random sample of this many rows (seed 0).")
@click.option(
    "--record", default=None, help="Save the fused metrics under this name in the manifest and card."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--fairness",
    is_flag=True,
    help="Instead of metrics: how far scores move when names and gendered words are swapped.",
)
@click.option(
    "--ablation",
    is_flag=True,
    help="Also retrain with each signal group and each training source left out, and compare "
    "all variants on each DATA and the held-apart split, in one run (minutes).",
)
@click.option(
    "--compare-fast/--no-compare-fast",
    default=True,
    show_default=True,
    help="Also score DATA with the fast path (static backend) and report its top-1 agreement with this "
    "backend, the accuracy of both, and the fast path's confidence where they agree and disagree.",
)
@backend_option
@models_option
@catalog_option
def evaluate(
    data: tuple[Path, ...],
    text_column: str,
    label_column: str,
    acceptable_column: str | None,
    limit: int | None,
    record: str | None,
    fmt: str,
    fairness: bool,
    ablation: bool,
    compare_fast: bool,
    backend: str,
    models_dir: Path | None,
    catalog: Path | None,
) -> None:
    """Metrics of the fused system and its baselines on labelled CSVs (acc@1/3, MRR, F1, ECE, AUROC).

    Several DATA files are evaluated in one run; with --ablation, every variant on each of them and on the
    held-apart split."""
    from ..evaluate import evaluate_frame, format_report, system_scores

    if (fairness or (record and not ablation)) and len(data) > 1:
        raise click.UsageError(
            "--fairness and --record take one DATA file (--ablation --record takes several)"
        )
    if fairness and record:
        raise click.UsageError("--record saves metrics; it cannot be combined with --fairness")
    names = [path.name for path in data]
    if len(set(names)) < len(names):
        raise click.UsageError(f"DATA files are reported by name: give files with distinct names ({names})")
    frames = {
        path.name: _read_frame(path, text_column, label_column, acceptable_column, limit) for path in data
    }
    matcher = load_matcher(models_dir, backend, catalog)
    if fairness:
        name, frame = next(iter(frames.items()))
        return _fairness(matcher, frame, fmt, f"{name} [{backend}]")
    if ablation:
        return _ablation(matcher, frames, fmt, record)
    fast = _fast_matcher(catalog) if compare_fast and backend != "static" and models_dir is None else None
    reports = []
    for name, frame in frames.items():
        try:
            systems = system_scores(matcher, [str(t) for t in frame["text"]])
            report = evaluate_frame(matcher, frame, systems=systems)
        except (RolematchError, ValueError) as exc:
            raise click.ClickException(f"{name}: {exc}") from exc
        report["data"] = name
        report["backend"] = backend
        if fast is not None:
            report["fast_path"] = _compare_fast(matcher, fast, frame, systems["fused"])
        reports.append(report)
    if record:
        _record(matcher, record, reports[0])
    if fmt == "json":
        click.echo(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2))
    else:
        for report in reports:
            click.echo(format_report(report, f"{report['data']} [{backend}]"), nl=False)


def _read_frame(
    path: Path, text_column: str, label_column: str, acceptable_column: str | None, limit: int | None
):
    """A labelled CSV as a frame with ``text``, ``label`` and optional ``acceptable`` (a sample of
    ``limit`` rows, seed 0)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    wanted = [text_column, label_column] + ([acceptable_column] if acceptable_column else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise click.BadParameter(
            f"{path.name}: column(s) {missing} not found; columns are: {', '.join(frame.columns)}",
            param_hint="--text-column/--label-column",
        )
    if limit and limit < len(frame):
        frame = frame.sample(limit, random_state=0)
    frame = frame.rename(columns={text_column: "text", label_column: "label"})
    return frame.rename(columns={acceptable_column: "acceptable"}) if acceptable_column else frame


def _fast_matcher(catalog: Path | None):
    """The fast path (static backend) of the same catalog; None (and a note on stderr) where its models
    are missing."""
    from ..matcher import RoleMatcher

    try:
        return RoleMatcher.load(backend="static", catalog=catalog)
    except RolematchError as exc:
        click.echo(f"fast path not compared: {exc}", err=True)
        return None


def _compare_fast(matcher, fast, frame, reference: dict) -> dict:
    """Agreement of the fast path ``fast`` with ``reference``, ``matcher``'s fused scores on the frame."""
    from ..evaluate import agreement_metrics, frame_targets, system_scores

    texts = [str(t) for t in frame["text"]]
    in_scope, _, acceptable = frame_targets(frame, matcher.corpus.role_ids)
    inside = [a for a, keep in zip(acceptable, in_scope) if keep]
    other = system_scores(fast, texts, baselines=False)["fused"]
    return agreement_metrics(reference, other, inside, in_scope)


def _ablation(matcher, frames: dict, fmt: str, record: str | None) -> None:
    from ..ablation import ablation_report, format_ablation
    from ..examples import load_examples

    examples = load_examples(
        matcher.corpus.articles[next(iter(matcher.corpus.articles))].path.parents[1] / "examples",
        matcher.corpus.role_ids,
    )
    held = examples[examples["split"] == "test"].rename(columns={"role": "label", "also": "acceptable"})
    held["label"] = held["label"].fillna("")
    report = ablation_report(matcher, {"held-apart": held, **frames}, progress=True)
    if record:
        _save_metrics(matcher, "ablation", report)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_ablation(report), nl=False)


def _fairness(matcher, frame, fmt: str, title: str) -> None:
    from ..fairness import fairness_report, format_fairness_report

    ids = frame["id"] if "id" in frame.columns else frame.index.astype(str)
    report = fairness_report(matcher, frame["text"].tolist(), ids=[str(i) for i in ids])
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_fairness_report(report, title), nl=False)


def _record(matcher, name: str, report: dict) -> None:
    fused = {k: v for k, v in report["systems"]["fused"].items() if not isinstance(v, (dict, list))}
    if "intervals" in report["systems"]["fused"]:
        fused["intervals"] = report["systems"]["fused"]["intervals"]
    fused["baselines"] = {
        s: {k: m.get(k) for k in ("acc@1", "acc@3", "mrr", "fit_auroc")} for s, m in report["systems"].items()
    }
    _save_metrics(matcher, "evaluation", fused, name)


def _save_metrics(matcher, key: str, value: dict, name: str | None = None) -> None:
    """``value`` under ``metrics[key]`` (or ``metrics[key][name]``) of the manifest; rewrites the model card.
    Metrics are not part of the model version."""
    from .. import persist
    from ..card import write_model_card

    models = matcher.models_dir
    manifest = persist.read_manifest(models)
    metrics = manifest.setdefault("metrics", {})
    if name is None:
        metrics[key] = value
    else:
        metrics.setdefault(key, {})[name] = value
    persist.write_manifest(models, manifest)
    write_model_card(models, manifest, matcher.corpus)


COMMANDS = [train, evaluate]
