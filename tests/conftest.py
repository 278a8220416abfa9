"""Shared fixtures: a fast fake-embedder matcher built in a temp folder, and the real model (once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def rolematch_cache(tmp_path_factory):
    """The int8 encoder (the default backend) unpacks to a session folder, not to ~/.cache."""
    before = os.environ.get("ROLEMATCH_CACHE")
    os.environ["ROLEMATCH_CACHE"] = str(tmp_path_factory.mktemp("rolematch-cache"))
    yield Path(os.environ["ROLEMATCH_CACHE"])
    if before is None:
        os.environ.pop("ROLEMATCH_CACHE", None)
    else:
        os.environ["ROLEMATCH_CACHE"] = before


@pytest.fixture(scope="session")
def corpus():
    from matcher.corpus import load_corpus

    return load_corpus(ROOT / "corpus")


@pytest.fixture(scope="session")
def fake_embedder():
    from matcher.embed.fake import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture(scope="session")
def fake_models(tmp_path_factory, fake_embedder) -> Path:
    """Artifacts built with the fake embedder (index and classifier) in a session temp folder."""
    from matcher.build import build

    models = tmp_path_factory.mktemp("fake-models")
    build(models_dir=models, backend="fake", embedder=fake_embedder)
    return models


@pytest.fixture(scope="session")
def fake_matcher(fake_models, fake_embedder):
    from matcher import RoleMatcher

    return RoleMatcher.load(models_dir=fake_models, backend="fake", embedder=fake_embedder)


@pytest.fixture(scope="session")
def real_embedder():
    from matcher.embed import load_embedder

    return load_embedder("minilm")


@pytest.fixture(scope="session")
def real_matcher(real_embedder):
    """The committed artifacts in models/ with the real MiniLM model, loaded once per session."""
    from matcher import RoleMatcher

    return RoleMatcher.load(embedder=real_embedder)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "resumes_kaggle.csv").is_file():
        pytest.skip(
            f"evaluation data not found at {SHARED_DATA} (it sits beside the checkout as shared/data)"
        )
    return SHARED_DATA
