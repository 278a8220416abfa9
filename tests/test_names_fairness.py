"""A person's name must not move the match: 263 first names from many cultures (22 of them in their own
scripts), alone or with a surname, at the start of a bio, in the middle of it, alone on a resume's top line,
running into a title, before a separator and a title, introducing themselves or as the subject of a later
sentence (real model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.embed import prepare_text

NAMES = [
    w
    for line in (Path(__file__).parent / "data" / "swap_names.txt").read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for w in line.split()
]
TEMPLATES = (
    "{n} founded two startups and now invests in seed-stage companies; they run due diligence and sit on boards.",
    "Our lead, {n}, ran the growth team as Head of Growth and later became VP of Marketing at a SaaS company.",
    "{n} Okafor is a product manager who runs discovery interviews and owns the roadmap for a payments app.",
    # a resume header that lost its line breaks: the name runs into the title the title signal reads
    "{n} Okafor Senior Product Manager · Lagos · n.okafor@example.com\nI run discovery and own the roadmap.",
    # a resume's top line that holds a first name alone
    "{n}\nSenior Product Manager, Acme, 2019 - present\nI run discovery and own the roadmap for a payments app.",
    # introductions, a later sentence about the person, a two-word aside
    "My name is {n} and I close enterprise deals, manage a Salesforce pipeline and mentor account executives.",
    "Hi, I'm {n}, a backend engineer who builds payment APIs in Go and reviews code every day.",
    "Worked for eight years in sales. {n} closes enterprise deals, manages a pipeline in Salesforce and mentors"
    " account executives.",
    "Our lead engineer, {n} Okafor, runs the on-call rotation and keeps the Kubernetes clusters healthy.",
    "Worked for eight years in sales. {n} is passionate about closing enterprise deals and growing key accounts.",
    # a one-line bio that opens with the name, a separator and the title
    "{n} Okafor — Product Manager. {n} owns the roadmap for a payments app and runs discovery interviews.",
)
MAX_SHIFT = 0.02


def test_the_suite_has_at_least_200_distinct_names():
    assert len(set(NAMES)) == len(NAMES) >= 200


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_name_is_replaced_before_embedding(template):
    missed = [n for n in NAMES if n in prepare_text(template.format(n=n))]
    assert not missed, f"{len(missed)} names kept, e.g. {missed[:10]}"


@pytest.mark.model
@pytest.mark.parametrize("template", TEMPLATES)
def test_names_do_not_move_the_top_role_or_the_scores(real_matcher, template):
    results = real_matcher.match([template.format(n=n) for n in NAMES], top=14, quotes=0)
    order = [r.id for r in results[0].roles]

    def vector(result, field):
        by_id = {r.id: getattr(r, field) for r in result.roles}
        return np.array([by_id[i] for i in order])

    for field in ("score", "confidence"):
        grid = np.stack([vector(r, field) for r in results])
        shift = float(np.abs(grid - grid[0]).max())
        assert shift <= MAX_SHIFT, (field, shift)
    assert {r.top.id for r in results} == {results[0].top.id}
