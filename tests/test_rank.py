"""Ranking candidates for a role (``rank_frame``, ``rolematch rank``): order, roles, filters (fake matcher)."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import RoleMatcher
from matcher.batch.rank import UnknownRoleError, resolve_roles
from matcher.cli import main

PMM = "product-marketing-manager"
SWE = "software-engineer"
BIOS = [
    "I run go-to-market launches for a SaaS product and write the case studies sales uses.",
    "Backend engineer: I write Go services, review code and keep our CI pipelines green.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",
    "Partner at an early-stage fund; I source deals and sit on five boards.",
    "Head of product for three teams: strategy, roadmap and hiring product managers.",
    "Product marketing lead: positioning, messaging, launches and sales enablement.",
    "I own pricing and packaging research and brief the sales team on competitors.",
    "Frontend developer shipping React components and writing unit tests.",
    "Operations director running finance, HR and the supply chain for a scale-up.",
    "Founder and CEO of a seed-stage startup; I raised the round and hired the team.",
]


@pytest.fixture
def people():
    ids = [f"c{i:02d}" for i in range(len(BIOS))]
    return pd.DataFrame({"id": ids, "name": [f"N{i}" for i in range(len(BIOS))], "bio": BIOS})


def batch_confidence(matcher, frame, role):
    """Each person's confidence for ``role`` read from the batch output (all roles per row)."""
    scored = matcher.score_frame(frame, text_column="bio", top=len(matcher.corpus.roles))
    out = {}
    for _, row in scored.iterrows():
        i = next(i for i in range(1, len(matcher.corpus.roles) + 1) if row[f"role_{i}"] == role)
        out[row["id"]] = row[f"confidence_{i}"]
    return out


def test_the_rank_order_is_the_batch_confidences_sorted(fake_matcher, people):
    expected = batch_confidence(fake_matcher, people, PMM)
    ranked = fake_matcher.rank_frame(people, role=PMM, text_column="bio")
    assert sorted(ranked["id"]) == sorted(expected)  # everyone, once
    in_rank_order = [expected[i] for i in ranked["id"]]
    assert in_rank_order == sorted(expected.values(), reverse=True)
    assert list(ranked[f"confidence_{PMM}"]) == in_rank_order
    assert list(ranked["rank"]) == list(range(1, len(BIOS) + 1))
    assert list(ranked.index) == [int(i[1:]) for i in ranked["id"]]  # input index labels kept


def test_several_roles_get_their_own_columns_sorted_by_the_first(fake_matcher, people):
    title = next(r.title for r in fake_matcher.corpus.roles if r.id == PMM)
    ranked = fake_matcher.rank_frame(people, role=[SWE, title], text_column="bio")
    for role in (SWE, PMM):
        for name in ("confidence", "evidence", "quote"):
            assert f"{name}_{role}" in ranked.columns
    expected = batch_confidence(fake_matcher, people, PMM)
    assert [expected[i] for i in ranked["id"]] == list(ranked[f"confidence_{PMM}"])
    assert list(ranked[f"confidence_{SWE}"]) == sorted(ranked[f"confidence_{SWE}"], reverse=True)
    assert list(ranked.columns[:3]) == ["rank", "id", f"confidence_{SWE}"]


def test_evidence_is_the_candidates_sentence_and_the_quote_an_article_passage(fake_matcher, people):
    ranked = fake_matcher.rank_frame(people, role=PMM, text_column="bio")
    for _, row in ranked.iterrows():
        assert row[f"evidence_{PMM}"] in BIOS[int(row["id"][1:])]
        assert row[f"quote_{PMM}"].startswith("“") and "(articles/" in row[f"quote_{PMM}"]


def test_top_min_confidence_and_failed_rows(fake_matcher, people):
    frame = pd.concat([people, pd.DataFrame({"id": ["bad"], "name": ["X"], "bio": [""]})], ignore_index=True)
    ranked = fake_matcher.rank_frame(frame, role=PMM, text_column="bio")
    assert ranked["id"].iloc[-1] == "bad" and ranked["status"].iloc[-1] == "error"
    assert pd.isna(ranked["rank"].iloc[-1]) and "empty" in ranked["error"].iloc[-1]
    assert "paste" not in ranked["error"].iloc[-1]
    top3 = fake_matcher.rank_frame(frame, role=PMM, text_column="bio", top=3)
    assert list(top3["id"]) == list(ranked["id"][:3])
    floor = ranked[f"confidence_{PMM}"].iloc[4]
    above = fake_matcher.rank_frame(frame, role=PMM, text_column="bio", min_confidence=floor)
    assert len(above) >= 5 and (above[f"confidence_{PMM}"] >= floor).all() and "bad" not in set(above["id"])


