"""Ranking and explanation maths on tiny hand-made vectors (no model)."""

from __future__ import annotations

import numpy as np

from matcher.embed import EncodedText
from matcher.explain import rank_evidence, rank_quotes
from matcher.index import CorpusIndex
from matcher.rank import DocFeatures, SimilarityRanker, similarity_features, softmax, top_k_mean
from matcher.textproc import Span


def unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def tiny_index():
    roles = np.stack([unit(1, 0, 0), unit(0, 1, 0)])
    passages = np.stack([unit(1, 0.1, 0), unit(1, 0.12, 0), unit(0.2, 1, 0), unit(0, 0, 1)])
    grounding = np.array([[1, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32)
    return CorpusIndex(roles, passages, grounding, roles.copy(), np.array([0, 1], dtype=np.int32))


def doc(*vectors, tokens=None):
    spans = tuple(Span(i * 10, i * 10 + 9, f"sentence {i} words") for i in range(len(vectors)))
    sv = np.stack(vectors)
    return EncodedText(
        "x",
        spans,
        (tuple(range(len(vectors))),),
        sv.mean(0, keepdims=True) / np.linalg.norm(sv.mean(0)),
        np.array([tokens or 10.0], dtype=np.float32),
        sv,
    )


def test_top_k_mean():
    x = np.array([[1.0, 5.0], [3.0, 2.0], [2.0, 9.0]])
    assert np.allclose(top_k_mean(x, 2, axis=0), [2.5, 7.0])
    assert np.allclose(top_k_mean(x[:1], 3, axis=0), [1.0, 5.0])


def test_similarity_prefers_the_closer_role_on_every_signal():
    features = similarity_features(doc(unit(1, 0.05, 0), unit(0.9, 0.1, 0.1)), tiny_index())
    assert features.shape == (2, 4)
    assert (features[0] > features[1]).all()


def test_similarity_ranker_abstains_when_nothing_is_close():
    index = tiny_index()
    far = similarity_features(doc(unit(0, 0, 1), unit(0, 0.05, 1)), index)
    near = similarity_features(doc(unit(1, 0, 0)), index)
    scores = SimilarityRanker().rank(DocFeatures(np.zeros((2, 3)), np.stack([far, near]), ()))
    assert scores.abstain.tolist() == [True, False]
    assert scores.fit[0] < scores.fit[1]
    assert np.allclose(scores.conditional.sum(axis=1), 1.0)
    assert np.allclose(scores.confidence.sum(axis=1), scores.fit)  # never above the fit


def test_quotes_are_grounded_diverse_and_tied_to_the_persons_sentence():
    index = tiny_index()
    d = doc(unit(0, 0, 1), unit(1, 0.1, 0))
    quotes = rank_quotes(d, index, role=0, k=3)
    chosen = [p for p, _, _ in quotes]
    assert set(chosen) <= {0, 1, 3}  # only passages grounded in role 0
    assert not {0, 1} <= set(chosen)  # near-duplicates 0 and 1 are not both shown
    best = dict((p, s) for p, _, s in quotes)
    assert best[3] == 0 and best.get(0, best.get(1)) == 1


def test_evidence_orders_the_persons_sentences_by_support():
    d = doc(unit(0, 0, 1), unit(1, 0, 0), unit(0.5, 0.5, 0))
    assert [i for i, _ in rank_evidence(d, tiny_index(), role=0, k=2)] == [1, 2]


def test_softmax_temperature():
    x = np.array([[1.0, 0.0]])
    assert softmax(x, 0.1)[0, 0] > softmax(x, 1.0)[0, 0] > 0.5
