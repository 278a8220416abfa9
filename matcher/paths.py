"""Career paths: where a person can go next from their current role, what the move takes, and what their
text already shows, grounded in the articles.

``corpus/paths.yaml`` holds the transitions graph: edges from role to role, each with verbatim quotes of
an article and what the move requires. ``load_graph`` validates it against the corpus (role ids exist,
every quote occurs verbatim in its article; offsets are computed here). ``plan_paths`` ranks the next
moves for one encoded text; ``attach_paths`` fills ``MatchResult.paths`` for ``RoleMatcher.match``.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .corpus import Corpus, _unknown_role
from .embed import EncodedText
from .errors import CorpusError
from .explain import evidence_span
from .gaps import Assessment, assess, first_naming, most_naming, select_gaps, select_strengths
from .index import CorpusIndex
from .rank import Scores, listed_order
from .results import MatchResult

logger = logging.getLogger(__name__)

KINDS = ("move", "hybrid")
MAX_MOVES = 4
MAX_GAPS = 5
MAX_STRENGTHS = 4
ORIGIN_MARGIN = 0.03  # a role this close to the top score is also a place the person may be now
HYBRID_SIGNALS = 2  # signals shown of each role of a hybrid pair for the person to be both


# --------------------------------------------------------------------------- the graph


@dataclass(frozen=True)
class PathQuote:
    """A verbatim passage of an article: ``article_file_text[start:end] == text``."""

    text: str
    source: str  # "articles/<file>.md"
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Edge:
    """A move from role ``origin`` to role ``target`` that the articles describe."""

    origin: str
    target: str
    kind: str  # "move", or "hybrid": adopting the other specialism on top of one's own
    reason: str
    requires: tuple[str, ...]
    quotes: tuple[PathQuote, ...]

    @property
    def name(self) -> str:
        return f"{self.origin} -> {self.target}"


@dataclass(frozen=True)
class PathGraph:
    """The transitions graph of ``corpus/paths.yaml``, checked against the corpus."""

    edges: tuple[Edge, ...]

    def from_role(self, role_id: str) -> list[Edge]:
        return [e for e in self.edges if e.origin == role_id]

    def hybrid_pairs(self) -> list[Edge]:
        """One hybrid edge per unordered pair of roles."""
        seen: set[frozenset[str]] = set()
        out = []
        for e in self.edges:
            pair = frozenset((e.origin, e.target))
            if e.kind == "hybrid" and pair not in seen:
                seen.add(pair)
                out.append(e)
        return out


def default_graph_path(corpus: Corpus) -> Path:
    """``paths.yaml`` beside the corpus's ``articles/`` folder."""
    article = next(iter(corpus.articles.values()))
    return article.path.parent.parent / "paths.yaml"


def _locate(corpus: Corpus, article: str, text: str, where: str) -> PathQuote:
    if article not in corpus.articles:
        raise CorpusError(f"{where}: unknown article {article!r}; articles are {sorted(corpus.articles)}")
    doc = corpus.articles[article]
    text = str(text).strip()
    start = doc.text.find(text, doc.body_start) if text else -1
    if start < 0:
        found = _longest_prefix(doc.text[doc.body_start :], text)
        hint = f"; the longest part found is {found!r}" if found else ""
        raise CorpusError(
            f"{where}: quote not found verbatim in articles/{doc.path.name}: {text[:80]!r}{hint}. "
            "Copy the sentence from the article exactly (same punctuation and quotes)."
        )
    return PathQuote(text, f"articles/{doc.path.name}", doc.title, start, start + len(text))


def _longest_prefix(haystack: str, text: str) -> str:
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if text[:mid] in haystack else (low, mid - 1)
    return text[:low] if low >= 20 else ""


