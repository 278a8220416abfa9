"""The corpus: articles without boilerplate, verbatim passages, a grounded catalog of roles."""

from __future__ import annotations

import shutil

import pytest

from matcher.corpus import load_corpus, load_roles, split_sentences
from matcher.errors import CorpusError

REQUIRED_ROLES = [
    "product-manager",
    "it-product-manager",
    "product-leader",
    "product-marketing-manager",
    "industry-specialist",
    "product-specialist",
    "technical-specialist",
    "it-support",
    "software-engineer",
    "sales-business-development",
    "strategy",
    "operations-leader",
    "founder-ceo",
    "venture-capital",
]
BOILERPLATE = [
    "Leave a Reply",
    "Location:HOME",
    "{{",
    "Your email address",
    "tailor this article",
    "Workplace4999",
]


def test_five_articles_with_front_matter_and_no_boilerplate(corpus):
    assert len(corpus.articles) == 5
    for article in corpus.articles.values():
        assert article.title and article.source.endswith(".txt") and article.topic
        for junk in BOILERPLATE:
            assert junk not in article.text, (article.slug, junk)


def test_every_passage_is_a_verbatim_substring_at_its_offsets(corpus):
    assert len(corpus.passages) > 100
    for p in corpus.passages:
        assert corpus.articles[p.article].text[p.start : p.end] == p.text
        assert p.text == p.text.strip() and not p.text.startswith(("- ", "#", "|"))
        assert 3 <= len(p.text.split()) <= 110


def test_passages_do_not_cut_words(corpus):
    for p in corpus.passages:
        text = corpus.articles[p.article].text
        assert p.start == 0 or not text[p.start - 1].isalnum()
        assert p.end == len(text) or not text[p.end].isalnum()


def test_catalog_has_the_required_roles_each_grounded_and_described(corpus):
    assert corpus.role_ids[: len(REQUIRED_ROLES)] == REQUIRED_ROLES
    for role in corpus.roles:
        assert corpus.grounding[role.id], role.id
        assert 60 <= len(role.description.split()) <= 150, role.id
        assert role.signals and role.articles


def test_sentence_split_keeps_abbreviations_together():
    text = "Leaders e.g. COO vs. CEO roles grow. Next one."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Leaders e.g. COO vs. CEO roles grow.",
        "Next one.",
    ]


def test_corpus_hash_changes_with_the_catalog(tmp_path, corpus):
    copy = tmp_path / "corpus"
    shutil.copytree(corpus.articles[next(iter(corpus.articles))].path.parents[1], copy)
    roles = copy / "roles.yaml"
    roles.write_text(roles.read_text() + "\n# edited\n")
    assert load_corpus(copy).sha256 != corpus.sha256


def test_bad_catalog_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  - id: x\n    title: X\n")
    with pytest.raises(CorpusError, match="lacks description"):
        load_roles(path)
    path.write_text(
        "roles:\n  - {id: x, title: X, description: d, signals: [], articles: [], mentions: ['(']}\n"
    )
    with pytest.raises(CorpusError, match="bad mention regex"):
        load_roles(path)


def test_the_authors_own_story_grounds_no_role(corpus):
    grounded = {i for ids in corpus.grounding.values() for i in ids}
    for i, p in enumerate(corpus.passages):
        if p.text.startswith("My ten years of experience"):
            assert i not in grounded
            break
    else:
        raise AssertionError("expected the author's anecdote among the passages")
