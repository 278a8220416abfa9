"""Your own catalog with the real model: a recruiter's catalog made from job descriptions is built with
`rolematch build --catalog`, then `match`, `rank` and `batch` run against it; the bundled catalog's
answers do not move."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher import RoleMatcher
from matcher.cli import main

pytestmark = pytest.mark.model

JDS = {
    "backend-engineer.md": (
        "# Backend Engineer\n\n"
        "You will design and build REST APIs in Python and run them on PostgreSQL in the cloud.\n\n"
        "You will review code, write automated tests and keep our services fast and reliable.\n"
    ),
    "ward-nurse.txt": (
        "Ward Nurse\n\n"
        "You will care for patients on a busy surgical ward, give medication and keep clear care notes.\n\n"
        "You will talk with families and doctors about each patient's care plan.\n"
    ),
    "accountant.md": (
        "# Accountant\n\n"
        "You will close the monthly books, reconcile bank accounts and prepare VAT returns.\n\n"
        "You will work with auditors and explain the figures to the finance director.\n"
    ),
}
PEOPLE = [
    (
        "p1",
        "Registered nurse, eight years on surgical wards: medication rounds, care plans, talking to families.",
    ),
    ("p2", "Python developer. I build REST APIs with FastAPI and PostgreSQL and write tests for them."),
    ("p3", "Chartered accountant: month-end close, bank reconciliations and VAT returns for a retailer."),
]
BUNDLED_TEXT = (
    "I run go-to-market launches and write case studies for a SaaS product; I enable the sales team."
)


@pytest.fixture(autouse=True)
def shared_embedder(monkeypatch, real_embedder):
    """Every load in these tests reuses the session's model (the CLI would load it per call)."""
    original = RoleMatcher.load.__func__
    monkeypatch.setattr(
        RoleMatcher,
        "load",
        classmethod(
            lambda cls, **kw: original(cls, **{**kw, "embedder": kw.get("embedder") or real_embedder})
        ),
    )


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def bundled_before(real_embedder):
    """The bundled catalog's answer, taken before any other catalog is built."""
    return RoleMatcher.load(embedder=real_embedder).match(BUNDLED_TEXT, top=3).to_dict()


@pytest.fixture(scope="module")
def jd_catalog(tmp_path_factory, bundled_before):
    root = tmp_path_factory.mktemp("recruiter")
    jds = root / "jds"
    jds.mkdir()
    for name, text in JDS.items():
        (jds / name).write_text(text, encoding="utf-8")
    catalog = root / "openings"
    out = run("init", str(catalog), "--from-jds", str(jds), "--name", "Open roles")
    assert out.exit_code == 0, out.output
    out = run("build", "--catalog", str(catalog))
    assert out.exit_code == 0, out.output
    assert "3 roles" in out.output and "not calibrated" in out.output
    assert "built artifacts for --backend onnx and minilm" in out.output  # the default --backend is onnx
    return catalog


def test_match_quotes_the_catalogs_own_job_descriptions(jd_catalog):
    out = run("match", "--catalog", str(jd_catalog), "--format", "json", "--top", "3", PEOPLE[0][1])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["roles"][0]["id"] == "ward-nurse"
    assert data["catalog"] == "Open roles"
    assert data["confidence_calibrated"] is False
    assert data["confidence_note"] == "not calibrated (no labelled examples)"
    quotes = [q for role in data["roles"] for q in role["quotes"]]
    assert quotes
    for q in quotes:
        text = (jd_catalog / q["source"]).read_text(encoding="utf-8")
        assert text[q["start"] : q["end"]] == q["text"]
    assert any("surgical ward" in q["text"] for q in data["roles"][0]["quotes"])


def test_the_environment_variable_and_the_table(jd_catalog):
    out = run("match", PEOPLE[2][1], "--top", "2", env={"ROLEMATCH_CATALOG": str(jd_catalog)})
    assert out.exit_code == 0, out.output
    first = next(line for line in out.output.splitlines() if line.startswith(" 1  "))
    assert "Accountant" in first
    assert "confidence not calibrated (no labelled examples)" in out.output


def test_rank_candidates_against_an_opening(jd_catalog, tmp_path):
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("id", "text"), *PEOPLE])
    out = run(
        "rank", "--catalog", str(jd_catalog), "--role", "Backend Engineer", str(people), "--format", "csv"
    )
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(out.stdout.splitlines()))
    assert [r["id"] for r in rows][0] == "p2"
    assert float(rows[0]["confidence_backend-engineer"]) > float(rows[1]["confidence_backend-engineer"])
    assert "not calibrated" in out.stderr


def test_batch_against_a_jd_catalog(jd_catalog, tmp_path):
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("id", "text"), *PEOPLE])
    output = tmp_path / "scored.csv"
    out = run("batch", "--catalog", str(jd_catalog), str(people), "-o", str(output), "--top", "2")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(output.open(encoding="utf-8-sig")))
    assert [r["role_1"] for r in rows] == ["ward-nurse", "backend-engineer", "accountant"]
    assert {r["confidence_note"] for r in rows} == {"not calibrated (no labelled examples)"}
    for r in rows:  # “text” (articles/<role>.md:start-end), verbatim at those offsets
        found = re.fullmatch(r"“(.*)” \((articles/[^:]+):(\d+)-(\d+)\)", r["quote_1"], re.S)
        assert found and found[2] == f"articles/{r['role_1']}.md"
        text = (jd_catalog / found[2]).read_text(encoding="utf-8")
        assert text[int(found[3]) : int(found[4])] == found[1]


def test_the_bundled_catalog_gives_the_same_answers_after_another_was_built(
    jd_catalog, bundled_before, real_embedder
):
    after = RoleMatcher.load(embedder=real_embedder).match(BUNDLED_TEXT, top=3).to_dict()
    assert after == bundled_before
    assert after["catalog"] == "rolematch (bundled)" and after["confidence_calibrated"] is True
    assert Path(jd_catalog / "models" / "manifest.json").is_file()


def test_paths_on_a_catalog_without_paths_says_what_to_write(jd_catalog):
    out = CliRunner().invoke(main, ["paths", "--catalog", str(jd_catalog), PEOPLE[1][1]])
    assert out.exit_code == 1
    assert "has no career paths" in out.output and "paths.example.yaml" in out.output
