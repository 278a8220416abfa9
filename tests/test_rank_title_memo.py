"""Title cosines shared between texts that name the same titles: bounded, and the same bits as none."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import matcher.rank as rank
from matcher.embed import encode_documents
from matcher.embed.cache import SharedMemo
from matcher.explain import closest_outside, title_evidence
from matcher.rank import featurize_docs, title_similarity

TEXTS = [
    "Software Engineer at Contoso, 2019 - present\nI build Go services and review code.",
    "Project Manager, Northwind, 2018 - 2021\nI ran delivery for three client programmes.\n"
    "Software Engineer at Fabrikam, 2015 - 2018\nI wrote the billing service.",
    "Software Engineer at Litware, 2012 - 2019\nI kept the payments platform up.",
    "I manage the help desk, reset passwords and image laptops for 300 staff.",  # no title
    "Project Manager at Tailspin, 2020 - present\nI plan releases with four teams.",
]


def array(n: int, value: float = 1.0) -> np.ndarray:
    return np.full(n, value, np.float32)


class Source:
    """Something an index stands for: compared by identity, held weakly."""


def test_the_memo_keeps_results_within_its_bytes_least_recently_used_first():
    memo, source = SharedMemo(max_bytes=3 * 400 + 30), Source()
    for key in "abc":
        memo.get(key, source, lambda: array(100), size=10)
    assert memo.get("a", source, lambda: array(100, 2.0))[0] == 1.0  # kept; now used last
    memo.get("d", source, lambda: array(100), size=10)  # "b" goes
    assert len(memo) == 3 and memo.nbytes <= memo.max_bytes
    assert memo.get("b", source, lambda: array(100, 3.0))[0] == 3.0
    assert memo.get("huge", source, lambda: array(10_000))[0] == 1.0 and len(memo) == 3  # never kept
    assert not memo.get("a", source, lambda: array(1)).flags.writeable


def test_a_result_is_only_given_back_for_the_very_same_source():
    memo, first, second = SharedMemo(), Source(), Source()
    memo.get("k", first, lambda: array(4, 1.0))
    assert memo.get("k", second, lambda: array(4, 2.0))[0] == 2.0  # another index: computed again
    assert memo.get("k", second, lambda: array(4, 3.0))[0] == 2.0
    del first, second  # a kept result never keeps its source alive, and a gone one matches nothing
    assert memo.get("k", Source(), lambda: array(4, 4.0))[0] == 4.0


def test_threads_sharing_the_memo_each_get_their_own_key():
    memo, source, wrong = SharedMemo(max_bytes=40 * 64), Source(), []

    def work(worker: int) -> None:
        for i in range(500):
            key = (worker * 3 + i) % 90
            if memo.get(key, source, lambda k=key: array(16, k))[0] != key:
                wrong.append(key)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong and memo.nbytes <= memo.max_bytes


def everything(matcher, docs) -> list[bytes]:
    """Every number the titles feed: features, each role's title match, the closest occupation."""
    features = featurize_docs(docs, matcher.index)
    out = [features.backbone.tobytes(), features.world.tobytes()]
    for doc in docs:
        out.append(title_similarity(doc, matcher.index).tobytes())
        out.append(repr(closest_outside(doc, matcher.index)).encode())
        out += [
            repr(title_evidence(doc, matcher.index, j)).encode() for j in range(len(matcher.corpus.roles))
        ]
    return out


def shared_and_unshared(matcher, texts, monkeypatch):
    monkeypatch.setattr(rank, "TITLE_MEMO", SharedMemo(max_bytes=0))  # keeps nothing
    unshared = everything(matcher, encode_documents(matcher.embedder, texts))
    monkeypatch.setattr(rank, "TITLE_MEMO", SharedMemo())
    first = everything(matcher, encode_documents(matcher.embedder, texts))
    again = everything(matcher, encode_documents(matcher.embedder, texts))  # every title set seen before
    return unshared, first, again


def test_texts_naming_the_same_title_share_its_cosines_with_the_same_bits(fake_matcher, monkeypatch):
    assert fake_matcher.index.has_backbone
    unshared, first, again = shared_and_unshared(fake_matcher, TEXTS, monkeypatch)
    assert first == unshared and again == unshared
    a, _, c, *_ = encode_documents(fake_matcher.embedder, TEXTS)  # both name only "Software Engineer"
    assert [t.text for t in a.titles] == [t.text for t in c.titles] == ["Software Engineer"]
    assert title_similarity(a, fake_matcher.index) is title_similarity(c, fake_matcher.index)


@pytest.mark.model
def test_the_int8_path_gives_the_same_bits_with_shared_title_cosines(monkeypatch):
    pytest.importorskip("onnxruntime")
    from matcher import RoleMatcher

    matcher = RoleMatcher.load(backend="onnx")
    unshared, first, again = shared_and_unshared(matcher, TEXTS, monkeypatch)
    assert first == unshared and again == unshared
    monkeypatch.setattr(rank, "TITLE_MEMO", SharedMemo(max_bytes=0))
    plain = [r.to_dict() for r in matcher.match(TEXTS, top=5)]
    monkeypatch.setattr(rank, "TITLE_MEMO", SharedMemo(max_bytes=60_000))  # room for about one title
    assert [r.to_dict() for r in matcher.match(TEXTS, top=5)] == plain
    assert [matcher.match(t, top=5).to_dict() for t in TEXTS] == plain
    assert rank.TITLE_MEMO.nbytes <= 60_000
