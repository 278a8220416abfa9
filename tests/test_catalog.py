"""Your own catalog (issue 15): init, importers, validation, build, load, batch and the page, with the
fast fake embedder. The real-model checks are in test_catalog_model.py."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.catalog import from_csv, from_jds, from_onet, init_catalog
from matcher.config import bundled_catalog, resolve_catalog
from matcher.corpus import load_corpus
from matcher.errors import ArtifactError, CorpusError

ROOT = Path(__file__).resolve().parents[1]

ANALYST = """---
title: Analysts at work
---
# Analysts at work

A data analyst writes SQL queries and builds dashboards that managers read every week.

Good analysts explain trends in plain words and check the numbers twice.
"""
NURSE = """---
title: Nursing on the ward
source: written for the test
---
A nurse looks after patients on the ward, gives medication and writes care notes.

Nurses talk with families and doctors about each patient's care plan every day.
"""
MINIMAL = """name: Test catalog
roles:
  - id: data-analyst
    title: Data Analyst
    description: Writes SQL queries, builds dashboards and reports on business data.
  - id: nurse
    title: Nurse
    description: Cares for patients on a hospital ward, gives medication and keeps care notes.
"""


def write_catalog(root: Path, roles: str = MINIMAL, articles: dict[str, str] | None = None) -> Path:
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "roles.yaml").write_text(roles, encoding="utf-8")
    for slug, text in (articles if articles is not None else {"analyst": ANALYST, "nurse": NURSE}).items():
        (root / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    return root


def cli(*args: str, env: dict | None = None):
    from matcher.cli import main

    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture(scope="module")
def fake_catalog(tmp_path_factory, fake_embedder):
    """A two-role catalog (only id, title, description per role) built with the fake embedder."""
    from matcher.build import build

    root = write_catalog(tmp_path_factory.mktemp("catalog"))
    build(catalog=root, backend="fake", embedder=fake_embedder)
    return root


@pytest.fixture(scope="module")
def catalog_matcher(fake_catalog, fake_embedder):
    from matcher import RoleMatcher

    return RoleMatcher.load(catalog=fake_catalog, backend="fake", embedder=fake_embedder)


# ------------------------------------------------------------------------------ catalog folders


def test_the_bundled_catalog_is_a_catalog_folder():
    found = resolve_catalog(ROOT)
    assert found.corpus_dir == ROOT / "corpus" and found.models_dir() == ROOT / "models" and found.bundled
    assert resolve_catalog(None) == bundled_catalog()
    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    assert load_corpus(found.corpus_dir).sha256 == manifest["corpus_sha256"]  # its hash did not move


def test_the_environment_variable_picks_the_catalog(tmp_path, monkeypatch):
    root = write_catalog(tmp_path / "mine")
    monkeypatch.setenv("ROLEMATCH_CATALOG", str(root))
    assert resolve_catalog().corpus_dir == root.resolve()
    out = cli("roles")
    assert out.exit_code == 0, out.output
    assert "catalog 'Test catalog': 2 roles" in out.output and "data-analyst" in out.output
    assert "product-manager" not in out.output


def test_a_folder_that_is_no_catalog_says_how_to_make_one(tmp_path):
    with pytest.raises(CorpusError, match=r"rolematch init"):
        resolve_catalog(tmp_path)
    out = cli("match", "--catalog", str(tmp_path / "nowhere"), "some text")
    assert out.exit_code == 2 and "rolematch init" in out.output


# ------------------------------------------------------------------------------ init


def test_init_creates_a_documented_catalog_that_loads(tmp_path):
    out = cli("init", str(tmp_path / "cat"))
    assert out.exit_code == 0, out.output
    root = tmp_path / "cat"
    for name in ("roles.yaml", "README.md", "articles/data-analyst.md", "examples/README.md"):
        assert (root / name).is_file(), name
    assert "rolematch build --catalog" in out.output
    corpus = load_corpus(root)
    assert corpus.role_ids == ["data-analyst"] and corpus.name == "My catalog"
    assert corpus.grounding["data-analyst"]
    again = cli("init", str(root))
    assert again.exit_code == 1 and "already holds a catalog" in again.output


def test_the_template_builds_and_matches_with_quotes_from_its_own_article(tmp_path, fake_embedder):
    from matcher import RoleMatcher
    from matcher.build import build

    root = init_catalog(tmp_path / "cat")
    manifest = build(catalog=root, backend="fake", embedder=fake_embedder)
    assert manifest["catalog"] == "My catalog" and "ranker.npz" not in manifest["files"]
    matcher = RoleMatcher.load(catalog=root, backend="fake", embedder=fake_embedder)
    result = matcher.match("I write SQL queries and build dashboards and reports.", top=1)
    quote = result.roles[0].quotes[0]
    text = (root / quote.source).read_text(encoding="utf-8")
    assert text[quote.start : quote.end] == quote.text


# ------------------------------------------------------------------------------ validation


def error_for(tmp_path: Path, roles: str, articles: dict[str, str] | None = None) -> str:
    root = write_catalog(tmp_path / "bad", roles, articles)
    with pytest.raises(CorpusError) as info:
        load_corpus(root)
    return str(info.value)


def test_a_missing_title_names_file_line_role_and_field(tmp_path):
    message = error_for(tmp_path, MINIMAL.replace("    title: Nurse\n", ""))
    assert "roles.yaml line 6" in message and "'nurse'" in message
    assert "lacks title" in message and "add 'title: ...'" in message


def test_an_empty_description_names_its_line(tmp_path):
    roles = MINIMAL.replace(
        "description: Cares for patients on a hospital ward, gives medication and keeps care notes.",
        'description: ""',
    )
    message = error_for(tmp_path, roles)
    assert "line 8" in message and "'nurse'" in message and "field 'description'" in message


def test_duplicate_ids(tmp_path):
    message = error_for(tmp_path, MINIMAL.replace("id: nurse", "id: data-analyst"))
    assert "line 6" in message and "duplicate id" in message and "role #1" in message
    assert "give each role its own id" in message


def test_an_unknown_article_suggests_the_right_one(tmp_path):
    roles = MINIMAL + "    articles: [nurses]\n"
    message = error_for(tmp_path, roles)
    assert "field 'articles'" in message and "'nurse'" in message and "line 9" in message
    assert "no articles/nurses.md" in message and "did you mean 'nurse'?" in message


def test_bad_yaml_gives_the_line(tmp_path):
    roles = MINIMAL.replace("    title: Nurse\n", "    title: Nurse: of the ward\n")
    message = error_for(tmp_path, roles)
    assert re.search(r"roles\.yaml line 7, column \d+: invalid YAML", message)


def test_an_empty_article(tmp_path):
    message = error_for(tmp_path, MINIMAL, {"analyst": ANALYST, "nurse": "---\ntitle: Empty\n---\n\n"})
    assert "nurse.md" in message and "the article is empty" in message and "write its text" in message


def test_a_role_with_no_passages(tmp_path):
    roles = MINIMAL + "  - id: pilot\n    title: Airline Pilot\n    description: Flies passenger jets.\n"
    message = error_for(tmp_path, roles)
    assert "line 9, role 'pilot'" in message and "has no passages" in message
    assert "articles: [" in message and "mentions:" in message


def test_an_id_with_spaces_gets_a_suggestion(tmp_path):
    message = error_for(tmp_path, MINIMAL.replace("id: data-analyst", "id: Data Analyst"))
    assert "line 3" in message and "field 'id'" in message and "no spaces" in message
    assert "'data-analyst'" in message


def test_a_misspelt_field_is_named(tmp_path):
    message = error_for(tmp_path, MINIMAL.replace("    description: Writes", "    descripton: Writes"))
    assert "field 'descripton'" in message and "did you mean 'description'?" in message


def test_stale_and_missing_models_name_the_command_that_rebuilds_them(tmp_path, fake_embedder):
    from matcher import RoleMatcher
    from matcher.build import build

    root = write_catalog(tmp_path / "cat")
    with pytest.raises(ArtifactError, match=re.escape(f"rolematch build --catalog {root.resolve()}")):
        RoleMatcher.load(catalog=root, backend="minilm")  # never built: fails before any model load
    build(catalog=root, backend="fake", embedder=fake_embedder)
    (root / "articles" / "nurse.md").write_text(NURSE + "\nNurses also train new staff.\n")
    with pytest.raises(ArtifactError) as info:
        RoleMatcher.load(catalog=root, backend="fake", embedder=fake_embedder)
    assert f"rolematch build --catalog {root.resolve()} --backend fake" in str(info.value)


# ------------------------------------------------------------------------------ matching


def test_a_catalog_without_examples_ranks_by_similarity_marked_not_calibrated(catalog_matcher, fake_catalog):
    result = catalog_matcher.match("I care for patients on the ward and give medication.", top=2)
    data = result.to_dict()
    assert data["catalog"] == "Test catalog"
    assert data["confidence_calibrated"] is False
    assert data["confidence_note"] == "not calibrated (no labelled examples)"
    assert result.roles[0].id == "nurse" and result.roles[0].classifier is None
    for role in result.roles:
        for quote in role.quotes:
            assert quote.source.startswith("articles/")
            text = (fake_catalog / quote.source).read_text(encoding="utf-8")
            assert text[quote.start : quote.end] == quote.text


def test_the_table_says_the_confidence_is_not_calibrated(catalog_matcher):
    from matcher.cli._render import render_markdown, render_table

    result = catalog_matcher.match("SQL dashboards for managers", top=2)
    assert "confidence not calibrated (no labelled examples)" in render_table(result)
    assert "catalog Test catalog" in render_table(result)
    assert "not calibrated (no labelled examples)" in render_markdown(result)


def test_paths_without_a_paths_file_is_none_not_an_error(catalog_matcher):
    assert catalog_matcher.match("SQL dashboards", top=1, paths=True).paths is None


def test_building_a_catalog_leaves_the_bundled_models_alone(fake_catalog):
    manifest = json.loads((ROOT / "models" / "manifest.json").read_text())
    from matcher.persist import sha256_file

    for name, sha in manifest["files"].items():
        assert sha256_file(ROOT / "models" / name) == sha, name
    assert not (ROOT / "models" / "fake").exists() or (fake_catalog / "models" / "fake").is_dir()


# ------------------------------------------------------------------------------ batch and page


def test_batch_marks_the_confidence_and_workers_load_the_catalog(tmp_path, catalog_matcher, fake_catalog):
    from matcher.batch import run_batch

    source = tmp_path / "people.csv"
    source.write_text("id,text\na,I write SQL queries for dashboards\nb,I give patients medication\n")
    out = tmp_path / "out.csv"
    summary = run_batch(str(source), out, matcher=catalog_matcher)
    assert summary.rows_ok == 2 and summary.uncalibrated == "not calibrated (no labelled examples)"
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["role_1"] for r in rows] == ["data-analyst", "nurse"]
    assert {r["confidence_note"] for r in rows} == {"not calibrated (no labelled examples)"}
    from matcher.batch.engine import _source

    source_info = _source("fake", None, None, catalog_matcher)
    assert Path(source_info.corpus_dir) == fake_catalog  # what a worker process loads


def test_the_page_shows_the_catalog_name_and_its_roles(catalog_matcher):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from matcher.web import create_app

    client = TestClient(create_app(catalog_matcher))
    data = client.get("/api/catalog").json()
    assert data["name"] == "Test catalog" and data["confidence_calibrated"] is False
    assert [r["id"] for r in data["roles"]] == ["data-analyst", "nurse"]
    assert [r["id"] for r in client.get("/api/roles").json()] == ["data-analyst", "nurse"]
    match = client.post("/api/match", json={"text": "I give patients medication on the ward"}).json()
    assert match["catalog"] == "Test catalog" and match["confidence_note"].startswith("not calibrated")
    page = client.get("/").text
    assert 'id="catalog-name"' in page and 'id="catalog-roles"' in page


# ------------------------------------------------------------------------------ importers


def test_csv_importer(tmp_path):
    source = tmp_path / "roles.csv"
    source.write_text(
        "id,title,description\n"
        "data-analyst,Data Analyst,Writes SQL queries and builds dashboards for managers.\n"
        ",Ward Nurse,Cares for patients on a hospital ward and gives medication.\n",
        encoding="utf-8",
    )
    out = cli("init", str(tmp_path / "cat"), "--from-csv", str(source))
    assert out.exit_code == 0, out.output
    corpus = load_corpus(tmp_path / "cat")
    assert corpus.role_ids == ["data-analyst", "ward-nurse"]
    assert corpus.role("ward-nurse").articles == ("ward-nurse",)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,summary\nx,X,y\n")
    with pytest.raises(CorpusError, match="column.*title, description not found; columns are: id, name"):
        from_csv(bad)


def test_onet_importer_uses_the_bundled_backbone_without_copying_it(tmp_path, fake_embedder):
    from matcher import RoleMatcher
    from matcher.build import build

    drafts = from_onet("15-1252.00,15-1211.00")
    assert [d.title for d in drafts] == ["Software Developers", "Computer Systems Analysts"]
    assert drafts[0].onet == ("15-1252.00",) and drafts[0].titles and "software" in drafts[0].description
    root = init_catalog(tmp_path / "cat", drafts, name="IT")
    assert not (root / "onet").exists()
    corpus = load_corpus(root)
    assert corpus.backbone is not None and corpus.role("software-developers").onet[0].code == "15-1252.00"
    build(catalog=root, backend="fake", embedder=fake_embedder)
    matcher = RoleMatcher.load(catalog=root, backend="fake", embedder=fake_embedder)
    assert matcher.index.has_backbone and not matcher.calibrated
    result = matcher.match("Senior Software Engineer. I write and test application code in Java.", top=2)
    assert result.roles[0].id == "software-developers" and result.closest_occupation is not None
    with pytest.raises(CorpusError, match="not an O\\*NET occupation"):
        from_onet("15-9999.00")


def test_jd_importer_reads_markdown_text_and_docx(tmp_path):
    pytest.importorskip("docx")
    pytest.importorskip("reportlab")
    from filemakers import table_docx, typeset_pdf

    jds = tmp_path / "jds"
    jds.mkdir()
    (jds / "backend-engineer.md").write_text(
        "# Backend Engineer\n\nYou will design REST APIs in Python and run them on Postgres.\n\n"
        "- Review code and mentor two junior engineers.\n"
    )
    (jds / "support.txt").write_text(
        "IT Support Analyst\n\nYou will resolve tickets, manage laptops and accounts for 300 staff.\n"
    )
    (jds / "nurse.docx").write_bytes(
        table_docx("Ward nurse. You will care for patients and give medication.")
    )
    (jds / "accountant.pdf").write_bytes(
        typeset_pdf(
            "Accountant\n\nYou will close the monthly books, reconcile the bank accounts of our three shops and "
            "prepare the VAT returns every quarter with the finance director."
        )
    )
    drafts = from_jds(jds)
    assert [d.id for d in drafts] == ["accountant", "backend-engineer", "nurse", "support"]
    assert drafts[0].title == "Accountant" and "reconcile the bank accounts" in drafts[0].description
    drafts = drafts[1:]
    assert drafts[0].title == "Backend Engineer" and drafts[2].title == "IT Support Analyst"
    assert "REST APIs" in drafts[0].description
    root = init_catalog(tmp_path / "cat", from_jds(jds))
    corpus = load_corpus(root)
    for role in corpus.roles:
        assert role.articles == (role.id,) and corpus.grounding[role.id]
    passage = corpus.passages[corpus.grounding["backend-engineer"][0]]
    assert passage.text in (jds / "backend-engineer.md").read_text()


def test_worker_processes_load_the_catalog_they_are_given(tmp_path, fake_catalog, catalog_matcher):
    """Two local worker processes load the matcher themselves, from the catalog's folders."""
    from matcher.batch import run_batch

    source = tmp_path / "people.csv"
    source.write_text("id,text\na,I write SQL queries for dashboards\nb,I give patients medication\n")
    out = tmp_path / "out.csv"
    summary = run_batch(
        str(source),
        out,
        backend="fake",
        models_dir=fake_catalog / "models" / "fake",
        corpus_dir=fake_catalog,
        workers=2,
        chunk_rows=1,
    )
    assert summary.rows_ok == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["role_1"] for r in rows] == ["data-analyst", "nurse"]
    assert {r["model_version"] for r in rows} == {catalog_matcher.model_version}
    assert {r["confidence_note"] for r in rows} == {"not calibrated (no labelled examples)"}


