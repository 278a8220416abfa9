"""The JSON API with the real model: the same answers as the CLI, clear errors, local-only serving."""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from matcher import RoleMatcher
from matcher.cli import main

pytestmark = pytest.mark.model

BIO = (
    "I spent six years running go-to-market launches and writing case studies for a SaaS product, "
    "and I work with sales on enablement and messaging."
)
IT_SUPPORT = (
    "I work on the IT helpdesk as second line support. I resolve ServiceNow tickets within SLA, reset "
    "passwords and manage user accounts in Active Directory, and escalate network problems to the third line."
)
HYBRID = (
    "Ten years in healthcare: I know HIPAA, clinical workflows and hospital procurement inside out. For the "
    "last four years I have been the product lead for a SaaS patient scheduling app, running A/B tests, "
    "improving onboarding and cutting churn."
)
STATIC = ROOT / "matcher" / "web" / "static"
NO_BATCH = "RoleMatcher.score_frame (matcher/batch) is not in this checkout yet: /api/batch answers 501"


@pytest.fixture(scope="module")
def client(real_matcher):
    from fastapi.testclient import TestClient

    from matcher.web import create_app

    return TestClient(create_app(real_matcher))


@pytest.fixture()
def cli_uses_loaded_matcher(monkeypatch, real_matcher):
    monkeypatch.setattr(RoleMatcher, "load", classmethod(lambda cls, **kw: real_matcher))


def post_json(client, payload, headers=None):
    headers = {"content-type": "application/json", **(headers or {})}
    return client.post("/api/match", content=json.dumps(payload), headers=headers)


# ---------------------------------------------------------------------------------------------- /api/match


