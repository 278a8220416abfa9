"""Ranking and explanation maths on tiny hand-made vectors (no model)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matcher.embed import EncodedText
from matcher.explain import (
    evidence_level,
    evidence_span,
    heading_end,
    is_evidence,
    is_heading,
    is_quotable,
    is_word_list,
    rank_evidence,
    rank_quotes,
    says_something,
)
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


STATEMENT = "Strategy consultant with seven years advising retailers on growth strategy, pricing and M&A."
SKILLS = "Corporate strategy, market sizing, competitive analysis, due diligence, M&A, pricing, SQL, Tableau"


@pytest.mark.parametrize(
    ("sentence", "person"),
    [
        (f"SUMMARY\n{STATEMENT}", STATEMENT),
        (f"Professional Experience:\n\n  {STATEMENT}", STATEMENT),
        (f"WORK HISTORY\nEDUCATION\n{STATEMENT}", STATEMENT),  # every heading that opens it
        (f"Areas of Expertise\n{SKILLS}", SKILLS),
        (f"Core Competencies\n{SKILLS}", SKILLS),  # data/prose.yaml heading_words
        (f"Skills & Tools\n{SKILLS}", SKILLS),
    ],
)
def test_section_headings_that_open_a_sentence_are_not_part_of_its_evidence(sentence, person):
    assert sentence[heading_end(sentence) :] == person
    text = f"Jo Smith\n\n{sentence}\n\nI lead teams."
    start = text.index(sentence)
    d = dataclasses.replace(
        doc(unit(1, 0, 0), texts=[sentence]), text=text, spans=(Span(start, start + len(sentence), sentence),)
    )
    shown = evidence_span(d, 0)
    assert shown.text == person and text[shown.start : shown.end] == shown.text  # offsets into the text
    assert shown.end == d.spans[0].end


@pytest.mark.parametrize(
    "sentence",
    [
        STATEMENT,  # no heading
        "SKILLS",  # nothing follows the heading: nothing to cut
        "Engagement Manager, McKinsey & Company\nNew York",  # a title line, not a heading
        "Corporate strategy, M&A\nSQL",
        "I lead the experience\nteam",  # a sentence broken over two lines
        "skills\nPython, SQL and Spark pipelines",  # a heading is capitalised
        "Work 2019 Experience\nPython, SQL and Spark pipelines",  # words only
        "Seven Years Of Progressive Management Experience\nin retail",  # at most four words
    ],
)
def test_only_a_heading_alone_on_its_line_is_cut(sentence):
    assert heading_end(sentence) == 0


def test_headings():
    assert all(
        map(is_heading, ["SKILLS", "Summary", "PROFESSIONAL SUMMARY", "Key Achievements:", "Work History"])
    )
    assert not any(map(is_heading, ["Sales", "Corporate strategy", "SKILLS Python", "Skills: Python", ""]))


@pytest.mark.parametrize(
    "text",
    [
        SKILLS,
        "Management Consultant | Corporate Strategy | Business Analysis",
        "Operating model design · process reengineering · business cases · cost reduction",
        "General management; P&L; restructuring; M&A integration; lean manufacturing",
        "Sales Development Representative — Oracle, Broomfield, CO Jul 2016 – Feb 2018",
    ],
)
def test_lists_of_skills_and_keywords_say_nothing(text):
    assert is_word_list(text)
    assert says_something(text)  # four content words: it would have counted as a statement
    assert evidence_level(text) == 1
    assert evidence_level(f"SKILLS\n{text}") == 1


@pytest.mark.parametrize(
    "text",
    [
        STATEMENT,  # a long clause, then a few items
        "I lead the business end to end: commercial strategy, operations, finance and people.",  # a verb
        "Built financial models, business cases and steering committee decks.",
        "- Prepare board materials, coordinate the board calendar, take minutes and track follow-ups.",  # phrases
        "Operations executive who scales companies from 100 to 1,500 people.",  # 1,500 is no separator
        "Closed $3.6M in new ARR in FY2024 (151% of quota); President's Club 2022 and 2024.",
    ],
)
def test_statements_with_commas_are_no_lists(text):
    assert not is_word_list(text)
    assert evidence_level(text) == 2
    assert evidence_level(f"SUMMARY\n{text}") == 2


def test_lists_and_headings_come_after_every_statement_and_only_then():
    texts = [
        f"SKILLS\n{SKILLS}",
        "Management Consultant | Corporate Strategy | Business Analysis",
        f"SUMMARY\n{STATEMENT}",
        "Professional Work Experience Summary",  # a bare heading
        "I ran pricing projects.",
    ]
    vectors = [unit(1, 0.1, 0), unit(1, 0.3, 0), unit(0.6, 0.4, 0), unit(1, 0.6, 0), unit(0.2, 0.8, 0)]
    assert [i for i, _ in rank_evidence(doc(*vectors, texts=texts), tiny_index(), role=0, k=5)] == [
        2,
        4,
        0,
        1,
        3,
    ]
    assert [i for i, _ in rank_evidence(doc(*vectors, texts=texts), tiny_index(), role=0, k=2)] == [2, 4]
    # without a statement, the list and the title line are the evidence, by score
    assert [i for i, _ in rank_evidence(doc(*vectors[:2], texts=texts[:2]), tiny_index(), role=0, k=3)] == [
        0,
        1,
    ]


def test_quotes_are_matched_to_statements_not_to_lists():
    texts = [f"SKILLS\n{SKILLS}", "I ran pricing projects for retailers."]
    d = doc(unit(1, 0, 0), unit(0.3, 0.7, 0), texts=texts)
    assert {span for _, _, span in rank_quotes(d, tiny_index(), role=0, k=3)} == {1}


@pytest.mark.model
def test_real_resume_evidence_is_statements_without_headings(real_matcher):
    resume = (
        "Engagement Manager, Strategy Consulting\n\n"
        "SUMMARY\n"
        "Strategy consultant with seven years advising Fortune 500 retailers and private equity funds on "
        "growth strategy, market entry, pricing and M&A; I lead teams of consultants and present to boards.\n\n"
        "EXPERIENCE\n"
        "- Developed the five-year growth strategy for a specialty retailer; the board adopted the plan.\n"
        "- Led commercial due diligence for a private equity fund on a $1.2B acquisition.\n\n"
        "SKILLS\n"
        "Corporate strategy, market sizing, competitive analysis, financial modelling (Excel), due diligence, "
        "M&A, pricing, executive presentations, SQL, Alteryx, Tableau\n"
    )
    result = real_matcher.match(resume)
    for role in result.roles[:3]:
        assert role.evidence
        assert all(result.analysed_text[e.start : e.end] == e.text for e in role.evidence)
        assert not any(is_word_list(e.text[heading_end(e.text) :]) for e in role.evidence)
        assert [evidence_level(e.text) for e in role.evidence] == [2] * len(role.evidence)


def test_a_job_title_line_is_not_taken_for_a_heading():
    from matcher.explain import heading_end, is_heading

    assert not is_heading("Head of Research") and not is_heading("Data Team Lead")
    assert heading_end("Head of Research\nI lead a team of six scientists.") == 0
    assert is_heading("Research") and heading_end("RESEARCH\nI study protein folding.") == len("RESEARCH\n")