def test_the_untrained_ranker_is_similarity_alone_without_a_backbone_and_uses_titles_with_one():
    import numpy as np

    from matcher.rank import DocFeatures, SimilarityBackboneRanker, SimilarityRanker

    rng = np.random.default_rng(0)
    sim = rng.uniform(0.1, 0.6, size=(3, 4, 4)).astype(np.float32)
    plain = DocFeatures(np.zeros((3, 8)), sim, ())
    a, b = SimilarityBackboneRanker().rank(plain), SimilarityRanker().rank(plain)
    np.testing.assert_allclose(a.score, b.score, rtol=1e-6)
    np.testing.assert_allclose(a.confidence, b.confidence, rtol=1e-6)
    np.testing.assert_array_equal(a.abstain, b.abstain)

    even = np.full((1, 2, 4), 0.4, np.float32)  # two roles alike in text; the person's title names role 1
    backbone = np.array([[[-1.0, 0.2], [-1.0, 0.9]]], np.float32)  # no O*NET codes: occupation column -1
    world = np.zeros((1, 8), np.float32)
    world[0, 3], world[0, 7] = 1.0, np.log1p(40)  # has a title; 40 words
    ranked = SimilarityBackboneRanker().rank(DocFeatures(np.zeros((1, 8)), even, (), backbone, world))
    assert ranked.score[0, 1] > ranked.score[0, 0] and ranked.confidence[0, 1] > ranked.confidence[0, 0]
    no_title = world.copy()
    no_title[0, 3] = 0.0
    flat = SimilarityBackboneRanker().rank(DocFeatures(np.zeros((1, 8)), even, (), backbone, no_title))
    np.testing.assert_allclose(flat.score[0, 0], flat.score[0, 1])


def test_labelled_examples_train_the_classifier_and_calibrate_the_confidence(tmp_path, fake_embedder):
    from matcher import RoleMatcher
    from matcher.build import build

    root = write_catalog(tmp_path / "cat")
    (root / "examples").mkdir()
    texts = {
        "data-analyst": ["SQL queries and dashboards", "weekly reports for managers", "trends in sales data"],
        "nurse": ["patients on the ward", "medication rounds and care notes", "care plans with families"],
        "out-of-scope": ["I fly passenger jets", "I bake bread at night", "I drive a city bus"],
    }
    for role, items in texts.items():
        with (root / "examples" / f"{role}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "split", "text"])
            for i in range(12):
                writer.writerow([f"{role}-{i}", "test" if i % 4 == 3 else "train", f"{items[i % 3]} ({i})"])
    manifest = build(catalog=root, backend="fake", embedder=fake_embedder)
    assert "ranker.npz" in manifest["files"]
    matcher = RoleMatcher.load(catalog=root, backend="fake", embedder=fake_embedder)
    result = matcher.match("I write SQL queries and dashboards", top=2)
    assert matcher.calibrated and result.confidence_calibrated and result.confidence_note is None
