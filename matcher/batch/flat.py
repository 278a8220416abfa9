"""Flat rows of a chunk straight from array operations, without a ``MatchResult`` per row.

A flat row (CSV, Parquet, .xlsx) shows per role its score, confidence, best quote and best evidence
sentence, and the closest outside occupation when the row abstains. ``RoleMatcher._result`` also finds
every quote's matched sentence, further quotes, the title match and the prediction set, which only
JSONL shows. Here the same choices are made for a whole chunk at once:

* features: ``rank.featurize_docs`` with the per-catalog masks computed once (``IndexTables``), the
  products still taken per text, so a row's numbers never depend on the rows it is chunked with;
* quotes and evidence: one product per text of its sentences against every passage and role, then
  masked maxima and arg-maxima over the chunk (``rank_quotes`` and ``rank_evidence`` for ``k=1``);
  no quote work at all with ``--quotes 0``;
* the closest occupation outside the catalog: only for the rows that abstain.

The rows equal those built from ``MatchResult`` (``tests/test_batch_flat.py``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..embed import EncodedText
from ..explain import PERSON_WEIGHT, evidence_levels, evidence_span, named_outside, quote_columns
from ..index import CorpusIndex
from ..rank import (
    DocFeatures,
    Scores,
    featurize_docs,
    listed_order,
    occupation_similarity,
    similarity_features,
    title_similarity,
    too_short,
)
from ..results import Quote
from ..threads import single_threaded_blas

if TYPE_CHECKING:
    from ..matcher import RoleMatcher


@dataclass(frozen=True)
class IndexTables:
    """What every text of a batch is compared with, prepared once per catalog.

    ``targets`` ``(n_passages + n_roles, dim)``: passages then roles; ``grounded`` ``(n_roles, n_passages)``;
    ``role_passage`` ``(n_roles, n_passages)``: the cosine to the role of each passage that may quote it
    (``explain.quote_columns``; ``-inf`` elsewhere); ``quote_cells``: the quote column's text per passage;
    ``role_ids``/``titles``.
    Backbone (``None`` without one): occupation and reference-title indices per role, which occupations
    and titles lie inside the catalog, and the reference titles that name an occupation, grouped by it
    (``refs_by_occupation``, group starts ``ref_groups``, the occupation of each group).
    """

    targets: np.ndarray
    grounded: np.ndarray
    role_passage: np.ndarray
    quote_cells: tuple[str, ...]
    role_ids: tuple[str, ...]
    titles: tuple[str, ...]
    role_occupations: tuple[np.ndarray, ...] | None = None
    role_titles: tuple[np.ndarray, ...] | None = None
    inside_occupations: np.ndarray | None = None
    outside_titles: np.ndarray | None = None
    outside_occupations: np.ndarray | None = None
    refs_by_occupation: np.ndarray | None = None
    ref_groups: np.ndarray | None = None
    ref_group_occupations: np.ndarray | None = None


TITLE_BLOCK = 64  # texts whose best cosine to every reference title is held at once

_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def index_tables(matcher: RoleMatcher) -> IndexTables:
    """The ``IndexTables`` of ``matcher`` (built on first use, then kept with the matcher)."""
    tables = _TABLES.get(matcher)
    if tables is None:
        tables = _TABLES[matcher] = _build_tables(matcher)
    return tables


def _build_tables(matcher: RoleMatcher) -> IndexTables:
    from .frame import format_quote

    index, corpus = matcher.index, matcher.corpus
    grounded = index.grounding.T > 0
    role_passage = np.full(grounded.shape, -np.inf, np.float32)
    for j in range(len(grounded)):
        where = np.flatnonzero(index.grounding[:, j])
        where = where[quote_columns(index, where)]  # the passages rank_quotes may quote
        role_passage[j, where] = index.passage_vectors[where] @ index.role_vectors[j]  # as in rank_quotes
    cells = []
    for passage in corpus.passages:
        source = f"articles/{corpus.articles[passage.article].path.name}"
        quote = Quote(passage.text, source, "", passage.section, passage.start, passage.end, 0.0)
        cells.append(format_quote(quote))
    backbone: dict[str, Any] = {}
    if index.has_backbone:
        covers = index.occupation_weights > 0  # (n_occupations, n_roles)
        owned = index.title_roles > 0  # (n_titles, n_roles)
        refs = np.flatnonzero(index.title_occupations >= 0)
        refs = refs[np.argsort(index.title_occupations[refs], kind="stable")]
        occupation_of = index.title_occupations[refs]
        groups = np.flatnonzero(np.r_[True, occupation_of[1:] != occupation_of[:-1]]) if len(refs) else refs
        backbone = dict(
            outside_occupations=index.occupation_weights.sum(axis=1) == 0,  # as in closest_outside
            refs_by_occupation=refs,
            ref_groups=groups,
            ref_group_occupations=occupation_of[groups],
            role_occupations=tuple(np.flatnonzero(c) for c in covers.T),
            role_titles=tuple(np.flatnonzero(o) for o in owned.T),
            inside_occupations=covers.any(axis=1),
            outside_titles=~owned.any(axis=1),
        )
    return IndexTables(
        targets=np.concatenate([index.passage_vectors, index.role_vectors]).astype(np.float32),
        grounded=grounded,
        role_passage=role_passage,
        quote_cells=tuple(cells),
        role_ids=tuple(r.id for r in corpus.roles),
        titles=tuple(r.title for r in corpus.roles),
        **backbone,
    )


# ------------------------------------------------------------------------------------------ features


@dataclass(frozen=True)
class ChunkSignals:
    """``features`` of a chunk's texts, and backbone cosines for the closest outside occupation:
    ``occupations`` ``(n, n_occupations)`` and, for the texts that name a title (``named``), per group of
    ``IndexTables.ref_groups`` the best cosine of one of its reference titles to one of the person's
    ``title_by_occupation`` ``(len(named), n_groups)``."""

    features: DocFeatures
    occupations: np.ndarray | None = None
    named: tuple[int, ...] = ()
    title_by_occupation: np.ndarray | None = None


def featurize_chunk(docs: Sequence[EncodedText], index: CorpusIndex, tables: IndexTables) -> DocFeatures:
    """``rank.featurize_docs(docs, index)``, equal to the last bit, with the masks from ``tables``."""
    return chunk_signals(docs, index, tables).features


def chunk_signals(docs: Sequence[EncodedText], index: CorpusIndex, tables: IndexTables) -> ChunkSignals:
    """The features of ``docs`` (see ``featurize_chunk``) and the backbone cosines behind them.

    The products are taken per text, as ``featurize_docs`` does: a text's numbers never depend on the
    texts it is chunked with (a product of several texts' vectors at once rounds differently).
    """
    if not docs or not index.has_backbone or tables.role_occupations is None:
        return ChunkSignals(featurize_docs(docs, index))
    n = len(docs)
    occupations = np.stack([occupation_similarity(d, index) for d in docs])  # (n, n_occupations)
    role_occ = _masked_max(occupations, tables.role_occupations, -1.0)
    inside = tables.inside_occupations
    inside_occ = occupations[:, inside].max(axis=1) if inside.any() else np.zeros(n, np.float32)
    outside_occ = occupations[:, ~inside].max(axis=1) if (~inside).any() else np.zeros(n, np.float32)
    named = [i for i, d in enumerate(docs) if d.names_titles]
    role_title = np.zeros((n, len(tables.role_titles)), np.float32)
    inside_title = np.zeros(n, np.float32)
    outside_title = np.zeros(n, np.float32)
    has_title = np.zeros(n, np.float32)
    by_occupation = np.full((len(named), len(tables.ref_groups)), -np.inf, np.float32)
    for start in range(0, len(named), TITLE_BLOCK):  # (block, n_reference_titles) at a time
        rows = named[start : start + TITLE_BLOCK]
        best = np.stack([title_similarity(docs[i], index).max(axis=0) for i in rows])  # shared by titles
        role_title[rows] = _masked_max(best, tables.role_titles, 0.0)
        if tables.outside_titles.any():
            outside_title[rows] = best[:, tables.outside_titles].max(axis=1)
        if len(tables.refs_by_occupation):
            by_occupation[start : start + len(rows)] = np.maximum.reduceat(
                best[:, tables.refs_by_occupation], tables.ref_groups, axis=1
            )
    if named:
        inside_title[named] = role_title[named].max(axis=1)
        has_title[named] = 1.0
    world = np.stack(
        [
            inside_occ,
            outside_occ,
            inside_occ.astype(np.float64) - outside_occ.astype(np.float64),
            has_title,
            inside_title,
            outside_title,
            inside_title.astype(np.float64) - outside_title.astype(np.float64),
            [np.log1p(len(d.text.split())) for d in docs],
        ],
        axis=1,
    ).astype(np.float32)
    features = DocFeatures(
        vectors=np.stack([d.vector for d in docs]).astype(np.float32),
        similarity=np.stack([similarity_features(d, index) for d in docs]),
        chunks=tuple(d.chunk_vectors for d in docs),
        backbone=np.stack([role_occ, role_title], axis=2).astype(np.float32),
        world=world,
        too_short=too_short(docs),
    )
    return ChunkSignals(features, occupations, tuple(named), by_occupation)


def closest_occupations(signals: ChunkSignals, rows: np.ndarray, tables: IndexTables) -> dict[int, int]:
    """``explain.closest_outside`` for the texts ``rows`` of a chunk: ``{row: occupation index}`` (none
    without a backbone or when every occupation lies inside the catalog)."""
    outside = tables.outside_occupations
    if signals.occupations is None or outside is None or not outside.any() or not len(rows):
        return {}
    score = np.where(outside, signals.occupations[rows], -np.inf)  # (len(rows), n_occupations)
    where = {row: k for k, row in enumerate(signals.named)}
    titled = [i for i, row in enumerate(rows) if row in where]
    if titled and len(tables.refs_by_occupation):
        by_occ = np.full((len(titled), score.shape[1]), -np.inf)
        by_occ[:, tables.ref_group_occupations] = signals.title_by_occupation[
            [where[rows[i]] for i in titled]
        ]
        score[titled] = np.where(outside, np.maximum(score[titled], by_occ), -np.inf)
    return dict(zip(rows.tolist(), score.argmax(axis=1).tolist()))


def _masked_max(values: np.ndarray, columns: Sequence[np.ndarray], fill: float) -> np.ndarray:
    """``(n, len(columns))``: per row, the largest of ``values[:, columns[j]]`` and of ``fill`` when some
    column is left out (``np.where(mask, values, fill).max()`` without the ``(n, k, m)`` temporary)."""
    n, m = values.shape
    out = np.full((n, len(columns)), fill, dtype=values.dtype)
    for j, cols in enumerate(columns):
        if len(cols):
            best = values[:, cols].max(axis=1)
            out[:, j] = best if len(cols) == m else np.maximum(best, fill)
    return out


# ------------------------------------------------------------------------------------------ rows


@dataclass(frozen=True)
class FlatChoices:
    """Per valid text, what its flat row shows: ``order`` ``(n, top)`` role indices, best first;
    ``quote`` ``(n, top)`` passage index (-1: none); ``evidence`` ``(n, top)`` index into the text's
    spans (-1: none); ``closest``: per text the closest outside occupation's cell (abstaining rows)."""

    order: np.ndarray
    quote: np.ndarray
    evidence: np.ndarray
    closest: list[str | None]


def choose(
    matcher: RoleMatcher,
    signals: ChunkSignals,
    docs: Sequence[EncodedText],
    scores: Scores,
    top: int,
    quotes: int,
) -> FlatChoices:
    """The roles, quotes, evidence sentences and closest occupations of ``docs`` (scored as ``scores``)."""
    tables = index_tables(matcher)
    n = len(docs)
    order = listed_order(scores.score, scores.confidence)[:, :top]
    quote = np.full(order.shape, -1)
    evidence = np.full(order.shape, -1)
    counts = np.array([len(d.spans) for d in docs])
    for block in _blocks(counts, tables.targets.shape[0]):  # a few MB of cosines at a time
        quote[block], evidence[block] = _quote_and_evidence(tables, docs[block], order[block], quotes)
    found = closest_occupations(
        signals, np.flatnonzero([named_outside(d, a) for d, a in zip(docs, scores.abstain)]), tables
    )
    backbone = matcher.corpus.backbone
    closest = [None] * n
    if backbone is not None:
        for i, k in found.items():
            closest[i] = f"{backbone.occupations[k].title} ({backbone.occupations[k].code})"
    return FlatChoices(order, quote, evidence, closest)


def _blocks(counts: np.ndarray, width: int, budget: int = 1 << 21) -> list[slice]:
    """Consecutive slices of texts whose sentences times ``width`` stay under ``budget`` (at least one
    text each): long resumes and large catalogs keep the ``(n_spans, n_passages)`` arrays small."""
    out, start, size = [], 0, 0
    for i, count in enumerate(counts.tolist()):
        if i > start and (size + count) * width > budget:
            out.append(slice(start, i))
            start, size = i, 0
        size += count
    out.append(slice(start, len(counts)))
    return out


def _quote_and_evidence(
    tables: IndexTables, docs: Sequence[EncodedText], order: np.ndarray, quotes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per text and shown role (``order`` ``(n, top)``): the best quote's passage (``rank_quotes``, k=1)
    and the best evidence sentence (``rank_evidence``, k=1), -1 for none; one product per text."""
    n, n_passages = len(docs), len(tables.quote_cells)
    counts = np.array([len(d.spans) for d in docs])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sims = np.concatenate([d.span_vectors @ tables.targets.T for d in docs])  # (n_spans, n_p + n_roles)
    to_passage, to_role = sims[:, :n_passages], sims[:, n_passages:]
    # a sentence scores by its cosine to the role and to the role's best grounded passage
    rows = np.repeat(np.arange(n), counts)
    levels = np.concatenate([evidence_levels(d) for d in docs])  # rank_evidence: the best level first
    eligible = (levels > 0) & (levels == np.repeat(np.maximum.reduceat(levels, starts), counts))
    evidence = np.full(order.shape, -1)
    for rank in range(order.shape[1]):  # one (n_spans, n_passages) mask at a time
        roles = order[rows, rank]
        mask = tables.grounded[roles]
        own = to_role[np.arange(len(rows)), roles]
        best = np.where(mask, to_passage, -np.inf).max(axis=1) if n_passages else own
        best = np.where(mask.any(axis=1), best, own) if n_passages else own
        score = 0.5 * own + 0.5 * best
        evidence[:, rank] = _first_argmax(np.where(eligible, score, -np.inf)[:, None], starts, counts)[:, 0]
    quote = np.full(order.shape, -1)
    if quotes > 0 and n_passages:
        person = np.maximum.reduceat(to_passage, starts, axis=0)  # (n, n_passages)
        for rank in range(order.shape[1]):
            roles = order[:, rank]
            weighted = PERSON_WEIGHT * person + (1 - PERSON_WEIGHT) * tables.role_passage[roles]
            quote[:, rank] = np.where(tables.grounded[roles].any(axis=1), weighted.argmax(axis=1), -1)
    return quote, evidence


def _first_argmax(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per segment of rows (``starts``, ``counts`` ≥ 1) and column, the segment-relative index of the
    first largest value; -1 where the segment holds only ``-inf``."""
    best = np.maximum.reduceat(values, starts, axis=0)  # (n_segments, k)
    segment = np.repeat(np.arange(len(starts)), counts)
    position = np.arange(len(values))[:, None]
    hit = np.where(values == best[segment], position, len(values))
    first = np.minimum.reduceat(hit, starts, axis=0) - starts[:, None]
    return np.where(np.isneginf(best), -1, first)


def flat_cells(
    matcher: RoleMatcher, docs: Sequence[EncodedText], top: int, quotes: int
) -> list[dict[str, Any]]:
    """Per text, the cells of its flat row from ``abstain`` on (``abstain, fit, closest_occupation`` and
    ``role_i … evidence_i`` for i = 1..``top``), as ``frame.flat_record`` writes them from a ``MatchResult``."""
    from .frame import DIGITS

    if not docs:
        return []
    tables = index_tables(matcher)
    with single_threaded_blas():  # tiny matrices: BLAS threads only fight the encoder's for the cores
        signals = chunk_signals(docs, matcher.index, tables)
        scores = rank_features(matcher, signals.features)
        chosen = choose(matcher, signals, docs, scores, top, quotes)
    score = scores.score.tolist()
    confidence = scores.confidence.tolist()
    out = []
    for i, doc in enumerate(docs):
        cells: dict[str, Any] = {
            "abstain": bool(scores.abstain[i]),
            "fit": round(float(scores.fit[i]), DIGITS),
            "closest_occupation": chosen.closest[i],
        }
        for rank, j in enumerate(chosen.order[i].tolist(), start=1):
            q, e = int(chosen.quote[i, rank - 1]), int(chosen.evidence[i, rank - 1])
            cells[f"role_{rank}"] = tables.role_ids[j]
            cells[f"title_{rank}"] = tables.titles[j]
            cells[f"score_{rank}"] = round(score[i][j], DIGITS)
            cells[f"confidence_{rank}"] = round(confidence[i][j], DIGITS)
            cells[f"quote_{rank}"] = tables.quote_cells[q] if q >= 0 else ""
            cells[f"evidence_{rank}"] = evidence_span(doc, e).text if e >= 0 else ""
        out.append(cells)
    return out


def rank_features(matcher: RoleMatcher, features: DocFeatures) -> Scores:
    """``RoleMatcher.score_documents`` from features already computed."""
    from ..matcher import batch_invariant

    return matcher.ranker.rank(batch_invariant(features))
