"""Embedding stage: backends behind a small interface, and document encoding with chunks.

A backend has ``name``, ``version``, ``dim``, ``encode(texts) -> (n, dim)`` (L2-normalised
float32) and ``count_tokens(text) -> int``. A backend may also offer
``encode_spans(chunks, spans)`` (late chunking: sentence vectors pooled from the chunk's
token vectors in one pass); otherwise sentences are encoded on their own. A backend with
``per_text = True`` promises that a text's vector never depends on the texts encoded with it; with
``encode_spans`` too, its chunks and job titles then share one pass, and its ``title_cache`` (a
``VectorCache``, if it has one) keeps the vectors of titles already met, which are then not run again.
A backend with ``tokenize(texts) -> list[Tokens]`` and ``encode_tokens(tokens, spans)`` (the int8
encoder) has each sentence tokenized once: its counts and the chunks' token ids are taken from those
tokens (``tokens.py``) instead of tokenizing to count and again to encode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..gender import neutralize
from ..privacy import redact
from ..textproc import (
    TOO_LITTLE_TEXT,
    Span,
    chunk_spans,
    sentence_spans,
    too_little_text,
    validate_with_notes,
)
from ..titles import TitleSpan, expand_abbreviations, extract_titles
from .tokens import Tokens, join_tokens, slice_tokens, word_counts

__all__ = ["Embedder", "EncodedText", "encode_documents", "prepare_text", "load_embedder", "BACKENDS"]

BACKENDS = ("minilm", "onnx", "static", "fake")


@runtime_checkable
class Embedder(Protocol):
    name: str
    version: str
    dim: int
    max_tokens: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts: ``(n_texts, dim)`` float32, rows L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Number of model tokens in ``text`` (no special tokens)."""
        ...


