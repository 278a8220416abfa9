"""Artifacts: save → load gives identical scores; stale, corrupt or tampered files are refused."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from matcher import RoleMatcher
from matcher.build import build
from matcher.errors import ArtifactError

BIO = "I run go-to-market launches, positioning and case studies for a B2B SaaS product."


@pytest.fixture()
def models_copy(tmp_path, fake_models):
    copy = tmp_path / "models"
    shutil.copytree(fake_models, copy)
    return copy


def load(models, embedder):
    return RoleMatcher.load(models_dir=models, backend="fake", embedder=embedder)


def test_save_then_load_gives_identical_scores(fake_matcher, models_copy, fake_embedder):
    again = load(models_copy, fake_embedder)
    a, b = fake_matcher.match(BIO, top=14), again.match(BIO, top=14)
    assert [r.id for r in a.roles] == [r.id for r in b.roles]
    assert np.allclose([r.score for r in a.roles], [r.score for r in b.roles], atol=0)
    assert a.model_version == b.model_version != "unversioned"


def test_rebuild_is_reproducible(tmp_path, fake_models, fake_embedder):
    out = tmp_path / "again"
    build(models_dir=out, backend="fake", embedder=fake_embedder)
    for name in (
        "role_vectors.npy",
        "passage_vectors.npy",
        "grounding.npy",
        "passages.json",
        "ranker.npz",
    ):
        assert (out / name).read_bytes() == (fake_models / name).read_bytes(), name


@pytest.mark.parametrize("name", ["passage_vectors.npy", "ranker.npz", "passages.json"])
def test_tampered_file_is_refused(models_copy, fake_embedder, name):
    path = models_copy / name
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=f"{name} is corrupt or was modified.*rolematch build"):
        load(models_copy, fake_embedder)


def test_missing_manifest_and_missing_file_are_refused(models_copy, fake_embedder):
    (models_copy / "grounding.npy").unlink()
    with pytest.raises(ArtifactError, match="grounding.npy is missing"):
        load(models_copy, fake_embedder)
    (models_copy / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match="manifest.json is missing.*rolematch build"):
        load(models_copy, fake_embedder)


def test_stale_corpus_and_other_model_are_refused(models_copy, fake_embedder):
    manifest = json.loads((models_copy / "manifest.json").read_text())
    manifest["corpus_sha256"] = "0" * 64
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="different corpus"):
        load(models_copy, fake_embedder)
    manifest["model"]["version"] = "other"
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="was built with .* other"):
        load(models_copy, fake_embedder)


def test_future_format_version_is_refused(models_copy, fake_embedder):
    manifest = json.loads((models_copy / "manifest.json").read_text())
    manifest["format_version"] = 99
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="format version 99"):
        load(models_copy, fake_embedder)


def test_index_built_with_other_grounding_is_refused(models_copy, fake_embedder):
    import numpy as np

    from matcher.persist import read_manifest, sha256_file, write_manifest

    grounding = np.load(models_copy / "grounding.npy")
    grounding[0] = 1 - grounding[0]
    np.save(models_copy / "grounding.npy", grounding)
    manifest = read_manifest(models_copy)
    manifest["files"]["grounding.npy"] = sha256_file(models_copy / "grounding.npy")
    write_manifest(models_copy, manifest)
    with pytest.raises(ArtifactError, match="other passages or role grounding"):
        load(models_copy, fake_embedder)


def test_which_passages_are_quotable_is_worked_out_at_build_and_load_not_saved(
    fake_matcher, models_copy, fake_embedder
):
    from matcher.explain import quotable_mask
    from matcher.index import build_index

    expected = quotable_mask(fake_matcher.corpus.passages)
    assert np.array_equal(build_index(fake_matcher.corpus, fake_embedder).quotable, expected)
    assert np.array_equal(load(models_copy, fake_embedder).index.quotable, expected)
    assert not expected.all() and "quotable" not in fake_matcher.index.arrays()
    assert not list(models_copy.glob("quotable*"))