def test_keep_columns_ride_along(fake_matcher, people):
    ranked = fake_matcher.rank_frame(people, role=PMM, text_column="bio", keep_columns=["name"])
    assert list(ranked.columns[:3]) == ["rank", "id", "name"]
    assert all(row["name"] == f"N{int(row['id'][1:])}" for _, row in ranked.iterrows())


def test_unknown_roles_list_the_valid_ids_with_a_suggestion(fake_matcher, people):
    with pytest.raises(UnknownRoleError) as info:
        fake_matcher.rank_frame(people, role="product-marketer", text_column="bio")
    message = str(info.value)
    assert "did you mean 'product-marketing-manager'?" in message
    assert all(role_id in message for role_id in fake_matcher.corpus.role_ids)
    catalog = [(r.id, r.title) for r in fake_matcher.corpus.roles]
    title = dict(catalog)["it-support"]  # a title in any case is a role too
    assert resolve_roles(catalog, [title.lower(), "it-support", PMM.upper()]) == ("it-support", PMM)
    for partial, meant in [("sales", "'sales-business-development'"), ("Product", "'product-manager' or ")]:
        with pytest.raises(UnknownRoleError, match=f"did you mean {meant}"):
            resolve_roles(catalog, [partial])  # a word of a role's id or title suggests the roles having it


# ------------------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli(monkeypatch, fake_matcher, fake_models):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: fake_matcher))

    def invoke(*args):
        return CliRunner().invoke(main, ["rank", *map(str, args), "--models", str(fake_models)])

    return invoke


def test_rank_cli_prints_a_table_json_and_csv(cli, people, tmp_path, fake_matcher):
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    expected = fake_matcher.rank_frame(people, role=PMM, text_column="bio")
    table = cli("--role", PMM, path, "--text-column", "bio")
    assert table.exit_code == 0, table.output
    assert f"({PMM})" in table.stdout.splitlines()[0] and "their text:" in table.stdout
    assert f"ranked {len(BIOS)} rows by {PMM}" in table.stderr
    as_json = cli("--role", PMM, path, "--text-column", "bio", "--format", "json", "-q")
    assert [r["id"] for r in json.loads(as_json.stdout)] == list(expected["id"])
    as_csv = cli("--role", PMM, path, "--text-column", "bio", "--format", "csv", "--top", "2", "-q")
    assert list(pd.read_csv(pd.io.common.StringIO(as_csv.stdout))["id"]) == list(expected["id"][:2])


def test_rank_cli_writes_xlsx_with_an_about_sheet(cli, people, tmp_path):
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    result = cli("--role", PMM, "--role", SWE, path, "--text-column", "bio", "--keep-columns", "name",
                 "-o", tmp_path / "short.xlsx")  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "short.xlsx")
    assert book.sheetnames == ["results", "about"]
    rows = list(book["results"].iter_rows(values_only=True))
    assert rows[0][:4] == ("rank", "id", "name", f"confidence_{PMM}")
    assert [r[0] for r in rows[1:]] == list(range(1, len(BIOS) + 1))
    about = dict(r[:2] for r in book["about"].iter_rows(values_only=True) if r[0])
    assert about["ranked by"] == PMM and "probability" in about["confidence"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--role", "product-marketer"], 2, "did you mean 'product-marketing-manager'?"),  # a bad option
        (["--role", PMM, "--text-column", "summary"], 1, "column 'summary' not found"),
        (["--role", PMM, "--keep-columns", "name", "--keep-all"], 2, "not both"),
        (["--role", PMM, "--format", "json", "-o", "x.csv"], 2, "--format is for stdout"),
    ],
)
def test_rank_cli_errors(cli, people, tmp_path, args, code, message):
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    result = cli(path, "--text-column", "bio", *args)
    assert result.exit_code == code and message in result.stderr


def test_a_repaired_cell_says_so_in_the_ranking(fake_matcher):
    frame = pd.DataFrame(
        {"bio": ["Launch plans and the teamâ€™s positioning for a SaaS product.", "Launch plans."]}
    )
    ranked = fake_matcher.rank_frame(frame, role=PMM, text_column="bio").sort_index()
    assert "mojibake" in ranked["warning"].iloc[0] and not ranked["warning"].iloc[1]


# ------------------------------------------------------------------------------------------ files


@pytest.fixture
def resumes(tmp_path):
    """A folder of resumes: two readable ones, a binary file, and one in a subfolder."""
    folder = tmp_path / "resumes"
    (folder / "more").mkdir(parents=True)
    (folder / "ann.txt").write_text(BIOS[0])
    (folder / "bo.md").write_text(BIOS[5])
    (folder / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "more" / "cy.txt").write_text(BIOS[1])
    return folder


