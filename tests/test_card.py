"""The model card's cells: a figure with the interval or spread its evaluation resampled."""

from matcher.card import _cell


def test_a_cell_shows_the_interval_or_a_spread_small_enough_to_read():
    metrics = {
        "acc@1": 0.8306,
        "ece": 0.0391,
        "mrr": 0.9,
        "intervals": {"acc@1": [0.771, 0.881], "ece": [0.0046]},
    }
    assert _cell(metrics, "acc@1") == "0.831 (0.77–0.88)"
    assert _cell(metrics, "ece") == "0.039 ±0.005"  # a spread under 0.01 is not shown as ±0.00
    assert _cell(metrics, "mrr") == "0.900"  # not resampled: the figure alone
    assert _cell(metrics, "n") == "-"
