"""The evaluation metrics on tiny cases where the right numbers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.evaluate import (
    agreement_metrics,
    bootstrap_intervals,
    expected_calibration_error,
    first_hit_ranks,
    joint_calibration_error,
    ranking_metrics,
    scope_metrics,
)

ROLES = ["a", "b", "c"]


def test_first_hit_ranks_use_the_acceptable_set():
    order = np.array([[0, 1, 2], [2, 1, 0], [1, 2, 0]])
    assert first_hit_ranks(order, [{0}, {0}, {2, 0}]).tolist() == [1, 3, 2]
    assert first_hit_ranks(order[:1], [set()]).tolist() == [4]


def test_ranking_metrics_known_values():
    # row 0: right at rank 1; row 1: right at rank 2; row 2: right at rank 3; row 3: acceptable alt at rank 1
    scores = np.array([[0.9, 0.1, 0.0], [0.5, 0.4, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]])
    primary = np.array([0, 1, 2, 2])
    acceptable = [{0}, {1}, {2}, {2, 1}]
    conf = np.array([[1.0, 0, 0], [0.5, 0.5, 0], [0.5, 0.5, 0], [0, 1.0, 0]])
    m = ranking_metrics(scores, conf, primary, acceptable, ROLES)
    assert m["acc@1"] == pytest.approx(0.5)
    assert m["acc@3"] == pytest.approx(1.0)
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 / 3 + 1) / 4)
    assert m["per_role_recall"] == {"a": 1.0, "b": 0.0, "c": 0.5}
    # credited predictions: [a, a, a, c] vs truth [a, b, c, c] → F1 a=2/3·… computed by hand:
    # a: tp1 fp2 fn0 → 0.5; b: 0; c: tp1 fp0 fn1 → 2/3
    assert m["macro_f1"] == pytest.approx((0.5 + 0 + 2 / 3) / 3)
    # top-1 confidences 1.0 (right), 0.5 (wrong), 0.5 (wrong), 1.0 (right) → ECE = 0.5·|0-0.5| + 0.5·|1-1| = 0.25
    assert m["ece"] == pytest.approx(0.25)
    assert m["top_confusions"] == ["b → a: 1", "c → a: 1"]


def _ranks_and_confidence(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ranks = rng.choice([1, 1, 1, 2, 3, 5], size=n)
    return ranks, np.clip(np.where(ranks == 1, 0.8, 0.4) + rng.normal(0, 0.1, n), 0, 1)


def test_bootstrap_intervals_hold_the_figure_and_narrow_with_more_rows():
    ranks, conf = _ranks_and_confidence(120)
    small = bootstrap_intervals(ranks, conf)
    assert set(small) == {"acc@1", "acc@3", "mrr", "ece"}
    assert len(small["ece"]) == 1 and 0 < small["ece"][0] < 0.1  # a spread, not an interval
    for key, value in (
        ("acc@1", (ranks == 1).mean()),
        ("acc@3", (ranks <= 3).mean()),
        ("mrr", (1 / ranks).mean()),
    ):
        low, high = small[key]
        assert low < value < high  # the sample's own figure lies inside its 90% interval
    # the same kind of data, 16 times as many rows: intervals about 4 times narrower
    big = bootstrap_intervals(np.tile(ranks, 16), np.tile(conf, 16))
    for key in ("acc@1", "mrr"):
        assert (big[key][1] - big[key][0]) < 0.4 * (small[key][1] - small[key][0])
    assert big["ece"][0] < 0.5 * small["ece"][0]


def test_bootstrap_intervals_are_reproducible_and_collapse_when_every_row_is_right():
    ranks, conf = _ranks_and_confidence(50)
    assert bootstrap_intervals(ranks, conf) == bootstrap_intervals(ranks, conf)
    perfect = bootstrap_intervals(np.ones(30, int), np.ones(30))
    assert perfect["acc@1"] == [1.0, 1.0] and perfect["ece"] == [0.0]


def test_ranking_metrics_give_intervals_only_when_asked():
    scores = np.array([[0.9, 0.1, 0.0], [0.5, 0.4, 0.1]])
    conf = scores / scores.sum(1, keepdims=True)
    args = (scores, conf, np.array([0, 1]), [{0}, {1}], ROLES)
    assert "intervals" not in ranking_metrics(*args)
    assert ranking_metrics(*args, intervals=True)["intervals"]["acc@1"] == [0.0, 1.0]


def test_ece_is_zero_when_calibrated_and_one_when_certain_and_wrong():
    assert expected_calibration_error(np.array([0.25] * 4), np.array([1, 0, 0, 0.0])) == pytest.approx(0)
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([0.0, 0.0])) == pytest.approx(1)


def test_joint_calibration_counts_a_row_that_fits_no_role_as_wrong():
    scores = np.array([[0.9, 0.1, 0.0], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.6, 0.3, 0.1]])
    inside = np.array([True, True, False, False])
    acceptable = [{0}, {2, 1}, set(), set()]
    # top confidences 0.9 and 0.8 (both right: an acceptable role), 0.2 and 0.2 (no role fits: wrong)
    conf = np.array([[0.9, 0, 0], [0, 0.8, 0], [0.2, 0, 0], [0.2, 0, 0]])
    # bins: 0.2 → 2 rows accuracy 0; 0.8 → 1 row accuracy 1; 0.9 → 1 row accuracy 1
    expected = 0.5 * 0.2 + 0.25 * 0.2 + 0.25 * 0.1
    assert joint_calibration_error(scores, conf, inside, acceptable) == pytest.approx(expected)


def test_scope_metrics_auroc_and_abstention():
    fit = np.array([0.9, 0.8, 0.3, 0.85])
    inside = np.array([True, True, False, False])
    m = scope_metrics(fit, inside, abstain=fit < 0.5)
    assert m["fit_auroc"] == pytest.approx(0.75)
    assert m["abstain_in_scope"] == 0 and m["abstain_out_of_scope"] == 0.5


def test_agreement_metrics_compare_the_fast_path_with_the_default():
    # rows 0-2 in scope (acceptable roles {0}, {1}, {2}), row 3 out of scope
    score = np.array([[0.9, 0.1, 0], [0.1, 0.9, 0], [0, 0.2, 0.8], [0.5, 0.4, 0.1]])
    reference = {"score": score, "confidence": score}
    other = {
        "score": np.array([[0.8, 0.2, 0], [0.7, 0.3, 0], [0, 0.1, 0.9], [0.1, 0.9, 0]]),
        "confidence": np.array([[0.9, 0.1, 0], [0.4, 0.3, 0.3], [0, 0.2, 0.8], [0.2, 0.6, 0.2]]),
    }
    m = agreement_metrics(reference, other, [{0}, {1}, {2}], np.array([True, True, True, False]))
    assert m["n"] == 4
    assert m["top1_agreement"] == pytest.approx(0.5)  # rows 0 and 2 agree
    assert m["acc@1_reference"] == pytest.approx(1.0)
    assert m["acc@1_other"] == pytest.approx(2 / 3)
    assert m["confidence_other_agree"] == pytest.approx((0.9 + 0.8) / 2)
    assert m["confidence_other_disagree"] == pytest.approx((0.4 + 0.6) / 2)


def test_metrics_rank_roles_as_results_list_them_by_confidence():
    """A role that overlaps the top one can show more confidence than the score's runner-up: it is listed,
    and counted, second."""
    score = np.array([[0.9, 0.05, 0.001]])
    confidence = np.array([[0.95, 0.01, 0.6]])
    m = ranking_metrics(score, confidence, np.array([2]), [{2}], ["a", "b", "c"])
    assert m["acc@1"] == 0.0 and m["mrr"] == pytest.approx(0.5)  # by the score, role c would be third
