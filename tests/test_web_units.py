"""Web pieces without the model: limits, error answers, timeouts, logging, the serve command."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.errors import InputTextError
from matcher.results import CLEAR_ROLE, SPREAD_NOTE, MatchResult, RoleMatch

fastapi = pytest.importorskip("fastapi", reason="the web extra is not installed (pip install rolematch[web])")


class StubMatcher:
    """Just enough of RoleMatcher for the app: a corpus, a version, and a ``match`` we control."""

    def __init__(self, corpus, delay_s: float = 0.0, error: Exception | None = None) -> None:
        self.corpus = corpus
        self.model_version = "stub"
        self.delay_s = delay_s
        self.error = error
        self.calls = 0
        self.threads: set[str] = set()
        self.paths: list[bool] = []

    def match(self, text, top=5, quotes=3, paths=False):
        self.calls += 1
        self.paths.append(paths)
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        raise InputTextError("stub: no result")


def client_for(matcher, **settings):
    from fastapi.testclient import TestClient

    from matcher.web import WebSettings, create_app

    return TestClient(create_app(matcher, WebSettings(**settings)))


def test_batch_without_a_scorer_is_501_with_what_to_use(corpus):
    response = client_for(StubMatcher(corpus)).post("/api/batch", files={"file": ("a.csv", b"text\nhi\n")})
    assert response.status_code == 501
    assert "POST /api/match" in response.json()["detail"]


def test_a_request_past_its_deadline_is_504(corpus):
    response = client_for(StubMatcher(corpus, delay_s=1.0), timeout_s=0.1).post(
        "/api/match", json={"text": "I run product launches."}
    )
    assert response.status_code == 504
    assert "longer than 0.1 s" in response.json()["detail"]


def test_unexpected_errors_are_500_and_their_messages_stay_out_of_the_logs(corpus, caplog):
    stub = StubMatcher(corpus, error=RuntimeError("secret resume words"))
    with caplog.at_level(logging.DEBUG):
        response = client_for(stub).post("/api/match", json={"text": "I run product launches."})
    assert response.status_code == 500
    assert "RuntimeError" in response.json()["detail"]
    assert "RuntimeError" in caplog.text and "secret resume words" not in caplog.text


def test_model_calls_run_on_one_thread(corpus):
    stub = StubMatcher(corpus)
    client = client_for(stub)
    for _ in range(3):
        assert client.post("/api/match", json={"text": "x"}).status_code == 422
    assert stub.calls == 3 and len(stub.threads) == 1


def test_paths_is_off_by_default_passed_through_and_documented(corpus):
    stub = StubMatcher(corpus)
    client = client_for(stub)
    client.post("/api/match", json={"text": "x"})
    client.post("/api/match", json={"text": "x", "paths": True})
    assert stub.paths == [False, True]
    bad = client.post("/api/match", json={"text": "x", "paths": [1]})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("paths:")
    field = client.get("/openapi.json").json()["components"]["schemas"]["MatchRequest"]["properties"]["paths"]
    assert field["type"] == "boolean" and field["default"] is False
    assert "next moves" in field["description"]


def test_settings_are_validated():
    from matcher.web import WebSettings

    with pytest.raises(ValueError, match="timeout_s must be a positive number"):
        WebSettings(timeout_s=0)


def test_validation_message_names_the_field_and_the_fix():
    from matcher.web.errors import validation_message

    message = validation_message(
        [{"type": "missing", "loc": ("body", "text"), "msg": "Field required"}], "/api/match"
    )
    assert message.startswith("the field 'text' is missing; send JSON like")


def test_access_log_drops_query_strings():
    from matcher.web.server import DropQueryString

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/roles?q=my+resume", "1.1", 200),
        None,
    )
    assert DropQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /api/roles HTTP/1.1" 200'


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"id,name\n1,Ann\n", "column 'text' not found; columns are: id, name"),
        (b"text\n", "has a header but no data rows"),
        (b"text\n" + b"a resume\n" * 5, "at most 3"),
    ],
)
def test_upload_errors_say_what_to_fix(data, says):
    from matcher.web.tables import read_upload

    with pytest.raises(InputTextError, match=says):
        read_upload(data, "p.csv", "text", max_rows=3)


def test_an_unclosed_quote_is_one_error_row_not_an_unreadable_upload():
    from matcher.web.tables import read_upload

    chunk = next(read_upload(b'text\nfine\n"unclosed\n', "p.csv", "text", max_rows=3).chunks)
    assert chunk.problems[0] is None and "unclosed quote" in chunk.problems[1]


def free_port() -> int:
    from matcher.web.server import bind_socket

    with bind_socket("127.0.0.1", 0) as sock:
        return sock.getsockname()[1]


class WarmStub(StubMatcher):
    def match(self, text, top=5, quotes=3, paths=False):
        self.calls += 1


def test_serve_binds_to_localhost_and_says_so(monkeypatch, corpus):
    calls = []
    stub = WarmStub(corpus)
    monkeypatch.setattr("matcher.cli.serve_cmd.load_matcher", lambda models, backend: stub)
    monkeypatch.setattr("matcher.web.server.serve", lambda app, **kw: calls.append(kw))
    port = free_port()
    out = CliRunner().invoke(main, ["serve", "--port", str(port)], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert f"serving on http://127.0.0.1:{port}" in out.output and "this machine only" in out.output
    assert calls == [{"host": "127.0.0.1", "port": port, "access_log": True}]
    assert stub.calls == 1  # warmed up before serving


def test_serve_warns_when_bound_beyond_localhost(monkeypatch, corpus):
    monkeypatch.setattr("matcher.cli.serve_cmd.load_matcher", lambda models, backend: WarmStub(corpus))
    monkeypatch.setattr("matcher.web.server.serve", lambda app, **kw: None)
    out = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--port", str(free_port())], catch_exceptions=False
    )
    assert "WARNING" in out.output and "no authentication" in out.output


def test_serve_says_when_the_port_is_taken(monkeypatch):
    from matcher.web.server import bind_socket

    monkeypatch.setattr("matcher.cli.serve_cmd.load_matcher", lambda *a: pytest.fail("loaded the model"))
    with bind_socket("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        out = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert out.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in out.output and "--port" in out.output


@pytest.mark.parametrize("with_file", [True, False])
def test_a_multipart_match_with_a_text_field_is_422_not_a_silently_dropped_text(corpus, with_file):
    stub = StubMatcher(corpus)
    part = ("file", ("cv.txt", b"I run the help desk.")) if with_file else ("notes", ("n.txt", b""))
    form = {"text": "Secret Person: nurse on a surgical ward", "top": "3"}  # notes: keeps it multipart
    response = client_for(stub).post("/api/match", files=dict([part]), data=form)
    assert response.status_code == 422 and stub.calls == 0
    detail = response.json()["detail"]
    found = "both a file and a text field" if with_file else "a text field"
    assert detail.startswith(f"the form has {found}; send one or the other: a resume file as multipart")
    assert '{"text": "..."}' in detail and "Secret" not in detail and "nurse" not in detail


def test_the_page_says_the_spread_line_as_the_cli_does():
    """The page fills the same template (``results.SPREAD_NOTE``) under the same threshold; with node, its
    ``spreadLine`` is run on the cases the CLI's ``MatchResult.spread_line`` answers."""
    js = (Path(__file__).resolve().parents[1] / "matcher" / "web" / "static" / "app.js").read_text()
    assert f"const SPREAD_NOTE = {json.dumps(SPREAD_NOTE)};" in js
    assert f"const CLEAR_ROLE = {CLEAR_ROLE};" in js
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the template and the threshold are checked, not the function")
    code = re.search(r"  const CLEAR_ROLE.*?\.toFixed\(2\)\);\n", js, re.S)
    assert code is not None, "spreadLine is no longer where this test looks for it"
    cases = [
        (0.27, 0.5361, False),
        (0.4999, 0.999, False),
        (0.5, 0.9, False),
        (0.9, 0.95, False),
        (0.3, 0.4, True),
    ]
    results = [
        MatchResult(
            roles=(RoleMatch("a", "A", 0.5, confidence, 0.5, None, False),),
            fit=fit,
            abstain=abstain,
            model_version="v",
            n_sentences=1,
            n_chunks=1,
        )
        for confidence, fit, abstain in cases
    ]
    script = (
        code.group(0)
        + f"console.log(JSON.stringify({json.dumps([r.to_dict() for r in results])}.map(spreadLine)));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out) == [r.spread_line for r in results]
    assert [line is not None for line in json.loads(out)] == [True, True, False, False, False]