def test_match_answers_the_same_json_as_the_cli(client, cli_uses_loaded_matcher):
    response = post_json(client, {"text": BIO, "top": 3, "quotes": 2})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    cli = CliRunner().invoke(main, ["match", BIO, "--top", "3", "--format", "json"], catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    assert response.json() == json.loads(cli.output)
    roles = response.json()["roles"]
    assert len(roles) == 3
    listed = [(r["confidence"], r["score"]) for r in roles]  # by confidence, ties by score
    assert listed == sorted(listed, reverse=True)


def test_quotes_are_verbatim_at_their_offsets_and_matched_sentences_are_the_persons(client, corpus):
    files = {f"articles/{a.path.name}": a.text for a in corpus.articles.values()}
    result = post_json(client, {"text": BIO, "top": 5, "quotes": 2}).json()
    for role in result["roles"]:
        assert 1 <= len(role["quotes"]) <= 2
        for quote in role["quotes"]:
            assert files[quote["source"]][quote["start"] : quote["end"]] == quote["text"]
            assert quote["title"] and quote["section"]
            matched = quote["matched"]
            assert BIO[matched["start"] : matched["end"]] == matched["text"]
        assert all(BIO[e["start"] : e["end"]] == e["text"] for e in role["evidence"])


def _article_quotes(paths):
    """Every article quote of a ``paths`` section: the moves', their gaps' and the hybrid note's."""
    for move in paths["moves"]:
        yield from move["quotes"]
        yield from (gap["quote"] for gap in move["gaps"] if gap["quote"] is not None)
    yield from (paths["hybrid"] or {}).get("quotes", [])


def test_paths_answer_the_same_json_as_the_cli(client, cli_uses_loaded_matcher):
    response = post_json(client, {"text": IT_SUPPORT, "top": 3, "quotes": 2, "paths": True})
    assert response.status_code == 200
    args = ["match", IT_SUPPORT, "--top", "3", "--paths", "--format", "json"]
    cli = CliRunner().invoke(main, args, catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    assert response.json() == json.loads(cli.output)
    paths = response.json()["paths"]
    assert paths["current"]["id"] == "it-support"
    assert 2 <= len(paths["moves"]) <= 4
    assert {"technical-specialist", "product-manager"} <= {m["to"] for m in paths["moves"]}
    assert post_json(client, {"text": IT_SUPPORT, "top": 3}).json()["paths"] is None  # off by default


@pytest.mark.parametrize("text", [IT_SUPPORT, HYBRID], ids=["it-support", "hybrid"])
def test_path_quotes_are_verbatim_at_their_offsets(client, corpus, text):
    files = {f"articles/{a.path.name}": a.text for a in corpus.articles.values()}
    paths = post_json(client, {"text": text, "top": 3, "quotes": 0, "paths": True}).json()["paths"]
    assert len(paths["moves"]) <= 4 and all(m["reason"] and m["requires"] for m in paths["moves"])
    assert (paths["hybrid"] is not None) == (text is HYBRID)  # a domain expert turned product lead
    quotes = list(_article_quotes(paths))
    assert quotes
    for quote in quotes:
        assert files[quote["source"]][quote["start"] : quote["end"]] == quote["text"]
        assert quote["title"]
    for strength in (s for m in paths["moves"] for s in m["strengths"]):
        evidence = strength["evidence"]
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_top_is_capped_at_the_catalog_size(client, real_matcher):
    roles = post_json(client, {"text": BIO, "top": 50, "quotes": 0}).json()["roles"]
    assert len(roles) == len(real_matcher.corpus.roles)
    assert all(r["quotes"] == [] for r in roles)


@pytest.mark.parametrize(
    ("text", "says"),
    [("", "empty"), ("   \n\t ", "empty"), ("#### 1234 !!!! ----", "letters"), ("x" * 210_000, "200,000")],
)
def test_bad_text_is_422_with_the_textproc_message(client, text, says):
    response = post_json(client, {"text": text})
    assert response.status_code == 422
    assert says in response.json()["detail"]


def test_body_over_one_megabyte_is_413(client):
    response = post_json(client, {"text": "word " * 250_000})
    assert response.status_code == 413
    assert "1,000,000 bytes" in response.json()["detail"]


def test_streamed_body_over_the_limit_is_413_too(client):
    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'{"text": "'
        for _ in range(20):
            yield b"resume " * 10_000
        yield b'"}'

    response = client.post("/api/match", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"text=hello", "application/x-www-form-urlencoded"), (b"I run launches.", "text/plain"), (b"{}", "")],
)
def test_wrong_content_type_is_415_with_what_to_send(client, content, content_type):
    response = client.post("/api/match", content=content, headers={"content-type": content_type})
    assert response.status_code == 415
    detail = response.json()["detail"]
    assert "application/json" in detail and '"text"' in detail


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"text": "unterminated', "not valid JSON"),
        (b"[1, 2]", "text"),
        (b'{"txt": "I run launches."}', "'text' is missing"),
        (b'{"text": 42}', "valid string"),
        (b'{"text": "I run launches.", "top": 0}', "top"),
        (b'{"text": "I run launches.", "quotes": 9}', "quotes"),
    ],
)
def test_malformed_requests_are_422_with_a_sentence(client, body, says):
    response = client.post("/api/match", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert says in detail and "send JSON like" in detail
    assert "unterminated" not in json.dumps(response.json()["errors"])  # values are not echoed back


def test_concurrent_requests_get_their_own_correct_answers(real_matcher):
    import httpx

    from matcher.web import create_app
    from matcher.web.server import BackgroundServer

    texts = [
        BIO,
        "Network administrator: I look after 400 laptops, the help desk queue and first-line tickets.",
        "Backend engineer writing Go services, code reviews and on-call for our payments API.",
        "Partner at an early-stage venture fund; I source deals and sit on six boards.",
    ] * 4
    expected = [json.loads(json.dumps(real_matcher.match(t, top=3).to_dict())) for t in texts]
    with BackgroundServer(create_app(real_matcher)) as url, ThreadPoolExecutor(8) as pool:

        def ask(text):
            return httpx.post(f"{url}/api/match", json={"text": text, "top": 3}, timeout=60)

        responses = list(pool.map(ask, texts))
    assert [r.status_code for r in responses] == [200] * len(texts)
    assert [r.json() for r in responses] == expected


# ------------------------------------------------------------------------------------- catalog, health, docs


def test_roles_is_the_cli_catalog(client, corpus):
    cli = CliRunner().invoke(main, ["roles", "--format", "json"], catch_exceptions=False)
    response = client.get("/api/roles")
    assert response.status_code == 200
    assert response.json() == json.loads(cli.output)
    assert {r["id"] for r in response.json()} == set(corpus.role_ids)


def test_healthz_reports_the_model_version(client, real_matcher):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "model_version": real_matcher.model_version,
        "roles": len(real_matcher.corpus.roles),
    }


def test_openapi_and_local_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/match", "/api/batch", "/api/roles", "/healthz"} <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs.js" in docs.text
    assert client.get("/redoc").status_code == 404


