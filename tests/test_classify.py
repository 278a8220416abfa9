"""The classifier head and the fused ranker on synthetic clusters (no model)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

from matcher.classify import RoleClassifier
from matcher.rank import DocFeatures, conformal_threshold
from matcher.train import abstain_threshold, fit_ranker, fit_temperature, role_overlap

ROLES = ["r0", "r1", "r2"]


def test_role_classifier_follows_scikit_learn_conventions():
    check_estimator(RoleClassifier())


def test_role_classifier_params_roundtrip():
    clf = RoleClassifier(C=2.0, random_state=3)
    assert clf.get_params()["C"] == 2.0
    assert clf.set_params(C=0.5).C == 0.5


def synthetic(seed=0, n=30, dim=16):
    rng = np.random.default_rng(seed)
    centers = np.eye(dim)[:4] * 3  # three roles + an out-of-scope cluster
    X, labels = [], []
    for k, label in enumerate(ROLES + [None]):
        X.append(centers[k] + rng.normal(size=(n, dim)))
        labels += [label] * n
    X = np.vstack(X).astype(np.float32)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    role_vecs = centers[:3] / 3
    cos = Xn @ role_vecs.T  # (n, 3)
    F = np.repeat(cos[:, :, None], 4, axis=2) + rng.normal(scale=0.05, size=(len(X), 3, 4))
    return DocFeatures(X, F.astype(np.float32), tuple(x[None, :] for x in X)), labels


def test_fused_ranker_ranks_and_abstains_on_held_out_clusters():
    feats, labels = synthetic(0)
    ranker = fit_ranker(feats, labels, ROLES)
    test, lt = synthetic(1)
    scores = ranker.rank(test)
    inside = np.array([x is not None for x in lt])
    truth = np.array([ROLES.index(x) for x in lt if x is not None])
    assert (scores.score[inside].argmax(1) == truth).mean() > 0.9
    assert scores.abstain[~inside].mean() > 0.8 and scores.abstain[inside].mean() < 0.2
    assert np.allclose(scores.conditional.sum(1), 1)
    assert np.allclose(scores.confidence.sum(1), scores.fit)  # confidence counts the chance that none fits
    assert ranker.metrics["oof_scope_auroc"] > 0.9


def test_training_is_deterministic():
    feats, labels = synthetic(0)
    a, b = fit_ranker(feats, labels, ROLES), fit_ranker(feats, labels, ROLES)
    test, _ = synthetic(2)
    assert np.array_equal(a.rank(test).score, b.rank(test).score)


def test_every_chunk_counts_in_the_classifier_probability():
    feats, labels = synthetic(0)
    ranker = fit_ranker(feats, labels, ROLES)
    test, lt = synthetic(3, n=2)
    r0, r2 = lt.index("r0"), lt.index("r2")
    # a document whose whole-text vector looks like r0 but whose second chunk is clearly r2
    doc = DocFeatures(
        test.vectors[[r0]], test.similarity[[r0]], (np.stack([test.vectors[r0], test.vectors[r2]]),)
    )
    alone = ranker.classifier_proba(test.subset([r0]))[0]
    pooled = ranker.classifier_proba(doc)[0]
    assert pooled[2] > alone[2] * 5 and np.isclose(pooled.sum(), 1)


def test_temperature_recovers_the_generating_one():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(4000, 4))
    p = np.exp(logits / 2.0)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(4, p=row) for row in p])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.1)


def test_abstain_threshold_keeps_the_allowed_share_of_in_scope_texts():
    fit = np.linspace(0.0, 1.0, 101)
    t = abstain_threshold(fit, 0.02)
    assert (fit < t).mean() == pytest.approx(0.02, abs=0.01)


def test_conformal_sets_reach_their_coverage_on_fresh_data():
    rng = np.random.default_rng(0)

    def draw(n):
        logits = rng.normal(scale=2, size=(n, 5))
        p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        return p, np.array([rng.choice(5, p=row) for row in p])

    p_cal, y_cal = draw(500)
    t = conformal_threshold(p_cal, y_cal, coverage=0.9)
    p_new, y_new = draw(4000)
    covered = (p_new[np.arange(4000), y_new] >= t).mean()
    assert 0.88 <= covered <= 0.94


def test_weighted_conformal_sets_cover_the_mixture_the_weights_describe():
    """Calibration rows from an easy source (many) and a hard one (few), weighted to equal shares: the
    sets cover a 50/50 mixture; unweighted, the easy rows dominate and the sets under-cover it."""
    rng = np.random.default_rng(1)

    def draw(n, scale):
        logits = rng.normal(scale=scale, size=(n, 5))
        p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        sharp = np.exp(logits * 3) / np.exp(logits * 3).sum(1, keepdims=True)  # over-confident
        return p, np.array([rng.choice(5, p=row) for row in sharp])

    (pe, ye), (ph, yh) = draw(2000, 4.0), draw(200, 0.5)
    p_cal, y_cal = np.vstack([pe, ph]), np.concatenate([ye, yh])
    weights = np.concatenate([np.full(2000, 1 / 2000), np.full(200, 1 / 200)])
    (qe, ze), (qh, zh) = draw(3000, 4.0), draw(3000, 0.5)
    p_new, y_new = np.vstack([qe, qh]), np.concatenate([ze, zh])

    def covered(t):
        return (p_new[np.arange(len(y_new)), y_new] >= t).mean()

    assert 0.88 <= covered(conformal_threshold(p_cal, y_cal, 0.9, weights=weights)) <= 0.95
    assert covered(conformal_threshold(p_cal, y_cal, 0.9)) < 0.87
    equal = conformal_threshold(p_cal, y_cal, 0.9, weights=np.full(len(y_cal), 3.0))
    assert equal == conformal_threshold(p_cal, y_cal, 0.9)  # only relative weights count


def test_fused_ranker_sets_cover_and_are_empty_when_it_abstains():
    feats, labels = synthetic(0, n=100)
    ranker = fit_ranker(feats, labels, ROLES)
    test, lt = synthetic(1, n=300)
    scores = ranker.rank(test)
    assert scores.coverage == 0.9
    assert not scores.in_set[scores.abstain].any()
    kept = np.array([x is not None for x in lt]) & ~scores.abstain  # in scope, and not abstaining
    truth = np.array([ROLES.index(x) for x, k in zip(lt, kept) if k])
    assert scores.in_set[kept][np.arange(kept.sum()), truth].mean() >= 0.87  # target 0.9, finite-sample slack


def test_role_overlap_is_the_shrunk_share_of_texts_where_another_role_is_as_right():
    primary = np.array([0, 0, 0, 1])
    right = [{0, 1}, {0, 1}, {0}, {1}]
    overlap = role_overlap(primary, right, np.ones(4), 3)
    # role 0: 2 of 3 texts also right for role 1, shrunk by one pseudo-text → 2 / 4
    assert overlap[0, 1] == pytest.approx(0.5)
    assert overlap[1, 0] == 0 and overlap[0, 2] == 0 and overlap[2, 2] == 1  # no texts: only the diagonal
    assert np.array_equal(np.diag(overlap), np.ones(3))
    # weights count texts by what they stand for
    weighted = role_overlap(primary, right, np.array([3.0, 0, 1, 1]), 3)
    assert weighted[0, 1] == pytest.approx(3 / (4 + 4 / 3))


def test_a_role_overlapping_the_label_gains_confidence_but_never_passes_the_fit():
    feats, labels = synthetic(0)
    also = [frozenset({"r1"}) if x == "r0" and i % 2 else frozenset() for i, x in enumerate(labels)]
    plain = fit_ranker(feats, labels, ROLES)
    overlapping = fit_ranker(feats, labels, ROLES, also=also)
    assert overlapping.overlap[0, 1] == pytest.approx(15 / 31)  # 15 of 30 r0 texts, one pseudo-text
    test, lt = synthetic(1)
    a, b = plain.rank(test), overlapping.rank(test)
    r0 = np.array([x == "r0" for x in lt])
    assert np.array_equal(a.score, b.score) and np.array_equal(a.fit, b.fit)  # the ranking is the same
    sure = r0 & (b.conditional[:, 0] > 0.9) & (b.fit > 0.9)
    assert sure.sum() > 20  # r1 is right for about half of r0's texts, and it says so:
    assert (b.confidence[sure, 1] > a.confidence[sure, 1] + 0.35).all()
    assert np.allclose(b.confidence[:, 0], a.confidence[:, 0])  # nothing says r0 is right for r1's texts
    assert (b.confidence <= b.fit[:, None] + 1e-12).all()
    assert (b.confidence[b.abstain] <= 0.5).all()


def test_the_fit_is_calibrated_to_the_share_of_texts_that_fit_and_abstains_alike():
    feats, labels = synthetic(0)
    balanced = fit_ranker(feats, labels, ROLES)
    common = fit_ranker(feats, labels, ROLES, in_scope_share=0.9)
    test, _ = synthetic(1)
    a, b = balanced.rank(test), common.rank(test)
    middle = (a.fit > 0.05) & (a.fit < 0.95)
    assert middle.any() and (b.fit[middle] > a.fit[middle]).all()  # where in scope is more common, higher
    assert np.array_equal(np.argsort(a.fit, kind="stable"), np.argsort(b.fit, kind="stable"))  # same order


def test_the_fit_prior_falls_back_to_even_odds_without_texts_that_fit_no_role():
    from matcher.train import own_in_scope_share

    assert own_in_scope_share(np.array([True] * 9 + [False])) == pytest.approx(0.9)
    assert own_in_scope_share(np.array([True] * 99 + [False])) == pytest.approx(0.95)  # kept within bounds
    # a team's CSV of labelled people only: a share of 1 would turn abstention off
    assert own_in_scope_share(np.array([True] * 10)) == 0.5
    assert own_in_scope_share(np.array([], bool)) == 0.5


def test_a_saved_ranker_whose_overlap_does_not_fit_its_roles_is_refused(tmp_path):
    from matcher.fused import read_ranker, save_ranker

    feats, labels = synthetic(0)
    ranker = fit_ranker(feats, labels, ROLES)
    assert np.array_equal(read_ranker(save_ranker(ranker, tmp_path)).overlap, ranker.overlap)
    ranker.overlap = np.eye(4)
    with pytest.raises(ValueError, match="overlap is \\(4, 4\\), not \\(3, 3\\)"):
        read_ranker(save_ranker(ranker, tmp_path))
    ranker.overlap = None  # a ranker saved before overlaps were learned: confidence as before
    assert read_ranker(save_ranker(ranker, tmp_path)).overlap is None


def test_out_of_fold_accuracy_is_reported_per_source():
    """A source whose texts the ranker cannot tell apart shows it in its own out-of-fold figures, not
    averaged away by the sources it gets right."""
    feats, labels = synthetic(0)
    sources = np.array(["clean"] * len(labels), dtype=object)
    rng = np.random.default_rng(5)
    scrambled = rng.choice(np.flatnonzero([x is not None for x in labels]), 15, replace=False)
    noisy = list(labels)
    for i in scrambled:  # labels that do not follow the clusters: unpredictable
        noisy[i] = ROLES[(ROLES.index(labels[i]) + 1) % 3]
        sources[i] = "scrambled"
    metrics = fit_ranker(feats, noisy, ROLES, sources=sources).metrics
    assert metrics["oof_acc1_clean"] > 0.85
    assert metrics["oof_acc1_scrambled"] < 0.3
    assert metrics["oof_acc3_clean"] == 1.0  # three roles: every label is in the top 3
    assert "oof_acc1_clean" not in fit_ranker(feats, labels, ROLES).metrics