def _edge(entry: Any, i: int, corpus: Corpus, path: Path) -> Edge:
    where = f"{path.name}: edge #{i + 1}"
    if not isinstance(entry, dict):
        raise CorpusError(f"{where}: expected a mapping with from, to, reason, requires, quotes")
    missing = [k for k in ("from", "to", "reason", "requires", "quotes") if k not in entry]
    if missing:
        raise CorpusError(f"{where} lacks {', '.join(missing)}")
    where = f"{path.name}: edge {entry['from']} -> {entry['to']}"
    for key in ("from", "to"):
        if entry[key] not in corpus.role_ids:
            raise CorpusError(f"{where}: {key}: {_unknown_role(str(entry[key]), corpus.role_ids)}")
    if entry["from"] == entry["to"]:
        raise CorpusError(f"{where}: an edge must go to another role")
    kind = entry.get("kind", "move")
    if kind not in KINDS:
        raise CorpusError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    requires, quotes = entry["requires"], entry["quotes"]
    if not isinstance(requires, list) or not all(isinstance(r, str) and r.strip() for r in requires):
        raise CorpusError(f"{where}: requires must be a list of short phrases")
    if not isinstance(quotes, list) or not quotes:
        raise CorpusError(f"{where}: quotes must be a non-empty list of {{article, text}}")
    located = []
    for q in quotes:
        if not isinstance(q, dict) or not {"article", "text"} <= set(q):
            raise CorpusError(f"{where}: each quote needs 'article' (a file name without .md) and 'text'")
        located.append(_locate(corpus, str(q["article"]), q["text"], f"{where}, article {q['article']}"))
    return Edge(
        origin=entry["from"],
        target=entry["to"],
        kind=kind,
        reason=" ".join(str(entry["reason"]).split()),
        requires=tuple(r.strip() for r in requires),
        quotes=tuple(located),
    )