def test_page_and_its_assets_load_nothing_from_outside():
    external = re.compile(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import|"""
        r"""fetch\(\s*["'](?:https?:)?//""",
        re.I,
    )
    for path in STATIC.iterdir():
        if path.suffix in {".html", ".css", ".js"}:
            assert not external.search(path.read_text()), f"{path.name} refers to another origin"
    js = (STATIC / "app.js").read_text() + (STATIC / "docs.js").read_text()
    assert not re.search(r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write", js)


def test_security_headers_and_no_cors(client):
    for response in (
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/healthz"),
        post_json(client, {"text": ""}),
    ):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    cross = post_json(client, {"text": BIO}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in cross.headers
    preflight = client.options(
        "/api/match", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_no_resume_text_reaches_the_logs(client, caplog):
    marker = "Zanzibarquokka"
    with caplog.at_level("DEBUG"):
        post_json(client, {"text": f"{marker} runs product launches for a SaaS tool."})
        post_json(client, {"text": f"{marker} " + "#" * 500})
        broken = f'{{"text": "{marker}'.encode()
        client.post("/api/match", content=broken, headers={"content-type": "application/json"})
    assert marker not in caplog.text


# ---------------------------------------------------------------------------------------------- /api/batch


def test_batch_scores_a_small_csv_with_an_empty_row(client, real_matcher):
    if not hasattr(real_matcher, "score_frame"):
        pytest.skip(NO_BATCH)
    csv = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "bio": [BIO, "", "Backend engineer writing Go services and reviewing code."],
        }
    ).to_csv(index=False)
    response = client.post(
        "/api/batch",
        files={"file": ("people.csv", csv.encode(), "text/csv")},
        data={"text_column": "bio", "top": "2"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    scored = pd.read_csv(io.StringIO(response.text), dtype=str, keep_default_na=False)
    assert list(scored["id"]) == ["a", "b", "c"]
    expected = real_matcher.score_frame(
        pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False), text_column="bio", top=2
    )
    assert list(scored.columns) == list(expected.columns)


def test_batch_reports_a_missing_column(client, real_matcher):
    if not hasattr(real_matcher, "score_frame"):
        pytest.skip(NO_BATCH)
    response = client.post("/api/batch", files={"file": ("p.csv", b"id,name\n1,Ann\n", "text/csv")})
    assert response.status_code == 422
    assert "column 'text' not found; columns are: id, name" in response.json()["detail"]


def test_rank_sorts_a_semicolon_upload_and_names_unknown_roles(client):
    csv = f'id;bio\na;"{IT_SUPPORT}"\nb;"{BIO}"\nc;\n'.encode()
    files = {"file": ("people.csv", csv, "text/csv")}
    response = client.post(
        "/api/rank", files=files, data={"role": "product-marketing-manager", "text_column": "bio"}
    )
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    ranked = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str, keep_default_na=False)
    assert list(ranked["id"]) == ["b", "a", "c"] and ranked["status"].iloc[-1] == "error"
    as_json = client.post(
        "/api/rank", files=files, data={"role": "it-support", "text_column": "bio", "format": "json"}
    )
    assert [r["id"] for r in as_json.json()][0] == "a"
    bad = client.post("/api/rank", files=files, data={"role": "product-marketer", "text_column": "bio"})
    assert bad.status_code == 422 and "did you mean 'product-marketing-manager'?" in bad.json()["detail"]


TEACHER = (
    "High school mathematics teacher for 11 years. I plan lessons, mark exams and run the maths club.\n"
    "I also coach the debate team and write reports for parents.\n"
)


def test_a_plain_resume_posted_to_batch_is_422_not_a_table_and_never_echoed(client, caplog):
    """`curl -F file=@teacher.txt .../api/batch`: the first line of the resume is not a column name: the
    answer says what a table is and where one resume goes, and holds none of the resume's words."""
    for endpoint, form in (("/api/batch", {}), ("/api/rank", {"role": "it-support"})):
        response = client.post(endpoint, files={"file": ("teacher.txt", TEACHER.encode())}, data=form)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail.startswith("teacher.txt is not a table with a header row")
        assert "(.csv, .tsv, .xlsx, .jsonl or .parquet)" in detail
        assert "One resume goes to POST /api/match, or paste it on the page" in detail
        assert "mathematics" not in detail and "columns are" not in detail
    assert "mathematics" not in caplog.text
