"""Sentences tokenized once (``matcher.embed.tokens``): the counts, slices and joined chunks built from a
sentence's tokens are what tokenizing each word, piece or chunk on its own gives, on text with mixed
scripts, accents, long words and odd characters; and the int8 encoder gives the same bits from them."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from test_text_equivalence import INVISIBLE, ODD, SCRIPTS

from matcher.embed import _token_counter, encode_documents, load_embedder
from matcher.embed.tokens import join_tokens, slice_tokens, word_counts
from matcher.errors import ModelUnavailableError
from matcher.textproc import Span, normalize

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rolematch-hypothesis")

PIECES = [
    *SCRIPTS,
    *ODD,
    *INVISIBLE,
    "Senior",
    "product",
    "manager,",
    "C++/C#",
    "(2019–2021)",
    "e-mail:",
    "[NAME]",
    "İstanbul",
    "🚀🚀",
    "\ufffd",
    "ＦＵＬＬ",
    "x" * 150,  # over WordPiece's 100 characters: one [UNK]
    "Supercalifragilistic" * 20,
    "a.b.c.d.e.f.g.h",
    "\u2028",
    "\t",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), min_size=1, max_size=40).map(
    lambda words: normalize(" ".join(words))  # sentences are normalised text: no control characters
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def onnx():
    try:
        return load_embedder("onnx")
    except ModelUnavailableError as exc:
        pytest.skip(str(exc))


def _pairs(tokens):
    return tokens.ids.tolist(), tokens.offsets.tolist()


@SETTINGS
@given(TEXT)
def test_word_counts_are_each_words_own_count(onnx, text):
    counts = word_counts(text, onnx.tokenize([text])[0])
    assert counts == {w: onnx.count_tokens(w) for w in text.split()}


@SETTINGS
@given(TEXT, st.data())
def test_a_run_of_whole_words_is_a_slice_and_a_cut_word_is_none(onnx, text, data):
    words = list(re.finditer(r"\S+", text))
    if not words:
        return
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, len(words) - 1))
    start, end = words[i].start(), words[j].end()
    tokens = onnx.tokenize([text])[0]
    assert _pairs(slice_tokens(text, tokens, start, end)) == _pairs(onnx.tokenize([text[start:end]])[0])
    if end - start > 1:
        assert slice_tokens(text, tokens, start + 1, end) is None
        assert slice_tokens(text, tokens, start, end - 1) is None


@SETTINGS
@given(st.lists(TEXT.filter(lambda t: t.strip() == t and t), min_size=1, max_size=5))
def test_joined_sentences_have_the_chunks_tokens(onnx, sentences):
    chunk = "\n".join(sentences)
    starts = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]]).tolist()
    joined = join_tokens(onnx.tokenize(sentences), starts)
    assert _pairs(joined) == _pairs(onnx.tokenize([chunk])[0])


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4), st.sampled_from([3, 12, 254]))
def test_counts_from_the_sentences_tokens_equal_counting_each_text(onnx, texts, budget):
    spans = [Span(0, len(t), t) for t in texts if t]
    tokens = dict(zip((s.text for s in spans), onnx.tokenize([s.text for s in spans])))
    count = _token_counter(onnx, spans, budget, tokens)
    for text in texts:
        words = text.split()
        runs = [
            " ".join(words[a:b]) for a in range(len(words)) for b in range(a + 1, min(len(words), a + 4) + 1)
        ]
        for piece in [text, *words, *runs, text[: len(text) // 2]]:
            assert count(piece) == onnx.count_tokens(piece)


def test_encode_tokens_gives_the_bits_of_encode_spans(onnx):
    texts = ["I fix laptops.\nI run the help desk.", "Zoë leads 软件工程师 teams", "word " * 400, "x"]
    spans = [[(0, 14), (15, 36)], [(0, 3)], [(0, 2000)], [(0, 1)]]
    a_vecs, a_spans = onnx.encode_tokens(onnx.tokenize(texts), spans)
    b_vecs, b_spans = onnx.encode_spans(texts, spans)
    np.testing.assert_array_equal(a_vecs, b_vecs)
    for a, b in zip(a_spans, b_spans):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("budget", [None, 7])
def test_encode_documents_from_tokens_gives_what_counting_and_tokenizing_again_gave(
    onnx, monkeypatch, budget
):
    texts = [
        "Senior Software Engineer\n" + "Supercalifragilistic" * 30 + " builds APIs. " + "x" * 700,
        "Zoë Müller — Produktmanagerin bei Ünïcode GmbH. 张伟 是一名产品经理. " + "naïve café " * 200,
        "Data Analyst, Contoso, 2019 - present\nI build dashboards in SQL and Python for the sales team.",
        "A" * 600 + " B" * 300,
    ]
    new = encode_documents(onnx, texts, budget)
    monkeypatch.delattr(type(onnx), "tokenize")  # the path of a backend without it: count, then tokenize
    old = encode_documents(onnx, texts, budget)
    for a, b in zip(new, old):
        assert (a.text, a.spans, a.chunks, a.titles) == (b.text, b.spans, b.chunks, b.titles)
        for name in ("chunk_vectors", "chunk_tokens", "span_vectors", "title_vectors"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
