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


OPENINGS = {
    "backend-engineer.md": JDS["backend-engineer.md"],
    "accountant.md": JDS["accountant.md"],
    "product-manager.md": (
        "# Product Manager\n\n"
        "You will own the product roadmap, write user stories and prioritise the backlog with engineering.\n\n"
        "You will talk to customers, define what success looks like and launch features with design.\n"
    ),
    "it-support.md": (
        "# IT Support Technician\n\n"
        "You will set up laptops and phones, manage user accounts and fix network and printer problems.\n\n"
        "You will look after backups and servers and help staff with their IT questions.\n"
    ),
}
CANDIDATES = {
    "nurse": "Registered nurse, eight years on surgical wards: medication rounds, care plans, talking to "
    "families and doctors.",
    "chef": "Head chef at a busy Italian restaurant. I plan menus, order produce, run the kitchen line and "
    "train junior cooks.",
    "pm": "Product manager for a SaaS platform: I write specs and user stories, prioritise the backlog with "
    "engineers and talk to customers about the API roadmap.",
    "it": "IT support technician: I set up laptops, manage user accounts, fix network problems and look "
    "after the servers and backups for 200 staff.",
    "dev": "Python developer. I build REST APIs with FastAPI and PostgreSQL and write tests for them.",
}


@pytest.fixture(scope="module")
def openings(tmp_path_factory, bundled_before):
    """A four-role catalog from job descriptions, none of which a nurse or a chef fits."""
    root = tmp_path_factory.mktemp("openings")
    (root / "jds").mkdir()
    for name, text in OPENINGS.items():
        (root / "jds" / name).write_text(text, encoding="utf-8")
    assert run("init", str(root / "openings"), "--from-jds", str(root / "jds")).exit_code == 0
    out = run("build", "--catalog", str(root / "openings"))
    assert out.exit_code == 0 and "not calibrated" in out.output, out.output
    return root / "openings"


def test_without_labelled_examples_people_who_fit_nothing_rank_last(openings, tmp_path, real_embedder):
    """The user's report: for "Backend Engineer", a nurse and a chef (no strong fit: a flat share of a small
    catalog) ranked above a product manager and an IT technician, who fit other roles well. Now those who
    fit come first, each group ordered by the role's similarity score."""
    folder = tmp_path / "cands"
    folder.mkdir()
    for name, text in CANDIDATES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    env = {"ROLEMATCH_CATALOG": str(openings)}
    out = run("rank", "--role", "Backend Engineer", str(folder), "--format", "csv", env=env)
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(out.stdout.splitlines()))
    order = [r["file"].removesuffix(".txt") for r in rows]
    abstains = [r["abstain"] == "True" for r in rows]
    assert set(order[-2:]) == {"nurse", "chef"} and abstains == sorted(abstains)  # no strong fit: last
    assert order[0] == "dev" and set(order[1:3]) == {"pm", "it"}
    matcher = RoleMatcher.load(catalog=openings, embedder=real_embedder)
    score = {
        name: next(r.score for r in result.roles if r.id == "backend-engineer")
        for name, result in zip(CANDIDATES, matcher.match(list(CANDIDATES.values()), top=4))
    }
    assert [score[n] for n in order[:3]] == sorted((score[n] for n in order[:3]), reverse=True)
    assert (
        "candidates are ordered by their similarity to the role, those with no strong fit last" in out.stderr
    )
    table = run("rank", "--role", "Backend Engineer", str(folder), env=env)
    lines = [line for line in table.stdout.splitlines() if line[:4].strip().isdigit()]
    assert [line.split()[1].removesuffix(".txt") for line in lines] == order
    assert all("(no strong fit)" in line for line in lines[-2:])
    assert not any("(no strong fit)" in line for line in lines[:-2])
