"""The page in a real headless Chromium (Debian's), against a live server with the real model.

Skips with the reason when Chromium or Playwright is missing (``apt-get install chromium``).
Screenshots land in tests/artifacts/ (git-ignored) for a human look.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from matcher.results import percent

pytestmark = [pytest.mark.browser, pytest.mark.model]

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BIO = (
    "Senior product marketing manager at a B2B SaaS company. I own positioning and messaging for our "
    "analytics product, run go-to-market launches with product and sales, and write the case studies, "
    "battlecards and launch emails.\n\nBefore that I spent three years in sales enablement, training account "
    "executives on new features and competitive objections. I track win rates and pipeline from launches."
)
IT_SUPPORT = (
    "Second line IT support engineer. I resolve ServiceNow incidents within SLA, manage Active Directory "
    "accounts and Microsoft 365 licences, and look after 300 laptops.\n\nI handle third-line escalations for "
    "our ERP system, write SQL queries against its database to fix data issues, and document fixes in the "
    "knowledge base. I turn patterns in support tickets into bug reports for the product team."
)
OUT_OF_SCOPE = (
    "Head chef at a seafood restaurant on the harbour. I plan the menu around what the day boats land, "
    "fillet and prep the fish, run the pass during service and train our apprentices in knife skills."
)
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> I manage product roadmaps.'


def _chromium() -> str:
    path = os.environ.get("ROLEMATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.skip("Chromium not found (apt-get install -y chromium chromium-driver; .ci/run does this)")
    return path


@pytest.fixture(scope="module")
def live_url(real_matcher):
    from matcher.web import create_app
    from matcher.web.server import BackgroundServer

    with BackgroundServer(create_app(real_matcher)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing (pip install playwright)"
    )
    executable = _chromium()
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken or mismatched Chromium: say so instead of failing obscurely
            pytest.skip(f"Chromium at {executable} could not be started by Playwright: {exc}")
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_url):
    """A fresh page that records every request URL and console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests, page.console_errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.goto(live_url)
    yield page
    context.close()


def _assert_local_only(page, live_url: str) -> None:
    outside = [url for url in page.requests if not url.startswith(live_url)]
    assert not outside, f"the page requested other origins: {outside}"
    assert not page.console_errors, page.console_errors


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, animations="disabled")


def test_pasting_a_bio_shows_ranked_roles_with_quotes_and_highlighted_sentences(page, live_url):
    page.fill("#resume", BIO)
    page.click("#match-button")
    page.wait_for_selector(".role-card")
    cards = page.locator(".role-card")
    assert cards.count() == 5
    first = cards.nth(0)
    assert first.locator(".role-title").inner_text().strip()
    assert first.locator(".confidence-value").inner_text().endswith("%")
    quotes = first.locator(".quote-text")
    assert quotes.count() >= 1 and len(quotes.nth(0).inner_text()) > 20
    assert first.locator(".quote-title").nth(0).inner_text().strip()
    marked = first.locator(".yours-text mark").nth(0).inner_text()
    assert marked and marked.split()[0] in BIO
    assert "confidence" in page.locator("#live-status").inner_text()
    _screenshot(page, "web-desktop.png")
    _assert_local_only(page, live_url)


def test_phone_width_keyboard_only(browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.goto(live_url)
    page.focus("#resume")
    page.keyboard.insert_text(BIO)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".role-card")
    assert page.locator("#where-next").is_visible()
    assert page.evaluate("document.activeElement.id") == "results", "focus stayed in the text box"
    _wait_until(page, "document.getElementById('results').getBoundingClientRect().top < innerHeight / 2")
    assert "confidence" in page.locator("#live-status").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    _screenshot(page, "web-phone.png")
    context.close()


def test_where_next_shows_moves_from_it_support_with_article_quotes(page, live_url, corpus):
    page.fill("#resume", IT_SUPPORT)
    page.click("#match-button")
    page.wait_for_selector(".move-card")
    section = page.locator("#where-next")
    assert section.locator("h2").inner_text() == "Where next"
    assert "IT Support" in section.locator("#where-now strong").inner_text()
    moves = section.locator(".move-card")
    titles = [t.strip() for t in moves.locator(".move-title").all_inner_texts()]
    wanted = {"Technical Specialist", "Product Manager"}
    assert 2 <= len(titles) <= 4 and wanted & set(titles), titles
    card = moves.nth(next(i for i, t in enumerate(titles) if t in wanted))
    assert len(card.locator(".move-reason").inner_text()) > 20
    assert card.locator(".chips li").count() >= 1
    details = card.locator("details.move-why")
    if details.get_attribute("open") is None:  # keyboard only: focus the summary, Enter opens it
        card.locator("summary").focus()
        page.keyboard.press("Enter")
    quote = card.locator(".sources .quote-text").nth(0)
    assert quote.is_visible()
    articles = [a.text for a in corpus.articles.values()]
    assert any(quote.inner_text().strip("“”") in text for text in articles)
    assert card.locator(".sources .quote-title").nth(0).inner_text().strip()
    assert card.locator(".gap .skill").count() >= 1
    marked = section.locator(".strength mark").all_inner_texts()
    assert marked and all(text in IT_SUPPORT for text in marked)
    assert "Where next" in page.locator("#live-status").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "web-paths.png"), animations="disabled")
    _assert_local_only(page, live_url)