def test_rank_takes_a_folder_each_file_a_candidate_and_bad_files_as_error_rows(cli, resumes):
    result = cli("--role", PMM, resumes, "--format", "json", "-q")
    assert result.exit_code == 3, result.output  # one file could not be read
    records = json.loads(result.stdout)
    assert sorted(r["file"] for r in records) == ["ann.txt", "bo.md", "junk.bin"]
    assert records[-1]["file"] == "junk.bin" and records[-1]["status"] == "error" and records[-1]["error"]
    deep = json.loads(cli("--role", PMM, resumes, "--recursive", "--format", "json", "-q").stdout)
    assert sorted(r["file"] for r in deep) == ["ann.txt", "bo.md", "junk.bin", "more/cy.txt"]
    only = json.loads(
        cli("--role", PMM, resumes, "--recursive", "--glob", "*.txt", "--format", "json").stdout
    )
    assert sorted(r["file"] for r in only) == ["ann.txt", "more/cy.txt"]


def test_rank_takes_a_zip_of_resumes_and_writes_beside_it(cli, resumes, tmp_path):
    from filemakers import zip_of

    archive = tmp_path / "cvs.zip"
    archive.write_bytes(zip_of({p.name: p.read_bytes() for p in resumes.iterdir() if p.is_file()}))
    result = cli("--role", PMM, archive, "-o", tmp_path / "short.csv")
    assert result.exit_code == 3, result.output
    ranked = pd.read_csv(tmp_path / "short.csv", dtype=str, keep_default_na=False)
    assert sorted(ranked["file"]) == ["ann.txt", "bo.md", "junk.bin"]
    assert list(ranked["status"]) == ["ok", "ok", "error"]
    assert "ranked 2 rows by" in result.stderr and "1 could not be scored" in result.stderr


def test_rank_refuses_table_options_for_files_and_file_options_for_a_table(cli, resumes, people, tmp_path):
    result = cli("--role", PMM, resumes, "--keep-columns", "name")
    assert result.exit_code == 2 and "--keep-columns is for a table" in result.output
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    result = cli("--role", PMM, path, "--text-column", "bio", "--recursive")
    assert result.exit_code == 1 and "--recursive and --glob apply to a folder or a .zip" in result.output


def test_rank_summary_says_1_row(cli, people, tmp_path):
    path = tmp_path / "one.csv"
    people[:1].to_csv(path, index=False)
    result = cli("--role", PMM, path, "--text-column", "bio")
    assert "ranked 1 row by" in result.stderr and "1 rows by" not in result.stderr


def test_rank_says_a_resume_file_is_not_a_table(cli, tmp_path):
    path = tmp_path / "teacher.txt"
    path.write_text("High school mathematics teacher for 11 years. I plan lessons.\n", encoding="utf-8")
    result = cli("--role", PMM, path)
    assert result.exit_code == 1 and "teacher.txt is one resume, not a table" in result.stderr
    assert (
        f"rolematch match --file {path}" in " ".join(result.stderr.split())
        and "mathematics" not in result.output
    )


def test_the_order_counts_the_confidence_when_calibrated_and_fit_then_similarity_when_not():
    """``candidate_key``: a calibrated confidence already counts the fit and orders alone; without labelled
    examples, people who fit come before those with no strong fit, then the role's similarity score."""
    from matcher.batch.rank import RankSpec, candidate_key, order

    people = {  # id: (confidence = fit × share, score, abstain)
        "nurse": (0.069, 0.05, True),  # fits no role: a flat share of a small catalog
        "pm": (0.004, 0.28, False),  # fits another role well: a small share of this one
        "it": (0.002, 0.17, False),
        "dev": (0.95, 0.57, False),
        "chef": (0.03, 0.05, True),
    }

    def ranked(calibrated: bool) -> list[str]:
        records = [
            {
                "id": name,
                f"confidence_{SWE}": c,
                "status": "ok",
                "_row": row,
                "_order": candidate_key(c, s, a, calibrated),
            }
            for row, (name, (c, s, a)) in enumerate(people.items(), 1)
        ]
        return [r["id"] for r in order(records, RankSpec((SWE,), "id"))[0]]

    assert ranked(calibrated=True) == ["dev", "nurse", "chef", "pm", "it"]  # by confidence alone, as before
    # not calibrated: who fits first, then the score (nurse and chef score alike: the larger share first)
    assert ranked(calibrated=False) == ["dev", "pm", "it", "nurse", "chef"]
    assert candidate_key(0.5, 0.3, True, calibrated=True) == (0.5,)
