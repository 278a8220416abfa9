"""The command line, through click's CliRunner, with the real model."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from matcher import RoleMatcher
from matcher.cli import main
from matcher.config import DEFAULT_BACKEND
from matcher.results import percent
from matcher.textproc import TOO_LITTLE_TEXT

pytestmark = pytest.mark.model

BIO = (
    "I spent six years running go-to-market launches and writing case studies for a SaaS product, "
    "and I work with sales on enablement and messaging."
)


@pytest.fixture(autouse=True)
def reuse_loaded_matcher(monkeypatch, real_matcher):
    """The CLI loads the matcher per call; hand it the session's instance to keep the suite fast."""
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_match_table_shows_ranked_roles_and_quotes():
    out = run("match", BIO, "--top", "3")
    assert out.exit_code == 0, out.output
    first = next(line for line in out.output.splitlines() if line.startswith(" 1  "))
    assert "Product Marketing Manager" in first
    assert "likely roles (90% set): product-marketing-manager" in out.output
    assert "“" in out.output and "articles/" in out.output


def test_match_table_shows_one_number_per_role_the_confidence(real_matcher):
    out = run("match", BIO, "--top", "4")
    lines = out.output.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("#"))
    assert header.split() == ["#", "role", "confidence"]  # no score column
    assert "confidence: the chance this role is right" in out.output  # the one-line explanation
    roles = real_matcher.match(BIO, top=4).roles
    rows = [line for line in lines if line[:2].strip().isdigit() and line[2:4] == "  "]
    assert len(rows) == len(roles)
    for row, role in zip(rows, roles):
        after_title = row.removesuffix("  (weak)").split(role.title, 1)[1]
        assert after_title.split() == [percent(role.confidence)]  # the only number on the row


def test_match_json_equals_the_api(real_matcher):
    out = run("match", BIO, "--format", "json", "--top", "4", "--quotes", "3")
    assert json.loads(out.output) == real_matcher.match(BIO, top=4, quotes=3).to_dict()


def test_match_reads_stdin_and_file(tmp_path):
    from_stdin = run("match", "-", "--format", "json", input=BIO)
    path = tmp_path / "cv.txt"
    path.write_text(BIO, encoding="cp1252")
    from_file = run("match", "--file", str(path), "--format", "json")
    assert json.loads(from_stdin.output) == json.loads(from_file.output)


def test_match_markdown():
    out = run("match", BIO, "--format", "markdown", "--top", "2")
    assert out.output.startswith("**Fit:**") and "| 1 |" in out.output and "\n> " in out.output
    assert "| # | role | confidence |" in out.output and "score" not in out.output.split("### ")[0]
    as_json = json.loads(run("match", BIO, "--format", "json", "--top", "2").output)
    if as_json.get("role_set"):  # the likely roles, as the table shows them
        assert "Likely roles (" in out.output and as_json["role_set"][0] in out.output


def test_markdown_keeps_each_quote_and_evidence_on_one_line():
    from matcher.cli._render import _one_line

    assert _one_line("[NAME]\nEngagement Manager,\n  led  teams") == "[NAME] Engagement Manager, led teams"
    out = run(
        "match", "Engagement Manager\nI lead client teams in strategy projects.", "--format", "markdown"
    )
    for line in out.output.splitlines():
        if line.startswith("Your text: "):
            assert line.count("“") == line.count("”")  # no evidence cut by a line break


def test_errors_are_clear_and_exit_nonzero(tmp_path):
    empty = run("match", "   ")
    assert empty.exit_code == 1 and "empty" in empty.output
    both = run("match", BIO, "--file", __file__)
    assert both.exit_code == 2 and "not both" in both.output
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    out = run("match", "--file", str(binary))
    assert out.exit_code == 1 and "binary" in out.output
    assert run("match", BIO, "--top", "0").exit_code == 2


def test_roles_json_lists_grounded_catalog():
    data = json.loads(run("roles", "--format", "json").output)
    assert len(data) >= 14 and all(r["passages"] and r["description"] for r in data)


def test_python_dash_m_is_the_same_program():
    proc = subprocess.run(
        [sys.executable, "-m", "matcher", "--help"], capture_output=True, text=True, check=True
    )
    assert "rolematch" in proc.stdout and "match" in proc.stdout


def test_match_says_the_results_warnings_on_stderr_in_the_table_and_markdown():
    for fmt in ("table", "markdown"):
        result = run("match", "Sales", "--format", fmt, "--quotes", "0")
        assert f"rolematch match: {TOO_LITTLE_TEXT}" in result.stderr
        assert TOO_LITTLE_TEXT not in result.stdout


def test_match_and_paths_take_fast_as_rank_and_batch_do(monkeypatch, real_matcher):
    asked = []
    monkeypatch.setattr(
        RoleMatcher, "load", classmethod(lambda cls, **kw: asked.append(kw.get("backend")) or real_matcher)
    )
    assert run("match", "--fast", BIO, "--quotes", "0").exit_code == 0
    assert run("paths", "--fast", BIO).exit_code == 0
    assert run("match", BIO, "--quotes", "0").exit_code == 0
    assert asked == ["static", "static", DEFAULT_BACKEND]
    refused = CliRunner().invoke(main, ["match", "--fast", "--backend", "minilm", BIO])
    assert refused.exit_code == 2 and "--fast means --backend static" in refused.output


def _columns(line: str) -> list[tuple[str, int]]:
    """The cells of a table line (runs of words one space apart) and the column each ends at."""
    return [(m.group(0), m.end()) for m in re.finditer(r"\S+(?: \S+)*", line)]


@pytest.mark.parametrize("width", [70, 120])
def test_rank_table_heads_each_role_with_its_whole_title_over_its_numbers(tmp_path, real_matcher, width):
    path = tmp_path / "people.csv"
    path.write_text(
        f'id,text\na,"{BIO}"\nb,"I prospect and close enterprise deals as an account executive."\n'
    )
    roles = ["sales-business-development", "product-marketing-manager", "strategy"]
    args = ["rank", str(path), "-q", *(a for role in roles for a in ("--role", role))]
    out = CliRunner().invoke(main, args, env={"COLUMNS": str(width)}, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    first_row = next(i for i, line in enumerate(lines) if line[:4].strip().isdigit())
    head, row = lines[2:first_row], lines[first_row]
    assert "…" not in "\n".join(head) and max(len(line) for line in [*head, row]) <= width
    ends = [end for cell, end in _columns(row) if cell.endswith("%")]  # the role columns' right edges
    assert len(ends) == len(roles)
    by_column = {end: [] for end in ends}
    for line in head:
        for cell, end in _columns(line):
            if cell not in {"#", "id", "fit"}:
                by_column[end].append(cell)  # KeyError: a title not over its numbers
    title = {role.id: role.title for role in real_matcher.corpus.roles}
    assert [" ".join(cells) for cells in by_column.values()] == [title[r] for r in roles]
    assert (len(head) == 1) is (width == 120)  # wide enough: one header line, the titles whole


def test_paths_for_someone_outside_the_catalog_names_the_closest_occupation(monkeypatch, real_matcher):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))
    baker = "I run a small bakery and decorate wedding cakes; I also do the bookkeeping for the shop."
    table = run("paths", baker)
    assert table.exit_code == 0 and "no strong fit: closest occupation:" in table.stdout
    data = json.loads(run("paths", baker, "--format", "json").stdout)
    assert data["fit"] < 0.5 and data["closest_occupation"]["inside"] is False
    assert "closest occupation" not in run("paths", BIO).stdout  # a result that fits names none
