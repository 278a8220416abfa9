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
HELPDESK = (
    "IT support technician: I run the help desk for 300 staff, reset passwords, image laptops, fix printers "
    "and manage Active Directory accounts."
)


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


def test_the_rank_table_has_tenths_of_a_percent_but_never_0_0_or_100_0(real_matcher, monkeypatch, tmp_path):
    """The rank table writes "<0.1%" and ">99.9%" where one decimal would read as certainty; the CSV and
    JSON keep their plain numbers."""
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))
    people = {**UNRELATED, **MARKETERS, "helpdesk": HELPDESK}
    path = tmp_path / "people.csv"
    pd.DataFrame({"id": list(people), "bio": list(people.values())}).to_csv(path, index=False)
    args = ["rank", "--role", "product-marketing-manager", "--role", "it-support", str(path)]
    args += ["--text-column", "bio"]
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0, table.output
    rows = {
        line.split()[1]: line.split()[2:4] for line in table.stdout.splitlines() if line[:4].strip().isdigit()
    }
    assert set(rows) == set(people)
    assert rows["helpdesk"] == ["<0.1%", ">99.9%"] and rows["chef"][0] == "<0.1%"
    assert " 0.0%" not in table.stdout and "100.0%" not in table.stdout
    as_json = json.loads(CliRunner().invoke(main, [*args, "--format", "json", "-q"]).stdout)
    plain = {
        r["id"]: (r["confidence_product-marketing-manager"], r["confidence_it-support"]) for r in as_json
    }
    assert plain["helpdesk"][1] > 0.9995 and plain["chef"][0] < 0.0005
    as_csv = CliRunner().invoke(main, [*args, "--format", "csv", "-q"]).stdout
    row = next(r for r in pd.read_csv(pd.io.common.StringIO(as_csv)).to_dict("records") if r["id"] == "chef")
    assert isinstance(row["confidence_product-marketing-manager"], float)
