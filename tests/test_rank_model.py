"""``rolematch rank`` with the real model: clear product marketers first, unrelated people last."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import RoleMatcher
from matcher.cli import main

pytestmark = pytest.mark.model

MARKETERS = {
    "pmm1": "Product marketing manager for a B2B SaaS platform: I own positioning and messaging, run "
    "go-to-market launches and write the case studies and battlecards our sales team uses.",
    "pmm2": "Six years in product marketing. I plan launches with product and sales, write competitive "
    "analysis and pricing pages, and train account executives on messaging.",
    "pmm3": "I lead go-to-market for new features: launch plans, customer case studies, sales enablement "
    "decks and the product messaging on our website.",
}
UNRELATED = {
    "chef": "Head chef at a busy seafood restaurant: I plan seasonal menus, order produce and run a kitchen of twelve.",
    "nurse": "Registered nurse on a cardiac ward; I give medication, monitor patients and train new nurses.",
    "driver": "Long-haul truck driver with a clean record; I plan routes, log hours and inspect my rig daily.",
}


def test_rank_puts_clear_matches_first_and_unrelated_people_last(real_matcher, monkeypatch, tmp_path):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))
    people = {**UNRELATED, **MARKETERS}  # the marketers come last in the file
    path = tmp_path / "people.csv"
    pd.DataFrame({"id": list(people), "bio": list(people.values())}).to_csv(path, index=False, sep=";")
    args = [
        "rank",
        "--role",
        "product-marketing-manager",
        str(path),
        "--text-column",
        "bio",
        "--format",
        "json",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)
    order = [r["id"] for r in ranked]
    assert set(order[:3]) == set(MARKETERS) and set(order[-3:]) == set(UNRELATED)
    confidence = {r["id"]: r["confidence_product-marketing-manager"] for r in ranked}
    assert min(confidence[k] for k in MARKETERS) > 0.5 > max(confidence[k] for k in UNRELATED)
    assert all(r["evidence_product-marketing-manager"] in people[r["id"]] for r in ranked)
