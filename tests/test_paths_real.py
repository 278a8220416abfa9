"""Career paths with the real model: next moves grounded in the articles, strengths and gaps."""

from __future__ import annotations

import pytest

from matcher.gaps import mentions, words

pytestmark = pytest.mark.model

IT_SUPPORT = (
    "I work on the IT helpdesk as second line support. I resolve ServiceNow tickets within SLA, reset "
    "passwords and manage user accounts in Active Directory, and escalate network problems to the third line."
)
PM = (
    "Product manager for a B2B SaaS invoicing platform. I own the roadmap, run user interviews and write "
    "specs for developers. I led the launch of our payments feature with marketing and sales and track "
    "activation and retention KPIs. Before this I co-founded a small startup."
)
PM_GTM = (
    "Product manager at a consumer app. I prioritise the backlog, run discovery with customers and work "
    "with engineering and design to ship features. I also run our go-to-market strategy for every launch "
    "with the marketing team."
)
HYBRID = (
    "Ten years in healthcare: I know HIPAA, clinical workflows and hospital procurement inside out. For the "
    "last four years I have been the product lead for a SaaS patient scheduling app, running A/B tests, "
    "improving onboarding and cutting churn."
)
TECH_ARTICLE = "articles/technical-specialist-vs-management.md"
PATHS_ARTICLE = "articles/career-paths-beyond-product-management.md"


@pytest.fixture(scope="module")
def results(real_matcher):
    """One batched pass for every bio of this module."""
    texts = [IT_SUPPORT, PM, PM_GTM, HYBRID]
    return dict(zip(["it", "pm", "gtm", "hybrid"], real_matcher.match(texts, top=3, quotes=0, paths=True)))


def _moves(result):
    return {m["to"]: m for m in result.paths["moves"]}


def test_it_support_can_become_a_specialist_or_a_product_manager(results):
    paths = results["it"].paths
    assert paths["current"]["id"] == "it-support"
    moves = _moves(results["it"])
    assert {"technical-specialist", "product-manager"} <= set(moves)
    specialist = moves["technical-specialist"]
    assert any(q["source"] == TECH_ARTICLE and "“specialist”" in q["text"] for q in specialist["quotes"])
    assert any(
        "product manager role is a good route forward" in q["text"]
        for q in moves["product-manager"]["quotes"]
    )
    assert all(m["gaps"] for m in paths["moves"])  # a helpdesk bio shows little of a specialist or a PM


def test_a_product_manager_gets_the_career_paths_of_the_article(results):
    paths = results["pm"].paths
    assert paths["current"]["id"] == "product-manager"
    moves = _moves(results["pm"])
    assert 2 <= len(moves) <= 4
    assert {"product-marketing-manager", "product-leader", "founder-ceo"} <= set(moves)
    for target in ("product-marketing-manager", "product-leader", "founder-ceo"):
        assert any(q["source"] == PATHS_ARTICLE for q in moves[target]["quotes"])
    founder = moves["founder-ceo"]
    assert any(
        s["skill"] == "founded startup" and "co-founded" in s["evidence"]["text"]
        for s in founder["strengths"]
    )
    assert paths["hybrid"] is None


def test_every_quote_is_verbatim(results, corpus):
    by_file = {f"articles/{a.path.name}": a.text for a in corpus.articles.values()}
    for result in results.values():
        paths = result.paths
        quotes = [q for m in paths["moves"] for q in m["quotes"]]
        quotes += [g["quote"] for m in paths["moves"] for g in m["gaps"] if g["quote"]]
        quotes += paths["hybrid"]["quotes"] if paths["hybrid"] else []
        assert quotes
        for q in quotes:
            assert by_file[q["source"]][q["start"] : q["end"]] == q["text"]


def test_gaps_are_not_what_the_text_already_says(results):
    for key, text in (("gtm", PM_GTM), ("pm", PM), ("it", IT_SUPPORT)):
        stems = words(text)
        for move in results[key].paths["moves"]:
            for gap in move["gaps"]:
                assert not mentions(stems, gap["skill"]), (key, move["to"], gap["skill"])
    marketing = _moves(results["gtm"])["product-marketing-manager"]
    gaps = " ".join(g["skill"].lower() for g in marketing["gaps"])
    assert "go-to-market" not in gaps and "gtm" not in gaps
    assert any("go-to-market" in s["skill"] for s in marketing["strengths"])
    assert marketing["gaps"]  # but it still lacks something of product marketing


def test_gaps_come_with_the_passage_that_names_them(results):
    marketing = _moves(results["pm"])["product-marketing-manager"]
    gtm = next(g for g in marketing["gaps"] if "GTM" in g["skill"])
    assert gtm["kind"] == "requires" and "GTM (Go-to-Market) teams" in gtm["quote"]["text"]


def test_domain_plus_product_experience_is_told_it_is_the_hybrid(results):
    hybrid = results["hybrid"].paths["hybrid"]
    assert hybrid is not None and set(hybrid["roles"]) == {"industry-specialist", "product-specialist"}
    assert any(
        "masters of one but gradually adopt elements of the other" in q["text"] for q in hybrid["quotes"]
    )
    assert hybrid["signals_shown"]["industry-specialist"] >= 2


def test_the_persons_words_in_paths_open_without_a_section_heading(real_matcher):
    text = "SUMMARY\n" + PM + "\n\nSKILLS\nJira, SQL, Amplitude"
    result = real_matcher.match(text, top=1, quotes=0, paths=True)
    shown = [s["evidence"] for m in result.paths["moves"] for s in m["strengths"] if s["evidence"]]
    assert shown and not any(e["text"].startswith("SUMMARY") for e in shown)
    assert all(result.analysed_text[e["start"] : e["end"]] == e["text"] for e in shown)  # offsets follow
