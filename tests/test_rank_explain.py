"""Ranking and explanation maths on tiny hand-made vectors (no model)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.embed import EncodedText
from matcher.explain import is_evidence, is_quotable, rank_evidence, rank_quotes, says_something
from matcher.index import CorpusIndex
from matcher.rank import DocFeatures, SimilarityRanker, similarity_features, softmax, top_k_mean
from matcher.textproc import Span


def unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def tiny_index():
    roles = np.stack([unit(1, 0, 0), unit(0, 1, 0)])
    passages = np.stack([unit(1, 0.1, 0), unit(1, 0.12, 0), unit(0.2, 1, 0), unit(0, 0, 1)])
    grounding = np.array([[1, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32)
    return CorpusIndex(roles, passages, grounding, roles.copy(), np.array([0, 1], dtype=np.int32))


def doc(*vectors, tokens=None, texts=None):
    texts = texts or [f"sentence {i} words" for i in range(len(vectors))]
    spans = tuple(Span(i * 10, i * 10 + 9, t) for i, t in enumerate(texts))
    sv = np.stack(vectors)
    return EncodedText(
        "x",
        spans,
        (tuple(range(len(vectors))),),
        sv.mean(0, keepdims=True) / np.linalg.norm(sv.mean(0)),
        np.array([tokens or 10.0], dtype=np.float32),
        sv,
    )


def test_top_k_mean():
    x = np.array([[1.0, 5.0], [3.0, 2.0], [2.0, 9.0]])
    assert np.allclose(top_k_mean(x, 2, axis=0), [2.5, 7.0])
    assert np.allclose(top_k_mean(x[:1], 3, axis=0), [1.0, 5.0])


def test_similarity_prefers_the_closer_role_on_every_signal():
    features = similarity_features(doc(unit(1, 0.05, 0), unit(0.9, 0.1, 0.1)), tiny_index())
    assert features.shape == (2, 4)
    assert (features[0] > features[1]).all()


def test_similarity_ranker_abstains_when_nothing_is_close():
    index = tiny_index()
    far = similarity_features(doc(unit(0, 0, 1), unit(0, 0.05, 1)), index)
    near = similarity_features(doc(unit(1, 0, 0)), index)
    scores = SimilarityRanker().rank(DocFeatures(np.zeros((2, 3)), np.stack([far, near]), ()))
    assert scores.abstain.tolist() == [True, False]
    assert scores.fit[0] < scores.fit[1]
    assert np.allclose(scores.conditional.sum(axis=1), 1.0)
    assert np.allclose(scores.confidence.sum(axis=1), scores.fit)  # never above the fit


def test_quotes_are_grounded_diverse_and_tied_to_the_persons_sentence():
    index = tiny_index()
    d = doc(unit(0, 0, 1), unit(1, 0.1, 0))
    quotes = rank_quotes(d, index, role=0, k=3)
    chosen = [p for p, _, _ in quotes]
    assert set(chosen) <= {0, 1, 3}  # only passages grounded in role 0
    assert not {0, 1} <= set(chosen)  # near-duplicates 0 and 1 are not both shown
    best = dict((p, s) for p, _, s in quotes)
    assert best[3] == 0 and best.get(0, best.get(1)) == 1


def test_evidence_orders_the_persons_sentences_by_support():
    d = doc(unit(0, 0, 1), unit(1, 0, 0), unit(0.5, 0.5, 0))
    assert [i for i, _ in rank_evidence(d, tiny_index(), role=0, k=2)] == [1, 2]


@pytest.mark.parametrize(
    "text",
    [
        "Engineering - Moving into more technical roles within the organization",  # a list item's label
        "Leadership and Operations - Eg. COO, CEO roles, after building experience in product management",
        "Navigating complex legal frameworks and institutional inertia",  # a table cell: no sentence end
        "Below are three key career paths that a successful product manager might undertake:",  # a lead-in
        "How do you explain someone who planned to study Psychology but ended up in Geography?",  # questions
        "Masters specific deployment models and engineering frameworks.",  # very short
        "The goal for many IT support members is to get out of the grind of customer requests. Wait.",
        "Support members fill out surveys, but whether that feedback is acted upon or not can be..",
        "Product managers often move into the roles that sit closest to the customers and the.",
    ],
)
def test_headings_list_items_questions_and_cut_passages_are_not_quotable(text):
    assert not is_quotable(text)


def test_prose_is_quotable():
    assert is_quotable(
        "Those who excel can transition into more technical roles, such as software development."
    )
    assert is_quotable("What can you do at a fork in your IT career? It is not a unique position to be in.")
    assert is_quotable(
        "Industry specialists deep-dive into a specific vertical market (FinTech, HealthTech)."
    )


def test_quotes_come_from_quotable_passages_unless_a_role_has_none():
    index = dataclasses.replace(tiny_index(), quotable=np.array([False, True, False, True]))
    d = doc(unit(1, 0.1, 0), unit(0, 0, 1))
    assert {p for p, _, _ in rank_quotes(d, index, role=0, k=3)} == {1, 3}  # 0 is not quotable
    assert {p for p, _, _ in rank_quotes(d, index, role=1, k=3)} == {3}
    none = dataclasses.replace(tiny_index(), quotable=np.array([True, True, False, False]))
    assert {p for p, _, _ in rank_quotes(d, none, role=1, k=3)} == {2, 3}  # the best there is


@pytest.mark.parametrize(
    "sentence",
    [
        "Senior Product Marketing Manager [EMAIL] | [PHONE]",  # a contact line
        "Data analyst, Leeds [ADDRESS]",
        "[NAME] | [EMAIL] | [PHONE]",
        "company - own practice",  # a field's label and a value of a few words
        "company - CAREER TIMELINE",
        "Role: Mechanism designer.",
        "Languages: English, Tagalog.",
        "Python developer",  # under three words
    ],
)
def test_contact_lines_and_labelled_fragments_are_not_evidence(sentence):
    assert not is_evidence(sentence)


def test_title_lines_are_evidence_and_sentences_that_say_something_come_first():
    fragments = ["Operations Manager - 3PL logistics", "M.Tech (IT-DBS) B.Tech (CSE) SRM University"]
    assert all(is_evidence(s) and not says_something(s) for s in fragments)
    sentences = [
        "I lead product.",
        "Managed payroll for 300 staff.",
        "Skills: Python, SQL, Tableau, Excel, Power BI",
    ]
    assert all(is_evidence(s) and says_something(s) for s in sentences)
    assert is_evidence("[NAME] - Mobile Product Specialist")  # a name is no label
    texts = ["M.Tech (IT-DBS) B.Tech (CSE) SRM University", "Role: Mechanism designer.", "I built gearboxes."]
    d = doc(unit(1, 0, 0), unit(1, 0.01, 0), unit(0.5, 0.5, 0), texts=texts)
    assert [i for i, _ in rank_evidence(d, tiny_index(), role=0, k=3)] == [2, 0]
    assert [p for p in rank_quotes(d, tiny_index(), role=0, k=3) if p[2] != 2] == []  # matched: a sentence


def test_softmax_temperature():
    x = np.array([[1.0, 0.0]])
    assert softmax(x, 0.1)[0, 0] > softmax(x, 1.0)[0, 0] > 0.5