def load_graph(path: str | Path, corpus: Corpus) -> PathGraph:
    """Read and validate the transitions graph; raises ``CorpusError`` naming the edge and the fix."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CorpusError(f"cannot read the career paths graph {path}: {exc}") from exc
    entries = (data or {}).get("edges") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{path}: expected a top-level 'edges:' list")
    edges = [_edge(entry, i, corpus, path) for i, entry in enumerate(entries)]
    names = [e.name for e in edges]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CorpusError(f"{path}: duplicate edge(s) {', '.join(duplicates)}; merge their quotes into one")
    return PathGraph(tuple(edges))


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Context:
    """What planning needs besides the person: the corpus, its index and the embedded ``requires`` phrases.

    ``requires_vectors`` maps each phrase of the graph's ``requires`` to its vector ``(dim,)``.
    """

    corpus: Corpus
    index: CorpusIndex
    graph: PathGraph
    requires_vectors: dict[str, np.ndarray]


def _person_quote(doc: EncodedText, a: Assessment) -> dict[str, Any] | None:
    if a.span < 0:
        return None
    s = evidence_span(doc, a.span)  # without the section heading that opens it, as the role's evidence
    return {"text": s.text, "start": s.start, "end": s.end, "score": a.span_cosine}


def _gap_quote(ctx: Context, edge: Edge, target: int, phrase: str, kind: str) -> dict[str, Any] | None:
    """A passage that names the gap. A requirement of the move: the edge's quote sharing most of its
    words (else its first quote, which states the move). A signal of the role: the first edge quote,
    else the first passage grounding the target role, that holds all its key words."""
    quotes = [q.text for q in edge.quotes]
    if kind == "requires":
        return asdict(edge.quotes[max(most_naming(quotes, phrase), 0)])
    k = first_naming(quotes, phrase)
    if k >= 0:
        return asdict(edge.quotes[k])
    grounded = [ctx.corpus.passages[p] for p in ctx.corpus.grounding[ctx.corpus.roles[target].id]]
    k = first_naming([p.text for p in grounded], phrase)
    if k < 0:
        return None
    p = grounded[k]
    article = ctx.corpus.articles[p.article]
    return asdict(PathQuote(p.text, f"articles/{article.path.name}", article.title, p.start, p.end))


def _signals(ctx: Context, target: int) -> tuple[list[str], np.ndarray]:
    rows = np.flatnonzero(ctx.index.signal_roles == target)
    signals = list(ctx.corpus.roles[target].signals)
    if len(rows) != len(signals):
        raise CorpusError(
            f"the index holds {len(rows)} signal vectors for role {ctx.corpus.roles[target].id!r} but "
            f"roles.yaml lists {len(signals)}; rebuild the artifacts (rolematch build)"
        )
    return signals, ctx.index.signal_vectors[rows]


def plan_move(ctx: Context, doc: EncodedText, edge: Edge, score: float, similarity: float) -> dict[str, Any]:
    """One next move: reason, quotes, what the text already shows (strengths) and what it lacks (gaps)."""
    target = ctx.corpus.role_ids.index(edge.target)
    role = ctx.corpus.roles[target]
    texts = [s.text for s in doc.spans]
    signals, signal_vectors = _signals(ctx, target)
    found_signals = assess(signals, signal_vectors, doc.span_vectors, texts)
    requires = list(edge.requires)
    requires_vectors = _stack(ctx, requires, doc.span_vectors.shape[1])
    found_requires = assess(requires, requires_vectors, doc.span_vectors, texts)
    emphasis = signal_vectors @ ctx.index.role_vectors[target]  # how central each signal is to the role
    by_emphasis = [found_signals[k] for k in np.argsort(-emphasis, kind="stable")]
    labelled = [(a, "requires") for a in found_requires] + [(a, "signal") for a in by_emphasis]
    gaps = [
        {"skill": a.phrase, "kind": kind, "quote": _gap_quote(ctx, edge, target, a.phrase, kind)}
        for a, kind in select_gaps(labelled, MAX_GAPS)
    ]
    strengths = [
        {"skill": a.phrase, "kind": kind, "evidence": _person_quote(doc, a)}
        for a, kind in select_strengths(labelled, MAX_STRENGTHS)
    ]
    n_shown = sum(a.shown for a in found_signals)
    readiness = (score + similarity + n_shown / max(len(signals), 1)) / 3
    return {
        "from": edge.origin,
        "to": edge.target,
        "title": role.title,
        "kind": edge.kind,
        "readiness": readiness,
        "score": score,
        "similarity": similarity,
        "signals_shown": n_shown,
        "signals_total": len(signals),
        "reason": edge.reason,
        "requires": list(edge.requires),
        "quotes": [asdict(q) for q in edge.quotes],
        "strengths": strengths,
        "gaps": gaps,
    }


def _stack(ctx: Context, phrases: Sequence[str], dim: int) -> np.ndarray:
    if not phrases:
        return np.zeros((0, dim), np.float32)
    return np.stack([ctx.requires_vectors[p] for p in phrases])


def origins(
    score: np.ndarray,
    order: Sequence[int],
    graph: PathGraph,
    role_ids: Sequence[str],
    in_set: Sequence[str] = (),
) -> list[int]:
    """Where the person may be now: the top role, and the runner-up when it is within ``ORIGIN_MARGIN``
    of the top score (or in the conformal set) and has moves of its own. Role indices, best first
    (``order``: the roles as the result lists them, ``rank.listed_order``)."""
    order = [int(j) for j in order]
    out = [order[0]]
    runner = order[1] if len(order) > 1 else None
    if runner is not None and graph.from_role(role_ids[runner]):
        close = score[order[0]] - score[runner] <= ORIGIN_MARGIN or role_ids[runner] in in_set
        if close:
            out.append(runner)
    return out


def hybrid_note(ctx: Context, doc: EncodedText, order: Sequence[int]) -> dict[str, Any] | None:
    """The hybrid note, when the text shows at least ``HYBRID_SIGNALS`` signals of each role of a hybrid
    pair (deep domain experience *and* product-type expertise) and one of them is listed in the top three."""
    role_ids = ctx.corpus.role_ids
    top3 = {role_ids[int(j)] for j in order[:3]}
    texts = [s.text for s in doc.spans]
    for edge in ctx.graph.hybrid_pairs():
        pair = (edge.origin, edge.target)
        if not top3 & set(pair):
            continue
        shown = []
        for r in pair:
            signals, vectors = _signals(ctx, role_ids.index(r))
            shown.append(sum(a.shown for a in assess(signals, vectors, doc.span_vectors, texts)))
        if min(shown) >= HYBRID_SIGNALS:
            titles = " and ".join(ctx.corpus.role(r).title for r in pair)
            return {
                "roles": list(pair),
                "note": f"Your text shows both sides ({titles}): the hybrid that the article calls the "
                "ultimate career leverage.",
                "signals_shown": dict(zip(pair, shown)),
                "quotes": [asdict(q) for q in edge.quotes[:2]],
            }
    return None


def plan_paths(
    ctx: Context, doc: EncodedText, scores: Scores, i: int, moves: int = MAX_MOVES
) -> dict[str, Any]:
    """Current role and the ``moves`` best next moves for document ``i`` of ``scores`` (a ``Scores``).

    Moves are edges from the current role (and a close runner-up), ranked by readiness: the mean of the
    target's fused score, its similarity and the share of its signals the text shows.
    """
    role_ids = ctx.corpus.role_ids
    score, similarity = scores.score[i], scores.similarity[i]
    in_set = ()
    if scores.in_set is not None:
        in_set = tuple(role_ids[j] for j in np.flatnonzero(scores.in_set[i]))
    order = listed_order(score, scores.confidence[i])
    starts = origins(score, order, ctx.graph, role_ids, in_set)
    current = starts[0]
    hybrid = hybrid_note(ctx, doc, order)
    hybrid_roles = set(hybrid["roles"]) if hybrid else set()
    candidates: dict[str, dict[str, Any]] = {}
    for j in starts:
        for edge in ctx.graph.from_role(role_ids[j]):
            if edge.target == role_ids[current] or (edge.kind == "hybrid" and edge.target in hybrid_roles):
                continue
            t = role_ids.index(edge.target)
            move = plan_move(ctx, doc, edge, float(score[t]), float(similarity[t]))
            if edge.target not in candidates or move["readiness"] > candidates[edge.target]["readiness"]:
                candidates[edge.target] = move
    ranked = sorted(candidates.values(), key=lambda m: -m["readiness"])[:moves]
    role = ctx.corpus.roles[current]
    also = [
        {"id": role_ids[j], "title": ctx.corpus.roles[j].title, "score": float(score[j])} for j in starts[1:]
    ]
    note = "" if ranked or hybrid else _no_move_note(ctx, role.id)
    return {
        "current": {
            "id": role.id,
            "title": role.title,
            "score": float(score[current]),
            "confidence": float(scores.confidence[i, current]),
            "weak": bool(scores.abstain[i]),
        },
        "also_close": also,
        "moves": ranked,
        "hybrid": hybrid,
        "note": note,
    }


def _no_move_note(ctx: Context, role_id: str) -> str:
    title = ctx.corpus.role(role_id).title
    sources = sorted({ctx.corpus.role(e.origin).title for e in ctx.graph.edges if e.target == role_id})
    if not sources:
        return f"The articles describe no move from or to {title}."
    return (
        f"The articles describe no move from {title}; they describe it as a destination "
        f"(from {', '.join(sources)})."
    )


# --------------------------------------------------------------------------- matcher glue

_CONTEXTS: weakref.WeakKeyDictionary[Any, Context] = weakref.WeakKeyDictionary()


def context_for(matcher: Any) -> Context:
    """The planning context of a ``RoleMatcher``: its graph (``paths.yaml`` beside the corpus's articles)
    loaded and the graph's ``requires`` embedded once, then cached for the matcher's lifetime."""
    ctx = _CONTEXTS.get(matcher)
    if ctx is None:
        graph = load_graph(default_graph_path(matcher.corpus), matcher.corpus)
        phrases = sorted({r for e in graph.edges for r in e.requires})
        vectors = np.asarray(matcher.embedder.encode(phrases), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        ctx = Context(matcher.corpus, matcher.index, graph, dict(zip(phrases, vectors)))
        _CONTEXTS[matcher] = ctx
        logger.info("Paths - loaded %d edges, embedded %d requirements", len(graph.edges), len(phrases))
    return ctx


def attach_paths(
    matcher: Any, docs: Sequence[EncodedText], scores: Scores, results: Sequence[MatchResult]
) -> list[MatchResult]:
    """``results`` with ``paths`` filled in (``MatchResult`` is frozen: new objects are returned)."""
    ctx = context_for(matcher)
    return [
        replace(r, paths=plan_paths(ctx, doc, scores, i)) for i, (doc, r) in enumerate(zip(docs, results))
    ]
