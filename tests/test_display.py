"""The notebook display: every role and quote is shown, and every value is escaped."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from html import escape

import pytest

from matcher.cli._render import render_markdown, render_table
from matcher.display import result_html, score_bar
from matcher.results import CLEAR_ROLE, Evidence, MatchResult, Occupation, Quote, RoleMatch, percent

EVIL = '<script>alert("x")</script>'


def _result(evil: str = EVIL) -> MatchResult:
    mine = Evidence(f"I wrote {evil} in my bio & more", 0, 30, 0.61)
    quote = Quote(
        text=f"Product managers {evil} own the roadmap.",
        source="articles/a.md",
        title=f"Title {evil}",
        section=f"Section {evil}",
        start=10,
        end=50,
        score=0.7,
        matched=mine,
    )
    other = Quote(
        text="A second passage about launches.",
        source="articles/b.md",
        title="Second article",
        section="",
        start=0,
        end=33,
        score=0.5,
    )
    roles = (
        RoleMatch(
            id="product-manager",
            title=f"Product Manager {evil}",
            score=0.82,
            confidence=0.64,
            similarity=0.7,
            classifier=0.8,
            weak=False,
            quotes=(quote, other),
            evidence=(mine,),
        ),
        RoleMatch(
            id="strategy",
            title="Strategy",
            score=0.31,
            confidence=0.05,
            similarity=0.3,
            classifier=None,
            weak=True,
            quotes=(),
            evidence=(),
        ),
    )
    return MatchResult(
        roles=roles,
        fit=0.77,
        abstain=False,
        model_version=f"v{evil}",
        n_sentences=2,
        n_chunks=1,
        role_set=("product-manager",),
        coverage=0.9,
        warnings=(f"warn {evil}",),
    )


def test_no_raw_markup_from_values_survives():
    html = result_html(_result())
    assert "<script" not in html.lower()
    assert escape(EVIL) in html
    # the only tags are the ones the renderer writes
    tags = set(re.findall(r"</?([a-zA-Z]+)", html))
    assert tags <= {"div", "span", "b", "code", "blockquote", "ul", "li"}


def test_every_role_quote_title_and_sentence_is_shown():
    result = _result(evil="plain")
    html = result_html(result)
    for role in result.roles:
        assert escape(role.title) in html and role.id in html
        for quote in role.quotes:
            assert escape(quote.text) in html and escape(quote.title) in html
            assert f"{quote.source}:{quote.start}-{quote.end}" in html
        for evidence in role.evidence:
            assert escape(evidence.text) in html
    assert html.count("(weak)") == 1
    assert "64%" in html  # confidence of the first role


def test_repr_html_is_the_display():
    result = _result()
    assert result._repr_html_() == result_html(result)


def test_abstaining_result_says_so_and_shows_warnings():
    result = _result(evil="x")
    abstained = MatchResult(
        roles=result.roles,
        fit=0.1,
        abstain=True,
        model_version="v1",
        n_sentences=1,
        n_chunks=1,
        warnings=("text was truncated",),
    )
    html = result_html(abstained)
    assert "no strong fit" in html and "text was truncated" in html


def test_score_bar_clamps_and_shows_the_number():
    assert "width:100.0%" in score_bar(1.7) and "1.70" in score_bar(1.7)
    assert "width:0.0%" in score_bar(-0.2)
    assert "width:50.0%" in score_bar(0.5)


def test_real_result_from_the_fake_matcher(fake_matcher):
    result = fake_matcher.match("I build <b>roadmaps</b> & run user interviews for a SaaS product.", top=3)
    html = result._repr_html_()
    assert "<b>roadmaps</b>" not in html
    for role in result.roles:
        assert escape(role.title) in html
        for quote in role.quotes:
            assert escape(quote.text) in html


def test_one_bar_per_role_the_confidence_as_a_percentage():
    result = _result(evil="plain")
    html = result_html(result)
    assert html.count('class="rolematch-confidence"') == len(result.roles)
    bars = html.count("display:inline-block;width:")
    assert bars == len(result.roles) + 1  # one per role, and the fit of the whole result
    for role in result.roles:
        assert f"width:{100 * role.confidence:.1f}%" in html
        assert f"{percent(role.confidence)} confidence" in html
        assert f"{role.score:.2f}" not in html  # the ranking score is in to_dict(), not on the card
    assert "classifier" not in html  # no second per-role number
    assert "(similarity 0.61)" in html  # a sentence's score says what it is
    assert result.confidence_line in html  # the one-line explanation, as the table prints it


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.0, "<1%"),
        (0.00004, "<1%"),
        (0.0049, "<1%"),
        (0.125, "13%"),
        (0.64, "64%"),
        (0.99949, ">99%"),
        (1.0, ">99%"),
    ],
)
def test_a_probability_is_never_shown_as_0_or_100_percent(p, shown):
    assert percent(p) == shown


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.0, "<0.1%"),
        (0.0004, "<0.1%"),
        (0.00049, "0.1%"),  # the CSV shows 0.0005: the table agrees with it
        (0.0005, "0.1%"),
        (0.069, "6.9%"),
        (0.12345, "12.4%"),  # from the 4 decimals the output carries (0.1235), halves up
        (0.9994, "99.9%"),
        (0.99949, ">99.9%"),  # 0.9995 in the CSV
        (0.9995, ">99.9%"),
        (1.0, ">99.9%"),
    ],
)
def test_a_ranking_percentage_has_tenths_but_never_reads_0_0_or_100_0(p, shown):
    assert percent(p, decimals=1) == shown


# ------------------------------------------------------------------ the lines that explain a result


def _spread(confidence: float, fit: float = 0.54, abstain: bool = False) -> MatchResult:
    """``_result`` with its top role at ``confidence`` (the second stays at 5%)."""
    result = _result(evil="plain")
    top = replace(result.roles[0], confidence=confidence)
    return replace(result, roles=(top, *result.roles[1:]), fit=fit, abstain=abstain)


SPREAD = "no single role is clear: the chance that some role fits (0.54) is spread over several roles"


@pytest.mark.parametrize(
    ("confidence", "fit", "abstain", "said"),
    [
        (0.27, 0.54, False, True),
        (CLEAR_ROLE - 0.0001, 0.54, False, True),
        (CLEAR_ROLE, 0.54, False, False),  # 50% is clear enough
        (0.94, 0.98, False, False),
        (0.27, 0.54, True, False),  # an abstaining result says "no strong fit" instead
    ],
)
def test_a_fit_without_a_clear_role_is_said_in_one_line_everywhere(confidence, fit, abstain, said):
    result = _spread(confidence, fit, abstain)
    assert (result.spread_line == SPREAD) is said and (result.spread_line is None) is not said
    for shown in (render_table(result), render_markdown(result), result_html(result)):
        assert (SPREAD in shown) is said
    if said:  # on its own line, right under the fit
        assert render_table(result).splitlines()[1] == SPREAD


def test_the_spread_line_adds_no_field_and_changes_no_number():
    result = _spread(0.27)
    assert set(result.to_dict()) == {f.name for f in fields(MatchResult)}  # the JSON is as it was
    table = render_table(result)
    assert table.startswith("fit 0.54 (fits the catalog) · model")  # the status itself is unchanged
    assert " 1  Product Manager plain" in table and f"{percent(0.27):>10}" in table


def test_an_abstaining_result_names_the_closest_occupation_as_the_cli_does():
    occupation = Occupation("13-1071.00", "Human Resources <Specialists>", 0.99, inside=False)
    result = replace(_result(evil="plain"), fit=0.37, abstain=True, closest_occupation=occupation)
    line = "closest occupation: Human Resources <Specialists> (13-1071.00), outside this catalog"
    assert result.outside_line == line
    assert line in render_table(result)
    assert escape(line) in result_html(result) and "<Specialists>" not in result_html(result)
    fits = replace(result, abstain=False, fit=0.9)  # only an abstaining result names one
    assert fits.outside_line is None and "closest occupation" not in result_html(fits)


# ------------------------------------------------------------------ repr: short, and no personal data


def test_result_repr_is_one_short_line_without_the_persons_text():
    result = replace(_result(evil="plain"), analysed_text="I wrote plain in my bio & more", titles=("CTO",))
    assert repr(result) == (
        "MatchResult(fit=0.77, top=[product-manager 64%, strategy 5%], abstain=False, warnings=1, "
        "model_version='vplain')"
    )
    role = result.roles[0]
    assert repr(role) == (
        "RoleMatch(id='product-manager', confidence=0.64, score=0.82, weak=False, quotes=2, evidence=1)"
    )
    everything = repr(result) + repr(role) + repr(role.evidence[0]) + repr(role.quotes[0]) + str(result)
    assert "my bio" not in everything and "CTO" not in everything


def test_result_repr_lists_three_roles_then_an_ellipsis_and_says_what_matters():
    result = _result(evil="plain")
    roles = tuple(replace(result.roles[1], id=f"r{i}", confidence=0.1 - i / 100) for i in range(5))
    occupation = Occupation("29-1141.00", "Registered Nurses", 0.9, inside=False)
    shown = repr(
        replace(
            result,
            roles=roles,
            abstain=True,
            closest_occupation=occupation,
            confidence_calibrated=False,
            catalog="mine",
            warnings=(),
        )
    )
    assert "top=[r0 10%, r1 9%, r2 8%, ...]" in shown and "r3" not in shown
    assert "abstain=True" in shown and "closest_occupation='29-1141.00'" in shown
    assert "confidence_calibrated=False" in shown and "catalog='mine'" in shown
