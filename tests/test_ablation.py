"""`rolematch evaluate` on several data sets in one run, and the ablation table (fake embedder: fast)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import RoleMatcher, persist
from matcher.ablation import COLUMNS, VARIANTS, format_ablation
from matcher.cli import main
from matcher.sources import SOURCES

LOAD = RoleMatcher.load  # the real loader (the fixture below replaces it)


@pytest.fixture(autouse=True)
def fake_loaded_matcher(monkeypatch, fake_matcher):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: fake_matcher))


@pytest.fixture()
def two_sets(tmp_path):
    resumes = pd.DataFrame(
        {
            "text": [
                "Helpdesk analyst: tickets, password resets and laptop imaging for 300 staff.",
                "Backend engineer writing Go services and reviewing pull requests.",
                "Head chef running a kitchen of twelve.",
            ],
            "role": ["it-support", "software-engineer", ""],
            "acceptable": ["it-support|technical-specialist", "software-engineer", ""],
        }
    )
    titles = pd.DataFrame({"text": ["network administrator", "product manager"], "role": ["it-support", ""]})
    titles["acceptable"] = ["it-support", ""]
    a, b = tmp_path / "resumes.csv", tmp_path / "titles.csv"
    resumes.to_csv(a, index=False)
    titles.to_csv(b, index=False)
    return a, b


@pytest.fixture()
def fewer_training_rows(monkeypatch):
    """Every 8th training row of each source (all of them take minutes to refit eight times)."""
    import matcher.train

    real = matcher.train.training_rows

    def thinned(*args, **kwargs):
        rows, seen = [], {}
        for row in real(*args, **kwargs):
            seen[row.source] = seen.get(row.source, -1) + 1
            if seen[row.source] % 8 == 0:
                rows.append(row)
        return rows

    monkeypatch.setattr(matcher.train, "training_rows", thinned)


def run(*args):
    return CliRunner().invoke(main, ["evaluate", *map(str, args)], catch_exceptions=False)


def test_several_data_sets_are_evaluated_in_one_run(two_sets):
    a, b = two_sets
    out = run(a, b, "--acceptable-column", "acceptable", "--no-compare-fast", "--format", "json")
    assert out.exit_code == 0, out.output
    reports = json.loads(out.stdout)
    assert [r["data"] for r in reports] == ["resumes.csv", "titles.csv"]
    assert [r["n"] for r in reports] == [3, 2]


def test_data_files_with_the_same_name_are_refused_not_merged(two_sets, tmp_path):
    a, _ = two_sets
    other = tmp_path / "elsewhere"
    other.mkdir()
    twin = other / a.name
    twin.write_bytes(a.read_bytes())
    out = CliRunner().invoke(main, ["evaluate", str(a), str(twin), "--no-compare-fast"])
    assert out.exit_code == 2 and "distinct names" in out.output


def test_record_and_fairness_take_one_data_file(two_sets):
    a, b = two_sets
    for flag in (["--record", "x"], ["--fairness"]):
        out = CliRunner().invoke(main, ["evaluate", str(a), str(b), *flag])
        assert out.exit_code == 2 and "take one DATA file" in out.output


def test_ablation_table_has_every_variant_on_every_data_set(
    two_sets, fewer_training_rows, tmp_path, monkeypatch, fake_models, fake_embedder
):
    models = tmp_path / "models"  # --record writes the manifest and card: a private copy
    shutil.copytree(fake_models, models)
    matcher = LOAD(models_dir=models, backend="fake", embedder=fake_embedder)
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: matcher))
    version = persist.read_manifest(models)["model_version"]
    a, b = two_sets
    out = run(
        a, b, "--acceptable-column", "acceptable", "--ablation", "--record", "ablation", "--format", "json"
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)  # progress goes to stderr
    assert list(report) == [name for name, _, _ in VARIANTS]
    for per in report.values():
        assert list(per) == ["held-apart", "resumes.csv", "titles.csv"]
        for metrics in per.values():
            assert set(metrics) <= set(COLUMNS)
            assert all(0.0 <= v <= 1.0 for v in metrics.values() if v == v)  # NaN: undefined there
    # the held-apart split has out-of-scope rows, so the fit is measured on it for every variant
    assert all("fit_auroc" in per["held-apart"] for per in report.values())
    table = format_ablation(report)
    assert table.count("- source") == (len(SOURCES) - 1) * 3 and "titles.csv" in table
    # recorded: the manifest holds the report, the model card its tables, the model version is unchanged
    manifest = persist.read_manifest(models)
    assert manifest["metrics"]["ablation"] == report and manifest["model_version"] == version
    card = (models / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert (
        "## Ablation" in card
        and card.count("| - title signal |") == 3
        and card.index("| full |") < card.index("| - title signal |")
        and "**titles.csv**" in card
    )