@pytest.mark.parametrize("text", [BIO, OUT_OF_SCOPE], ids=["fits", "no-fit"])
def test_each_role_shows_one_number_its_confidence_as_a_bar_and_a_percentage(page, real_matcher, text):
    page.fill("#resume", text)
    page.click("#match-button")
    page.wait_for_selector(".role-card")
    roles = real_matcher.match(text, top=5).roles
    cards = page.locator(".role-card")
    assert cards.count() == len(roles)
    for i, role in enumerate(roles):
        card = cards.nth(i)
        shown = percent(role.confidence)  # the page writes percentages as the CLI does (">99%", "<1%")
        assert card.locator(".confidence-value").inner_text() == shown
        assert card.locator("[role=img]").count() == 1  # one bar
        assert card.locator(".confidence-bar").get_attribute("aria-label") == f"{shown} confidence"
        assert "score" not in " ".join(card.locator(".role-head, .confidence-row").all_inner_texts()).lower()
    widths = [f"{max(1, round(100 * r.confidence))}%" for r in roles]
    _wait_until(
        page,
        f"[...document.querySelectorAll('.confidence-fill')].map(f => f.style.width).join() == {','.join(widths)!r}",
    )
    assert "never above the catalog fit" in page.locator("#summary").inner_text()


def test_out_of_scope_text_shows_no_strong_fit(page):
    page.fill("#resume", OUT_OF_SCOPE)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".role-card")
    assert page.locator("#summary h2").inner_text() == "No strong fit"
    assert page.locator(".role-card.weak").count() == page.locator(".role-card").count()
    _screenshot(page, "web-no-fit.png")


def test_markup_in_a_resume_is_shown_as_text_and_never_runs(page, live_url):
    page.fill("#resume", XSS)
    page.click("#match-button")
    page.wait_for_selector(".role-card")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#results script, #results img").count() == 0
    shown = page.locator("#results mark").all_inner_texts()
    assert any("<script>window.__xss=1</script>" in text for text in shown), shown
    _assert_local_only(page, live_url)


def test_server_error_message_is_shown(page):
    page.fill("#resume", "#### 1234 !!!! ---- ####")
    page.click("#match-button")
    error = page.locator("#form-error")
    error.wait_for(state="visible")
    assert "letters" in error.inner_text()
    assert page.locator(".role-card").count() == 0


def test_file_picker_loads_a_markdown_file(page):
    page.set_input_files(
        "#file-input",
        files=[
            {"name": "cv.md", "mimeType": "text/markdown", "buffer": BIO.encode()},
        ],
    )
    _wait_until(page, "document.querySelector('#resume').value.length > 0")
    assert page.input_value("#resume") == BIO
    assert "words" in page.locator("#resume-count").inner_text()


def test_api_docs_render_offline_from_openapi_json(page, live_url):
    page.goto(f"{live_url}/docs")
    page.wait_for_selector(".endpoint")
    paths = page.locator(".endpoint-head h3").all_inner_texts()
    assert {"/api/match", "/api/batch", "/api/roles", "/healthz"} <= set(paths)
    assert "MatchResult" in page.locator("#schemas").inner_text()
    _screenshot(page, "web-docs.png")
    _assert_local_only(page, live_url)


def test_uploading_a_pdf_matches_it_and_new_input_marks_the_results_out_of_date(page, live_url):
    from filemakers import RESUME, typeset_pdf

    page.set_input_files(
        "#file-input", files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": typeset_pdf()}]
    )
    assert "cv.pdf" in page.locator("#file-chip").inner_text()
    page.click("#match-button")
    page.wait_for_selector(".role-card")
    assert "IT Support" in page.locator("#summary h2").inner_text()
    marked = page.locator(".role-card .yours-text mark").nth(0).inner_text()
    assert marked.split()[0] in RESUME
    assert page.locator("#stale-note").is_hidden()
    page.fill("#resume", BIO)
    assert page.locator("#stale-note").is_visible()
    assert "stale" in page.locator("#results").get_attribute("class")
    page.click("#match-button")
    page.wait_for_selector("#results:not(.stale)", state="attached")
    assert page.locator("#stale-note").is_hidden()
    _screenshot(page, "web-pdf.png")
    _assert_local_only(page, live_url)


def _wait_until(page, expression: str, timeout_s: float = 10.0) -> None:
    """Poll ``expression`` with ``page.evaluate`` (``wait_for_function`` needs eval, which the page's CSP
    forbids), for at most ``timeout_s`` seconds."""
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)
