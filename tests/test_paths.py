"""Career paths: the transitions graph, its validation, the pure gap functions, and the plumbing
(fake embedder, fast). Behaviour with the real model is in test_paths_real.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from matcher import CorpusError, RoleMatcher
from matcher.cli import main
from matcher.gaps import (
    Assessment,
    assess,
    key_words,
    mentions,
    names_near,
    select_gaps,
    select_strengths,
    stem,
    words,
)
from matcher.paths import load_graph
from matcher.results import percent

GRAPH = ROOT / "corpus" / "paths.yaml"
REQUIRED_EDGES = {
    ("it-support", "technical-specialist"),
    ("it-support", "product-manager"),
    ("technical-specialist", "product-manager"),
    ("product-manager", "product-marketing-manager"),
    ("product-manager", "software-engineer"),
    ("product-manager", "operations-leader"),
    ("product-manager", "founder-ceo"),
    ("product-manager", "venture-capital"),
    ("product-manager", "product-leader"),
    ("product-manager", "sales-business-development"),
    ("product-manager", "strategy"),
    ("product-marketing-manager", "product-manager"),
    ("industry-specialist", "product-specialist"),
    ("product-specialist", "industry-specialist"),
    ("it-product-manager", "product-manager"),
    ("product-manager", "it-product-manager"),
}


@pytest.fixture(scope="module")
def graph(corpus):
    return load_graph(GRAPH, corpus)


def _write(tmp_path: Path, edges: list[dict]) -> Path:
    path = tmp_path / "paths.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "edges": edges}, allow_unicode=True), encoding="utf-8")
    return path


def _edge(**changes) -> dict:
    edge = {
        "from": "product-manager",
        "to": "venture-capital",
        "reason": "r",
        "requires": ["research"],
        "quotes": [
            {
                "article": "career-paths-beyond-product-management",
                "text": "VC - Utilizing research and strategic thinking to evaluate investments",
            }
        ],
    }
    edge.update(changes)
    return edge


# --------------------------------------------------------------------------- the graph


def test_graph_has_the_required_edges_each_with_quotes_and_requirements(graph):
    edges = {(e.origin, e.target) for e in graph.edges}
    assert edges >= REQUIRED_EDGES
    assert all(e.quotes and e.requires and e.reason for e in graph.edges)
    hybrid = {frozenset((e.origin, e.target)) for e in graph.edges if e.kind == "hybrid"}
    assert hybrid == {frozenset(("industry-specialist", "product-specialist"))}


def test_every_quote_is_verbatim_in_its_article_file(graph):
    for edge in graph.edges:
        for q in edge.quotes:
            text = (ROOT / "corpus" / q.source).read_text(encoding="utf-8")
            assert text[q.start : q.end] == q.text, edge.name


def test_the_articles_back_the_moves(graph):
    by_edge = {(e.origin, e.target): e for e in graph.edges}
    sources = {k: {q.source for q in e.quotes} for k, e in by_edge.items()}
    assert sources[("it-support", "technical-specialist")] == {
        "articles/technical-specialist-vs-management.md"
    }
    for target in ("product-marketing-manager", "product-leader", "founder-ceo", "venture-capital"):
        assert "articles/career-paths-beyond-product-management.md" in sources[("product-manager", target)]
    assert (
        "articles/product-management-vs-product-marketing.md"
        in sources[("product-marketing-manager", "product-manager")]
    )
    assert any(
        "Senior Product Manager" in q.text for q in by_edge[("product-manager", "product-leader")].quotes
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"to": "astronaut"}, "edge product-manager -> astronaut: to: unknown role 'astronaut'"),
        ({"from": "product-manger"}, "did you mean 'product-manager'?"),
        (
            {
                "quotes": [
                    {"article": "career-paths-beyond-product-management", "text": "VC - Utilising research"}
                ]
            },
            "quote not found verbatim in articles/career-paths-beyond-product-management.md",
        ),
        ({"quotes": [{"article": "no-such-article", "text": "x"}]}, "unknown article 'no-such-article'"),
        ({"kind": "sideways"}, "kind must be one of move, hybrid"),
        ({"requires": "research"}, "requires must be a list"),
        ({"quotes": []}, "quotes must be a non-empty list"),
        ({"to": "product-manager"}, "must go to another role"),
    ],
)
def test_a_malformed_graph_is_a_clear_error(tmp_path, corpus, change, message):
    with pytest.raises(CorpusError) as err:
        load_graph(_write(tmp_path, [_edge(**change)]), corpus)
    assert message in str(err.value)


def test_quote_error_names_the_edge_article_and_the_part_that_matched(tmp_path, corpus):
    bad = {
        "article": "career-paths-beyond-product-management",
        "text": "VC - Utilizing research and strategic thinking to evaluate startups",
    }
    with pytest.raises(CorpusError) as err:
        load_graph(_write(tmp_path, [_edge(quotes=[bad])]), corpus)
    msg = str(err.value)
    assert "edge product-manager -> venture-capital" in msg and "article career-paths" in msg
    assert "longest part found is 'VC - Utilizing research and strategic thinking to evaluate '" in msg


def test_missing_keys_duplicates_and_unreadable_files_are_errors(tmp_path, corpus):
    edge = _edge()
    del edge["requires"]
    with pytest.raises(CorpusError, match="edge #1 lacks requires"):
        load_graph(_write(tmp_path, [edge]), corpus)
    with pytest.raises(CorpusError, match="duplicate edge"):
        load_graph(_write(tmp_path, [_edge(), _edge()]), corpus)
    with pytest.raises(CorpusError, match="expected a top-level 'edges:' list"):
        load_graph(_write(tmp_path, []), corpus)
    with pytest.raises(CorpusError, match="cannot read"):
        load_graph(tmp_path / "absent.yaml", corpus)


# --------------------------------------------------------------------------- pure gap functions


def test_words_stem_and_read_gtm_as_go_to_market():
    assert stem("launches") == stem("launch") and stem("studies") == "study"
    assert stem("prioritised") == stem("prioritization")
    assert words("GTM plans") == ["go", "to", "market", "plan"]
    assert key_words("go-to-market strategy") == ("go", "market", "strategy")
    assert key_words("mentoring junior product managers") == ("mentor", "junior")


def test_a_phrase_the_text_mentions_is_never_a_gap():
    assert mentions(words("We ran go-to-market launches."), "go-to-market strategy")
    assert mentions(words("I know HIPAA inside out"), "HIPAA and GDPR")
    assert not mentions(words("We ran launches."), "go-to-market strategy")
    assert not mentions(words("I manage user accounts"), "passion for the product and its users")


def test_naming_needs_the_words_close_together():
    assert names_near(words("I write retention marketing emails"), "retention marketing")
    assert not names_near(
        words("with marketing and sales and track activation and retention KPIs"), "retention marketing"
    )


def _vectors(*rows):
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_assess_uses_words_and_vectors():
    phrases = ["go-to-market strategy", "case studies", "investor relations"]
    phrase_vectors = _vectors([1, 0, 0], [0, 1, 0], [0, 0, 1])
    spans = ["I own the go-to-market plan.", "I write customer stories."]
    span_vectors = _vectors([0.2, 0.1, 0], [0.1, 1, 0])  # sentence 2 is close to "case studies"
    gtm, cases, investors = assess(phrases, phrase_vectors, span_vectors, spans)
    assert gtm.mentioned and not gtm.gap and gtm.span == 0
    assert cases.shown and not cases.lexical and cases.span == 1 and not cases.gap
    assert investors.gap and not investors.shown
    with pytest.raises(ValueError, match="one vector per phrase"):
        assess(phrases, phrase_vectors[:2], span_vectors, spans)


def test_selection_keeps_order_limit_and_drops_near_duplicates():
    def a(phrase, cosine=0.0, lexical=False, mentioned=False):
        return Assessment(phrase, cosine, 0, lexical, mentioned, cosine)

    items = [
        (a("customer case studies"), "requires"),
        (a("case studies"), "signal"),
        (a("SQL tuning"), "signal"),
        (a("help docs", mentioned=True), "signal"),
        (a("deal sourcing"), "signal"),
    ]
    assert [x.phrase for x, _ in select_gaps(items, 2)] == ["customer case studies", "SQL tuning"]
    shown = [(a("x y", 0.8), "signal"), (a("roadmap", 0.1, lexical=True), "signal"), (a("z", 0.2), "signal")]
    assert [x.phrase for x, _ in select_strengths(shown, 5)] == ["roadmap", "x y"]


# --------------------------------------------------------------------------- plumbing (fake embedder)

BIO = "Product manager: I own the roadmap, write specs and run go-to-market launches with sales."


def test_match_with_paths_fills_the_section(fake_matcher, corpus):
    plain = fake_matcher.match(BIO, top=3)
    result = fake_matcher.match(BIO, top=3, paths=True)
    assert plain.paths is None and result.roles == plain.roles
    paths = result.to_dict()["paths"]
    assert paths["current"]["id"] == result.roles[0].id
    assert 2 <= len(paths["moves"]) <= 4
    origins = {paths["current"]["id"], *(a["id"] for a in paths["also_close"])}
    by_file = {f"articles/{a.path.name}": a.text for a in corpus.articles.values()}
    for move in paths["moves"]:
        assert move["from"] in origins and move["to"] in corpus.role_ids
        for q in move["quotes"] + [g["quote"] for g in move["gaps"] if g["quote"]]:
            assert by_file[q["source"]][q["start"] : q["end"]] == q["text"]
        for s in move["strengths"]:
            ev = s["evidence"]
            assert ev is None or result_text(fake_matcher, BIO)[ev["start"] : ev["end"]] == ev["text"]
    readiness = [m["readiness"] for m in paths["moves"]]
    assert readiness == sorted(readiness, reverse=True)
    assert json.loads(json.dumps(paths)) == paths


def result_text(matcher, text):
    from matcher.embed import encode_documents

    return encode_documents(matcher.embedder, [text])[0].text


def test_match_many_paths_equal_single(fake_matcher):
    texts = [BIO, "Helpdesk analyst: tickets, password resets, Active Directory."]
    many = fake_matcher.match_many(texts, top=2, paths=True)
    assert [r.to_dict() for r in many] == [fake_matcher.match(t, top=2, paths=True).to_dict() for t in texts]


@pytest.fixture
def cli(monkeypatch, fake_matcher):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: fake_matcher))
    return lambda *args, input=None: CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_paths_command_formats_and_inputs(cli, fake_matcher, tmp_path):
    data = json.loads(cli("paths", BIO, "--format", "json").output)
    whole = fake_matcher.match(BIO, paths=True).to_dict()
    assert data == {**whole["paths"], "fit": whole["fit"], "closest_occupation": whole["closest_occupation"]}
    assert json.loads(cli("paths", "-", "--format", "json", input=BIO).output) == data
    path = tmp_path / "cv.txt"
    path.write_text(BIO, encoding="utf-8")
    assert json.loads(cli("paths", "--file", str(path), "--format", "json").output) == data
    table = cli("paths", BIO).output
    current = data["current"]
    assert table.startswith(f"current role: {current['title']} ({percent(current['confidence'])} confidence)")
    markdown = cli("paths", BIO, "--format", "markdown").output
    assert markdown.startswith("**Current role:**")
    assert f"1. {data['moves'][0]['title']}" in table and "### → " in markdown and "\n> " in markdown
    assert cli("paths", "   ").exit_code == 1


def test_match_command_paths_flag(cli):
    data = json.loads(cli("match", BIO, "--paths", "--format", "json").output)
    assert data["paths"]["current"]["id"] == data["roles"][0]["id"]
    assert json.loads(cli("match", BIO, "--format", "json").output)["paths"] is None
    assert "next moves" in cli("match", BIO, "--paths").output
    assert "## Next moves" in cli("match", BIO, "--paths", "--format", "markdown").output


def test_a_role_with_no_way_out_says_where_it_is_reached_from(fake_matcher):
    paths = fake_matcher.match(
        "Venture capital associate: deal sourcing, due diligence, investment memos.", paths=True
    ).paths
    assert paths["current"]["id"] == "venture-capital"
    assert paths["moves"] == [] and paths["hybrid"] is None
    assert "no move from Venture Capital" in paths["note"] and "Product Manager" in paths["note"]
