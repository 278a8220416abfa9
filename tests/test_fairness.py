"""Fairness invariance: swapping a person's name, pronouns and gendered words must barely move the match."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA

from matcher import RoleMatcher
from matcher.cli import main
from matcher.fairness import NAMES, fairness_report, format_fairness_report, swap_variants
from matcher.gender import neutralize

BIO = (
    "Ravi Menon is the chairman of a logistics firm. He leads his team, and the board gave him a raise. "
    "Mr. Menon's wife says he's a natural businessman; the idea was his. Ravi often manages budgets himself."
)

# --------------------------------------------------------------------------- variants (no model)


def test_pronoun_swaps_are_consistent_and_keep_case():
    variants = dict(swap_variants(BIO))
    assert variants["pronouns=female"] == (
        "Ravi Menon is the chairwoman of a logistics firm. She leads her team, and the board gave her a "
        "raise. Ms. Menon's husband says she's a natural businesswoman; the idea was hers. "
        "Ravi often manages budgets herself."
    )
    assert variants["pronouns=neutral"] == (
        "Ravi Menon is the chairperson of a logistics firm. They lead their team, and the board gave them a "
        "raise. Mx. Menon's spouse says they're a natural businessperson; the idea was theirs. "
        "Ravi often manages budgets themself."
    )
    assert "pronouns=male" not in variants  # identical to the original, so left out


def test_name_swaps_replace_first_name_and_surname_everywhere_with_that_names_pronouns():
    variants = dict(swap_variants(BIO))
    assert {f"name={first} {last}" for first, last, _ in NAMES} <= set(variants)
    priya = variants["name=Priya Sharma"]
    assert "Ravi" not in priya and "Menon" not in priya
    assert priya.startswith("Priya Sharma is the chairwoman") and "Ms. Sharma's husband" in priya
    assert variants["name=John Smith"].startswith("John Smith is the chairman of a logistics firm. He leads")


@pytest.mark.parametrize(
    ("text", "swapped"),
    [
        (  # a name redaction finds that no list knows, in capitals, possessive and across a line break
            "Xyla Quorn is a product manager. Quorn runs reviews; XYLA QUORN signs off.\nXyla\nQuorn's team ships.",
            "Maria Garcia is a product manager. Garcia runs reviews; MARIA GARCIA signs off.\nMaria\nGarcia's team "
            "ships.",
        ),
        (  # the top line's name, then its parts further down
            "RACHEL GOLDBERG\nSenior PM at Acme.\nRachel led launches; Goldberg's team shipped them.",
            "MARIA GARCIA\nSenior PM at Acme.\nMaria led launches; Garcia's team shipped them.",
        ),
        (  # a name found late in the text, one word, every mention
            "Worked eight years in sales. Keanu also mentors reps; Keanu's team grew.",
            "Worked eight years in sales. Maria also mentors reps; Maria's team grew.",
        ),
        (  # a surname that is a pronoun goes only with the first name
            "Wei He\nData engineer. He leads the team. Wei He wrote it; Wei reviews.",
            "Maria Garcia\nData engineer. He leads the team. Maria Garcia wrote it; Maria reviews.",
        ),
    ],
)
def test_name_swaps_cover_every_mention_of_the_name_consistently(text, swapped):
    assert dict(swap_variants(text, pronouns=False))["name=Maria Garcia"] == swapped


def test_her_is_read_as_possessive_or_object_from_the_next_word():
    text = "Maria Garcia runs her team. The CEO promoted her in 2020 and thanked her."
    male = dict(swap_variants(text))["pronouns=male"]
    assert male == "Maria Garcia runs his team. The CEO promoted him in 2020 and thanked him."


def test_acronyms_and_verbs_that_look_gendered_are_left_as_written():
    text = (
        "MS in Computer Science; MS Project and MS SQL. Worked at HER Imaging, selling to HE (higher "
        "education). I never miss a deadline. Ms. Okafor says she leads well."
    )
    assert neutralize(text) == (
        "MS in Computer Science; MS Project and MS SQL. Worked at HER Imaging, selling to HE (higher "
        "education). I never miss a deadline. Mx. Okafor says they lead well."
    )
    assert neutralize("MS Office, Ms Excel sheets") == "MS Office, Ms Excel sheets"  # Microsoft
    assert neutralize("Miss Adeyemi runs it.") == "Mx Adeyemi runs it."
    # a text in capitals is still rewritten: those are words, not acronyms
    assert neutralize("SHE LEADS THE TEAM. MOTHER OF TWO.") == "THEY LEAD THE TEAM. PARENT OF TWO."


def test_names_only_keeps_pronouns_and_first_person_text_has_nothing_to_swap():
    names_only = dict(swap_variants(BIO, pronouns=False))
    assert all(name.startswith("name=") for name in names_only)
    assert " He leads his team" in names_only["name=Maria Garcia"]
    assert swap_variants("I build backend services in Go and review code every day.") == []


# --------------------------------------------------------------------------- report (fake model)


def test_report_over_texts_gives_ids_and_figures_never_text(fake_matcher):
    texts = {"a": BIO, "b": "I build backend services in Go.", "c": "\x00binary"}
    report = fairness_report(fake_matcher, texts, top=3)
    assert (report["n_texts"], report["n_skipped"], report["n_swapped"]) == (2, 1, 1)
    assert report["n_variants"] == len(swap_variants(BIO))
    assert 0.0 <= report["mean_shift"] <= report["max_shift"] <= 1.0
    assert 0.0 <= report["top_changed"] <= 1.0 and 0.0 <= report["top1_changed"] <= report["top_changed"]
    assert {w["id"] for w in report["worst"]} <= {"a"}
    dumped = json.dumps(report)
    assert "logistics" not in dumped and "Menon" not in dumped
    assert "largest score shift" in format_fairness_report(report, "tiny")


# --------------------------------------------------------------------------- the real model

TOLERANCE = 0.05  # the target: no role's score moves by more than this, and the top role never changes


@pytest.fixture(scope="module")
def bios() -> dict[str, str]:
    frame = pd.read_csv(DATA / "fairness_bios.csv", dtype=str)
    return dict(zip(frame["id"], frame["text"]))


@pytest.mark.model
def test_name_swaps_do_not_move_the_match(real_matcher, bios):
    """Names are redacted before embedding, so changing only the name changes nothing."""
    report = fairness_report(real_matcher, bios, top=3, pronouns=False)
    print(f"\nname swaps: largest score shift {report['max_shift']:.4f} over {report['n_variants']} variants")
    assert report["n_swapped"] == len(bios)
    assert report["max_shift"] <= 0.01 and report["top_changed"] == 0.0


@pytest.mark.model
def test_gender_and_name_swaps_barely_move_the_match(real_matcher, bios):
    report = fairness_report(real_matcher, bios, top=3)
    print("\n" + format_fairness_report(report, "fairness_bios.csv"))
    assert report["n_swapped"] == len(bios)
    assert report["max_shift"] <= TOLERANCE, report["worst"]
    assert report["top1_changed"] == 0.0, report["worst"]


@pytest.mark.model
def test_evaluate_fairness_prints_the_report(real_matcher, monkeypatch):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))
    path = str(DATA / "fairness_bios.csv")
    out = CliRunner().invoke(main, ["evaluate", path, "--fairness", "--limit", "3", "--format", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["n_texts"] == 3 and report["worst"] and report["worst"][0]["id"].startswith("fair-")
    clash = CliRunner().invoke(main, ["evaluate", path, "--fairness", "--record", "x"])
    assert clash.exit_code == 2 and "--fairness" in clash.output
