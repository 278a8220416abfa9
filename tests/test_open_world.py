"""Right on real backgrounds, honest when unsure: titles, the outside world and one coherent confidence
(real model)."""

from __future__ import annotations

import pytest

from matcher.textproc import TOO_LITTLE_TEXT

pytestmark = pytest.mark.model

OUTSIDE = {
    "chef": (
        "Executive chef of a 90-cover restaurant: I write seasonal menus, run the kitchen brigade, "
        "order produce from local farms and keep food costs under 28%.",
        "35-",
    ),
    "nurse": (
        "Registered nurse with eight years in intensive care: patient assessment, ventilator care, "
        "medication administration and family education.",
        "29-",
    ),
    "accountant": (
        "Certified public accountant: I close the books every month, prepare tax returns and "
        "audit schedules, and reconcile general ledger accounts for mid-sized clients.",
        ("13-2011", "43-3031"),
    ),
    "lawyer": (
        "Litigation attorney: I draft motions and briefs, take depositions and argue contract "
        "disputes in state court for corporate clients.",
        "23-",
    ),
    "teacher": (
        "Primary school teacher for ten years: I plan lessons in reading and maths for a class of "
        "28 children, assess their progress and meet parents every term.",
        "25-",
    ),
}


def test_a_nonprofit_presidents_resume_ranks_founder_ceo_or_operations_first(real_matcher):
    text = (
        "PRESIDENT/CHIEF EXECUTIVE OFFICER\nExecutive Profile\n"
        "Nonprofit president leading a 60-person organisation for eleven years: board relations, fundraising "
        "strategy, annual budgets of $12M, and the launch of two new community programs.\n"
        "President/CEO Jan 2012 to Current\nCommunity Health Alliance\n"
        "Report to a board of directors; hired and lead the executive team; set the three-year strategic plan."
    )
    result = real_matcher.match(text, top=3)
    assert result.top.id in {"founder-ceo", "operations-leader"} and not result.abstain
    assert result.top.title_match is not None and "president" in result.top.title_match.text.lower()


@pytest.mark.parametrize("who", sorted(OUTSIDE))
def test_people_outside_the_catalog_abstain_and_get_a_close_outside_occupation(real_matcher, who):
    text, prefix = OUTSIDE[who]
    result = real_matcher.match(text, top=3)
    assert result.abstain, (who, result.fit, result.top.id)
    assert result.closest_occupation is not None and result.closest_occupation.code.startswith(prefix), (
        who,
        result.closest_occupation,
    )
    assert max(r.confidence for r in result.roles) <= 0.5


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "Sales", "Excel, teamwork, punctuality", "hello"])
def test_texts_with_little_meaning_abstain(real_matcher, text):
    result = real_matcher.match(text, top=3)
    assert result.abstain and result.fit < 0.5


def test_one_word_is_too_little_to_judge_and_names_no_outside_occupation(real_matcher):
    """ "Sales" is not the work of door-to-door sellers outside the catalog: it is too little to say."""
    one, short = real_matcher.match(["Sales", "Sales manager"], top=1, quotes=0)
    assert one.abstain and one.closest_occupation is None and one.warnings == (TOO_LITTLE_TEXT,)
    assert TOO_LITTLE_TEXT not in short.warnings


def test_only_an_abstaining_result_names_an_occupation_outside_the_catalog(real_matcher):
    fits, nurse = real_matcher.match(
        [
            "Senior Software Engineer at a fintech: Go services, Kubernetes, code reviews.",
            OUTSIDE["nurse"][0],
        ],
        top=1,
        quotes=0,
    )
    assert (
        not fits.abstain and fits.closest_occupation is None and fits.to_dict()["closest_occupation"] is None
    )
    assert nurse.abstain and nurse.closest_occupation is not None


def test_confidence_never_exceeds_the_fit_and_clear_texts_fit(real_matcher):
    texts = [t for t, _ in OUTSIDE.values()] + [
        "Second line support engineer: ServiceNow tickets, Active Directory, escalations and SLAs.",
        "Account Executive Jan 2016 to Current: I prospect, demo and close mid-market SaaS deals; 130% of quota.",
        "Java developer: Spring Boot microservices, REST APIs, code reviews and CI pipelines.",
    ]
    results = real_matcher.match(texts, top=14, quotes=0)
    for r in results:
        assert all(role.confidence <= r.fit + 1e-9 for role in r.roles)
        assert abs(sum(role.conditional_confidence for role in r.roles) - 1) < 1e-6
        # an overlapping role counts as right too, so the confidences add up to the fit or more
        assert sum(role.confidence for role in r.roles) >= r.fit - 1e-9
    assert [r.top.id for r in results[-3:]] == [
        "it-support",
        "sales-business-development",
        "software-engineer",
    ]
    assert not any(r.abstain for r in results[-3:])


@pytest.mark.parametrize("text", ["• Sales", "Sales !", "Jane Doe\n\nSales"])
def test_one_word_with_punctuation_or_a_name_around_it_is_still_one_word(real_matcher, text):
    result = real_matcher.match(text, top=1, quotes=0)
    assert result.abstain and result.fit <= 0.05 and result.closest_occupation is None
    assert result.warnings == (TOO_LITTLE_TEXT,)
