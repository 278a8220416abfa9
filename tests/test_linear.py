"""The ranker without scikit-learn: numpy linear models equal scikit-learn's, and ranker.npz round-trips."""

from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from matcher import RoleMatcher
from matcher.classify import RoleClassifier
from matcher.errors import ArtifactError
from matcher.fused import CLASSIFIER_FILE, FusedRanker, read_ranker, save_ranker
from matcher.linear import LinearModel, from_sklearn

ROOT = Path(__file__).resolve().parents[1]
BIO = "I run go-to-market launches, positioning and case studies for a B2B SaaS product."


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 12))
    y = np.array(["a", "b", "c"])[(X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)]
    return X, y, rng.normal(size=(50, 12)) * 3


def _equal(sk, lin, X):
    assert np.array_equal(sk.classes_, lin.classes_)
    np.testing.assert_allclose(lin.predict_proba(X), sk.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(lin.decision_function(X), sk.decision_function(X), rtol=0, atol=1e-12)
    assert np.array_equal(lin.predict(X), sk.predict(X))


def test_role_classifier_in_numpy_equals_scikit_learn(data):
    X, y, X_test = data
    clf = RoleClassifier().fit(X, y)
    lin = from_sklearn(clf.model_, normalize=True)
    _equal(clf, lin, X_test)
    _equal(clf, lin, X_test.astype(np.float32))  # float32 in: the same dtype path as scikit-learn
    _equal(clf, lin, np.zeros((2, 12)))  # zero rows are left as they are, not divided by 0


@pytest.mark.parametrize(
    "model", [LogisticRegression(C=0.1, max_iter=3000), LogisticRegressionCV(Cs=[0.1, 1.0], max_iter=2000)]
)
def test_scaled_binary_pipelines_in_numpy_equal_scikit_learn(data, model):
    X, y, X_test = data
    pipe = make_pipeline(StandardScaler(), model).fit(X * 50 + 7, y == "a")
    lin = from_sklearn(pipe)
    assert lin.decision_function(X_test).shape == (len(X_test),)
    _equal(pipe, lin, X_test * 50 + 7)
    _equal(pipe, lin, X_test * 1e4)  # saturated probabilities stay finite and equal


def test_a_model_that_is_not_linear_is_refused():
    from sklearn.tree import DecisionTreeClassifier

    with pytest.raises(TypeError, match="expected a fitted LogisticRegression"):
        from_sklearn(DecisionTreeClassifier().fit([[0], [1]], [0, 1]))
    lin = LinearModel(np.array([0, 1]), np.ones((1, 3)), np.zeros(1))
    with pytest.raises(ValueError, match="X has 2 features, the model expects 3"):
        lin.predict_proba(np.ones((1, 2)))


def test_the_fused_ranker_scores_the_same_in_numpy_as_in_scikit_learn(
    corpus, fake_embedder, fake_matcher, tmp_path
):
    """Fitted with scikit-learn, saved, read back as numpy models: the same scores to 1e-12."""
    from matcher.examples import load_examples
    from matcher.train import featurize, fit_ranker

    data = load_examples(ROOT / "corpus" / "examples", corpus.role_ids)
    data = data[data["split"] == "train"]
    feats = featurize(fake_embedder, fake_matcher.index, data["text"].tolist())
    fitted = fit_ranker(feats, data["role"].tolist(), corpus.role_ids)
    loaded = read_ranker(save_ranker(fitted, tmp_path))
    assert not hasattr(loaded.scope, "steps") and isinstance(loaded.scope, LinearModel)
    held = featurize(fake_embedder, fake_matcher.index, [BIO, "hello", "Head chef: menus and kitchen staff."])
    for feats_ in (feats, held):
        a, b = fitted.rank(feats_), loaded.rank(feats_)
        for name in ("score", "confidence", "conditional", "classifier", "fit"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=0, atol=1e-12, err_msg=name)
        assert np.array_equal(a.abstain, b.abstain) and np.array_equal(a.in_set, b.in_set)


def test_the_saved_ranker_round_trips_byte_for_byte(fake_matcher, fake_models, tmp_path):
    """fake_models was trained with scikit-learn and saved; the loaded ranker is numpy alone."""
    loaded = fake_matcher.ranker
    assert isinstance(loaded, FusedRanker) and isinstance(loaded.fusion, LinearModel)
    again = read_ranker(save_ranker(loaded, tmp_path))
    assert (tmp_path / CLASSIFIER_FILE).read_bytes() == (fake_models / CLASSIFIER_FILE).read_bytes()
    for f in dataclasses.fields(FusedRanker):
        a, b = getattr(loaded, f.name), getattr(again, f.name)
        if isinstance(a, LinearModel):
            assert all(np.array_equal(a.arrays()[k], b.arrays()[k]) for k in a.arrays())
        elif isinstance(a, np.ndarray):
            assert np.array_equal(a, b) and a.dtype == b.dtype, f.name
        else:
            assert a == b and type(a) is type(b), f.name


def test_every_dataclass_field_is_saved_whatever_it_holds(fake_matcher, tmp_path):
    """A field added later (a float, None, a frozenset, a dict) round-trips with no change here."""
    base = fake_matcher.ranker
    extended = dataclasses.make_dataclass(
        "Extended", [("new_scale", float, 0.0), ("new_bias", "float | None", None)], bases=(FusedRanker,)
    )
    kwargs = {f.name: getattr(base, f.name) for f in dataclasses.fields(FusedRanker)}
    ranker = extended(**kwargs, new_scale=np.float64(1.25), new_bias=None)
    ranker.drop = frozenset({"titles", "backbone"})
    with zipfile.ZipFile(save_ranker(ranker, tmp_path)) as zf:
        fields = json.loads(zf.read("meta.json"))["fields"]
    assert fields["new_scale"] == {"kind": "json", "value": 1.25}
    assert fields["new_bias"] == {"kind": "json", "value": None}
    assert fields["drop"] == {"kind": "frozenset", "value": ["backbone", "titles"]}
    assert fields["metrics"]["value"] == json.loads(json.dumps(base.metrics))
    # this rolematch's FusedRanker has no such fields: it refuses rather than drop them
    with pytest.raises(ValueError, match="does not know .*new_bias, new_scale"):
        read_ranker(tmp_path / CLASSIFIER_FILE)


def test_matching_loads_no_pickle_and_an_old_artifact_names_the_fix(fake_models, fake_embedder, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(fake_models, models)
    assert not list(models.glob("*.joblib"))
    manifest = json.loads((models / "manifest.json").read_text())
    manifest["format_version"] = 2
    (models / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(
        ArtifactError, match=r"format version 2, this rolematch reads 3.*run `rolematch build"
    ):
        RoleMatcher.load(models_dir=models, backend="fake", embedder=fake_embedder)


def test_a_corrupt_ranker_file_with_a_matching_hash_is_refused(fake_models, fake_embedder, tmp_path):
    from matcher import persist

    models = tmp_path / "models"
    shutil.copytree(fake_models, models)
    (models / CLASSIFIER_FILE).write_bytes(b"not a zip")
    manifest = json.loads((models / "manifest.json").read_text())
    manifest["files"][CLASSIFIER_FILE] = persist.sha256_file(models / CLASSIFIER_FILE)
    (models / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="cannot be read: not a rolematch ranker file.*rolematch build"):
        RoleMatcher.load(models_dir=models, backend="fake", embedder=fake_embedder)
    assert fake_matcher_scores_are_finite(fake_models, fake_embedder)


def fake_matcher_scores_are_finite(models, embedder) -> bool:
    result = RoleMatcher.load(models_dir=models, backend="fake", embedder=embedder).match(BIO, top=3)
    return all(np.isfinite(r.score) and 0 <= r.confidence <= result.fit + 1e-12 for r in result.roles)