@dataclass(frozen=True)
class EncodedText:
    """A person's text, split and embedded.

    ``spans``: sentences (offsets into ``text``); ``chunks``: span indices per chunk;
    ``chunk_vectors`` ``(n_chunks, dim)``; ``chunk_tokens`` ``(n_chunks,)``;
    ``span_vectors`` ``(n_spans, dim)``; ``titles``: the job titles the text names (offsets into
    ``text``), with ``title_vectors`` ``(n_titles, dim)``; ``notes``: what the text stage repaired
    (``textproc.validate_with_notes``), for the result's warnings.
    """

    text: str
    spans: tuple[Span, ...]
    chunks: tuple[tuple[int, ...], ...]
    chunk_vectors: np.ndarray
    chunk_tokens: np.ndarray
    span_vectors: np.ndarray
    titles: tuple[TitleSpan, ...] = ()
    title_vectors: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    memo: dict[str, Any] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )  # rank/explain reuse

    @property
    def names_titles(self) -> bool:
        """Whether the text names a job title (no title: the title signal is missing, not zero)."""
        return self.title_vectors is not None and len(self.title_vectors) > 0

    def remembered(self, key: str, source: object, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """``compute()`` once for this text and ``source`` (the index array it reads, or ``None``), kept
        read-only in ``memo``: ranking and each role's explanation ask for the same products."""
        kept = self.memo.get(key)
        if kept is not None and kept[0] is source:
            return kept[1]
        value = compute()
        value.flags.writeable = False
        self.memo[key] = (source, value)
        return value

    @property
    def vector(self) -> np.ndarray:
        """The whole text: token-weighted mean of the chunk vectors, L2-normalised, ``(dim,)`` (worked out
        once: the features, the role products and the occupation products each ask for it)."""
        return self.remembered("vector", None, self._whole_vector)

    def _whole_vector(self) -> np.ndarray:
        v = (self.chunk_vectors * self.chunk_tokens[:, None]).sum(axis=0)
        return v / max(float(np.linalg.norm(v)), 1e-12)


def _normalize_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def encode_documents(
    embedder: Embedder, texts: Sequence[str], budget: int | None = None
) -> list[EncodedText]:
    """Validate, split and embed several texts in one batched pass.

    Every sentence lands in a chunk of at most ``budget`` tokens (default: the model's limit),
    so nothing past the model's window is dropped. Raises ``InputTextError`` on bad text.
    """
    budget = budget or embedder.max_tokens
    noted = [prepare_text_with_notes(raw) for raw in texts]
    cleaned = [text for text, _ in noted]
    text_spans = [sentence_spans(text) for text in cleaned]
    all_spans = [s for spans in text_spans for s in spans]
    # a backend that offers ``tokenize``: every sentence tokenized once, in one call, for counting and encoding
    tokenize = getattr(embedder, "tokenize", None)
    tokens = _sentence_tokens(tokenize, all_spans) if tokenize is not None else None
    # otherwise one counting call for the sentences of every text (not one per text: the per-call cost dominated)
    count = _token_counter(embedder, all_spans, budget, tokens)
    prepared = []
    for text, spans in zip(cleaned, text_spans):
        chunks = chunk_spans(spans, count, budget)
        flat = [s for chunk in chunks for s in chunk]  # long sentences may have been cut into pieces
        index, pos = [], 0
        for chunk in chunks:
            index.append(tuple(range(pos, pos + len(chunk))))
            pos += len(chunk)
        counts = [max(1, sum(count(flat[i].text) for i in idx)) for idx in index]
        prepared.append((text, tuple(flat), tuple(index), counts))

    chunk_texts, chunk_spans_rel = [], []
    for _, flat, index, _ in prepared:
        for idx in index:
            text, rel, cursor = [], [], 0
            for i in idx:
                piece = flat[i].text
                rel.append((cursor, cursor + len(piece)))
                text.append(piece)
                cursor += len(piece) + 1
            chunk_texts.append("\n".join(text))
            chunk_spans_rel.append(rel)
    chunk_tokens = None
    if tokens is not None:
        pieces = _piece_tokens(tokenize, text_spans, [flat for _, flat, _, _ in prepared], tokens)
        by_chunk = [(own, idx) for own, (_, _, index, _) in zip(pieces, prepared) for idx in index]
        chunk_tokens = [
            join_tokens([own[i] for i in idx], [start for start, _ in rel])
            for (own, idx), rel in zip(by_chunk, chunk_spans_rel)
        ]

    titles = [extract_titles(text) for text, *_ in prepared]
    flat_titles = [expand_abbreviations(t.text) for ts in titles for t in ts]
    if getattr(embedder, "per_text", False) and hasattr(embedder, "encode_spans"):
        # one pass for chunks and titles, so both cores stay busy (same bits: each text runs alone);
        # a title met before, in this batch or an earlier one, is not run again
        cache = getattr(embedder, "title_cache", None)
        known = cache.get_many(flat_titles) if cache is not None else {}
        todo = [t for t in dict.fromkeys(flat_titles) if t not in known]
        spans_rel = chunk_spans_rel + [[]] * len(todo)
        if chunk_tokens is not None:
            vecs, pooled = embedder.encode_tokens(chunk_tokens + tokenize(todo), spans_rel)
        else:
            vecs, pooled = embedder.encode_spans(chunk_texts + todo, spans_rel)
        chunk_vecs, span_vecs = vecs[: len(chunk_texts)], pooled[: len(chunk_texts)]
        fresh = dict(zip(todo, vecs[len(chunk_texts) :]))
        if cache is not None:
            cache.put_many(fresh.items())
        title_vecs = _normalize_rows(_title_rows({**known, **fresh}, flat_titles, embedder.dim))
    else:
        chunk_vecs, span_vecs = _encode_chunks(embedder, chunk_texts, chunk_spans_rel)
        title_vecs = (
            _normalize_rows(embedder.encode(flat_titles))
            if flat_titles
            else np.zeros((0, embedder.dim), np.float32)
        )
    out, c, t = [], 0, 0
    for (text, flat, index, counts), doc_titles, (_, notes) in zip(prepared, titles, noted):
        n = len(index)
        out.append(
            EncodedText(
                text=text,
                spans=flat,
                chunks=index,
                chunk_vectors=_normalize_rows(chunk_vecs[c : c + n]),
                chunk_tokens=np.asarray(counts, dtype=np.float32),
                span_vectors=_normalize_rows(np.concatenate(span_vecs[c : c + n])),
                titles=doc_titles,
                title_vectors=title_vecs[t : t + len(doc_titles)],
                notes=notes,
            )
        )
        c += n
        t += len(doc_titles)
    return out


def _title_rows(vectors: dict[str, np.ndarray], titles: list[str], dim: int) -> np.ndarray:
    """``(len(titles), dim)``: one row per title as named (a title named twice gets two rows)."""
    if not titles:
        return np.zeros((0, dim), np.float32)
    return np.stack([vectors[t] for t in titles])


def _encode_chunks(
    embedder: Embedder, chunk_texts: list[str], chunk_spans_rel: list[list[tuple[int, int]]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and, per chunk, its sentences' vectors (late-chunked where the backend can)."""
    if hasattr(embedder, "encode_spans"):
        return embedder.encode_spans(chunk_texts, chunk_spans_rel)
    chunk_vecs = embedder.encode(chunk_texts)
    pieces = [chunk_texts[c][s:e] for c, rel in enumerate(chunk_spans_rel) for s, e in rel]
    flat_vecs = embedder.encode(pieces) if pieces else np.zeros((0, embedder.dim), np.float32)
    span_vecs, pos = [], 0
    for rel in chunk_spans_rel:
        span_vecs.append(flat_vecs[pos : pos + len(rel)])
        pos += len(rel)
    return chunk_vecs, span_vecs


def prepare_text(raw: object) -> str:
    """The text that is split and embedded, and that evidence offsets point into: validated, with
    contact details and the person's name replaced by placeholders and gendered words made neutral."""
    return prepare_text_with_notes(raw)[0]


def prepare_text_with_notes(raw: object) -> tuple[str, tuple[str, ...]]:
    """``prepare_text``, and what validation repaired (``textproc.validate_with_notes``)."""
    text, notes = validate_with_notes(raw)
    prepared = neutralize(redact(text).text)
    return prepared, (*notes, TOO_LITTLE_TEXT) if too_little_text(prepared) else notes


def _sentence_tokens(
    tokenize: Callable[[list[str]], list[Tokens]], spans: Sequence[Span]
) -> dict[str, Tokens]:
    """``{sentence: its tokens}``, every distinct sentence tokenized in one call."""
    texts = list(dict.fromkeys(s.text for s in spans))
    return dict(zip(texts, tokenize(texts)))


def _piece_tokens(
    tokenize: Callable[[list[str]], list[Tokens]],
    text_spans: Sequence[Sequence[Span]],
    text_pieces: Sequence[Sequence[Span]],
    tokens: dict[str, Tokens],
) -> list[list[Tokens]]:
    """Per text, the tokens of each piece (its sentences in order, long ones cut into pieces): a sentence's
    own, a run of its whole words' slice of them; a piece that cuts a word is tokenized on its own (one
    call for all of them)."""
    out: list[list[Tokens | None]] = []
    for spans, pieces in zip(text_spans, text_pieces):
        own, k = [], 0
        for p in pieces:
            while spans[k].end < p.end:  # the sentence the piece is part of
                k += 1
            s, whole = spans[k], tokens[spans[k].text]
            same = p.start == s.start and p.end == s.end
            own.append(whole if same else slice_tokens(s.text, whole, p.start - s.start, p.end - s.start))
        out.append(own)
    cut = [(i, j) for i, own in enumerate(out) for j, t in enumerate(own) if t is None]
    for (i, j), t in zip(cut, tokenize([text_pieces[i][j].text for i, j in cut])):
        out[i][j] = t
    return out  # type: ignore[return-value]


def _token_counter(
    embedder: Embedder, spans: Sequence[Span], budget: int, tokens: dict[str, Tokens] | None = None
):
    """A memoised ``count_tokens``. Where the sentences' ``tokens`` are known it tokenizes nothing more: a
    sentence's count is its number of tokens, the words of a sentence over the budget count the tokens
    that start in them, and a run of whole words the sum of its words'. Otherwise it is pre-filled in
    one batched call where the backend offers ``count_tokens_batch`` (sentences, and the words of
    sentences that may exceed the budget)."""
    cache: dict[str, int] = {}
    batch = getattr(embedder, "count_tokens_batch", None)
    if tokens is not None:
        cache.update((text, len(t)) for text, t in tokens.items())
        for text, t in tokens.items():
            if len(t) > budget:
                cache.update(word_counts(text, t))
    elif batch is not None:
        hints = [s.text for s in spans]
        hints += [w for s in spans if len(s.text) > 2 * budget for w in s.text.split()]
        hints = list(dict.fromkeys(hints))
        cache.update(zip(hints, batch(hints)))

    def count(text: str) -> int:
        n = cache.get(text)
        if n is None:
            words = text.split() if tokens is not None else []
            known = words and all(w in cache for w in words)
            n = cache[text] = sum(cache[w] for w in words) if known else embedder.count_tokens(text)
        return n

    return count


def load_embedder(backend: str = "minilm", **kwargs) -> Embedder:
    """Load an embedding backend by name: ``minilm`` (torch), ``onnx`` (MiniLM int8, the run-time
    default: ``config.DEFAULT_BACKEND``), ``static``, ``fake``."""
    if backend == "minilm":
        from .minilm import MiniLMEmbedder

        return MiniLMEmbedder(**kwargs)
    if backend == "onnx":
        from .onnx import OnnxEmbedder

        return OnnxEmbedder(**kwargs)
    if backend == "static":
        from .static import StaticEmbedder

        return StaticEmbedder(**kwargs)
    if backend == "fake":
        from .fake import FakeEmbedder

        return FakeEmbedder(**kwargs)
    raise ValueError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
