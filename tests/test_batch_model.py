"""Batch scoring with the real models: MiniLM quotes are verbatim, and the static fast path works."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from matcher.batch import run_batch

pytestmark = pytest.mark.model

STATIC = ROOT / "models" / "static"
QUOTE = re.compile(r"^“(?P<text>.*)” \((?P<source>articles/[^:]+):(?P<start>\d+)-(?P<end>\d+)\)$", re.S)
BIOS = [
    "I spent six years running go-to-market launches and writing case studies for a SaaS product, "
    "and I work with sales on enablement and messaging.",
    "Senior backend engineer: Go and Python services, code reviews, on-call and CI pipelines.",
    "I lead the IT service desk: tickets, laptops, accounts and onboarding for 400 employees.",
    "",
]
needs_static = pytest.mark.skipif(
    not (STATIC / "manifest.json").is_file(),
    reason="models/static is not built (rolematch build --backend static)",
)


def assert_quotes_are_verbatim(frame: pd.DataFrame, top: int) -> int:
    checked = 0
    for i in range(1, top + 1):
        for cell in frame.loc[frame["status"] == "ok", f"quote_{i}"]:
            match = QUOTE.match(cell)
            assert match, cell
            article = (ROOT / "corpus" / match["source"]).read_text(encoding="utf-8")
            assert article[int(match["start"]) : int(match["end"])] == match["text"]
            checked += 1
    return checked


def test_minilm_csv_quotes_are_verbatim_passages_of_the_articles(real_matcher, tmp_path):
    source = tmp_path / "people.csv"
    pd.DataFrame({"id": ["p", "e", "s", "x"], "bio": BIOS}).to_csv(source, index=False)
    run_batch(str(source), tmp_path / "out.csv", text_column="bio", matcher=real_matcher, top=3)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["status"]) == ["ok", "ok", "ok", "error"]
    assert list(out["role_1"].iloc[:3]) == ["product-marketing-manager", "software-engineer", "it-support"]
    assert assert_quotes_are_verbatim(out, 3) == 9


@needs_static
def test_static_model_is_small_licensed_and_consistent():
    from matcher.embed.static import StaticEmbedder

    folder = STATIC / "model2vec"
    assert sum(f.stat().st_size for f in folder.iterdir()) < 10 * 2**20
    assert "Apache License, Version 2.0" in (folder / "NOTICE").read_text()
    embedder = StaticEmbedder()
    text = "I run launches.\nI write specs for engineers."
    chunks, spans = embedder.encode_spans([text], [[(0, 15), (16, len(text))]])
    assert np.allclose(chunks, embedder.encode([text]), atol=1e-6)
    assert np.allclose(
        spans[0], embedder.encode(["I run launches.", "I write specs for engineers."]), atol=1e-6
    )
    assert np.allclose(np.linalg.norm(spans[0], axis=1), 1.0, atol=1e-5)


@needs_static
def test_fast_cli_scores_with_the_static_model(tmp_path):
    from matcher.cli import main

    source = tmp_path / "people.csv"
    pd.DataFrame({"id": ["p", "e", "s", "x"], "bio": BIOS}).to_csv(source, index=False)
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(source),
            "--text-column",
            "bio",
            "--fast",
            "--top",
            "2",
            "-o",
            str(tmp_path / "out.csv"),
        ],
    )
    assert result.exit_code == 3, result.output  # the empty bio fails: exit status 3
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["status"]) == ["ok", "ok", "ok", "error"]
    assert out["role_1"].iloc[0] == "product-marketing-manager"
    assert assert_quotes_are_verbatim(out, 2) == 6
