"""``RoleMatcher``: the corpus, its index, an embedder and a ranker, composed in a few lines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from . import persist
from .config import DEFAULT_BACKEND, index_backend, resolve_catalog
from .corpus import Corpus, load_corpus, role_catalog
from .embed import EncodedText, encode_documents, load_embedder
from .explain import closest_outside, named_outside, rank_evidence, rank_quotes, title_evidence
from .index import CorpusIndex
from .rank import (
    DocFeatures,
    Ranker,
    Scores,
    SimilarityBackboneRanker,
    SimilarityRanker,
    featurize_docs,
    listed_order,
)
from .results import UNCALIBRATED, Evidence, MatchResult, Occupation, Quote, RoleMatch, TitleMatch
from .threads import single_threaded_blas

logger = logging.getLogger(__name__)

WEAK_CONFIDENCE = 0.15


class RoleMatcher:
    """Match a resume or bio to the roles of the catalog, with quotes and evidence.

    Build one with ``RoleMatcher.load()`` (checked artifacts from ``models/``).
    """

    def __init__(
        self,
        corpus: Corpus,
        index: CorpusIndex,
        embedder: Any,
        ranker: Ranker | None = None,
        manifest: dict[str, Any] | None = None,
        models_dir: Path | None = None,
    ) -> None:
        self.corpus = corpus
        self.models_dir = models_dir
        self.index = index
        self.embedder = embedder
        self.ranker = ranker or SimilarityRanker()
        self.manifest = manifest or {}
        self.model_version = persist.model_version(self.manifest) if manifest else "unversioned"

    @classmethod
    def load(
        cls,
        models_dir: str | Path | None = None,
        corpus_dir: str | Path | None = None,
        backend: str = DEFAULT_BACKEND,
        embedder: Any = None,
        catalog: str | Path | None = None,
    ) -> RoleMatcher:
        """Load a catalog and its checked artifacts; raises ``ArtifactError`` with the fix if stale.

        ``catalog``: a catalog folder (see ``matcher.config``); default ``$ROLEMATCH_CATALOG``, else the
        bundled one. ``corpus_dir``/``models_dir`` override its sources/models folders.
        """
        from .fused import load_ranker

        found = resolve_catalog(catalog)
        corpus = load_corpus(Path(corpus_dir) if corpus_dir else found.corpus_dir)
        models = Path(models_dir) if models_dir else found.models_dir(backend)
        rebuild = found.build_command(backend)
        rebuild += f" --corpus {corpus_dir}" if corpus_dir else ""
        rebuild += f" --models {models_dir}" if models_dir else ""
        persist.read_manifest(models, rebuild)  # an unbuilt catalog fails before the model loads
        embedder = embedder or load_embedder(backend)
        index, manifest = persist.load_index(models, corpus, embedder, index_backend(backend), rebuild)
        ranker = load_ranker(models, manifest, rebuild)
        if isinstance(ranker, SimilarityRanker):  # no labelled examples: similarity and the backbone
            ranker = SimilarityBackboneRanker()
        return cls(corpus, index, embedder, ranker, manifest, models)

    @property
    def calibrated(self) -> bool:
        """True when the confidence was calibrated on labelled examples (a trained ranker)."""
        return not isinstance(self.ranker, (SimilarityRanker, SimilarityBackboneRanker))

    @property
    def catalog_name(self) -> str:
        return self.corpus.name or "catalog"

    @property
    def has_paths(self) -> bool:
        """True when the catalog has career paths (``paths.yaml`` beside its articles)."""
        from .paths import default_graph_path

        return default_graph_path(self.corpus).is_file()

    @property
    def corpus_dir(self) -> Path | None:
        return self.corpus.root

    # ------------------------------------------------------------------ matching

    @overload
    def match(self, text: str, top: int = ..., quotes: int = ..., paths: bool = ...) -> MatchResult: ...
    @overload
    def match(
        self, text: Sequence[str], top: int = ..., quotes: int = ..., paths: bool = ...
    ) -> list[MatchResult]: ...

    def match(self, text, top: int = 5, quotes: int = 3, paths: bool = False):
        """Rank the roles for one text (→ ``MatchResult``) or a list of texts (→ list).

        ``top``: how many roles to return (1..n_roles); ``quotes``: quotes per role (0..5);
        ``paths``: also fill ``MatchResult.paths`` (next moves, strengths and gaps; see ``matcher.paths``).
        Raises ``InputTextError`` for empty, binary or oversized text.
        """
        if isinstance(text, (str, bytes)):
            return self.match_many([text], top=top, quotes=quotes, paths=paths)[0]
        return self.match_many(list(text), top=top, quotes=quotes, paths=paths)

    def match_file(self, path: str | Path, top: int = 5, quotes: int = 3, paths: bool = False) -> MatchResult:
        """Read a resume file (.pdf, .docx, .txt, .md; see ``matcher.read.read_file``) and match it; the
        reader's warnings come first in ``warnings``. Raises a ``FileReadError`` for a bad file."""
        from .read import read_file

        document = read_file(path)
        return self.match(document.text, top=top, quotes=quotes, paths=paths).after_reading(document.warnings)

    def match_many(
        self, texts: Sequence[str], top: int = 5, quotes: int = 3, paths: bool = False
    ) -> list[MatchResult]:
        """Match several texts in one batched encoder pass; raises on the first bad text."""
        top = _check_range("top", top, 1, len(self.corpus.roles))
        quotes = _check_range("quotes", quotes, 0, 5)
        docs = encode_documents(self.embedder, texts)
        with single_threaded_blas():
            scores = self.score_documents(docs)
            results = [self._result(doc, scores, i, top, quotes) for i, doc in enumerate(docs)]
            if paths and self.has_paths:  # a catalog without paths.yaml: ``paths`` stays None
                from .paths import attach_paths

                results = attach_paths(self, docs, scores, results)
        return results

    def score_frame(
        self,
        frame: Any,
        text_column: str = "text",
        id_column: str | None = None,
        top: int = 3,
        quotes: int = 1,
        include_text: bool = False,
        keep_columns: Sequence[str] = (),
    ) -> Any:
        """Score every row of a pandas DataFrame: one output row per input row, same order and index
        (``id``/``row``, ``keep_columns``, ``status, error, warning, abstain, fit, model_version``, then
        ``role_i, title_i, score_i, confidence_i, quote_i, evidence_i``). Bad rows get
        ``status="error"`` and a reason; see ``matcher.batch.score_frame``."""
        from .batch import score_frame

        return score_frame(
            self,
            frame,
            text_column=text_column,
            id_column=id_column,
            top=top,
            quotes=quotes,
            include_text=include_text,
            keep_columns=keep_columns,
        )

    def rank_frame(
        self,
        frame: Any,
        role: str | Sequence[str],
        text_column: str = "text",
        id_column: str | None = None,
        top: int | None = None,
        min_confidence: float = 0.0,
        keep_columns: Sequence[str] = (),
    ) -> Any:
        """The rows of a pandas DataFrame sorted by how well ``role`` fits each person, best first: by the
        confidence, or without labelled examples by the role's similarity score, "no strong fit" last
        (``rank, id, kept…, confidence_<role>, evidence_<role>, quote_<role>, fit, …``; a list of roles:
        columns for each, sorted by the first). See ``matcher.batch.rank.rank_frame`` and ``candidate_key``."""
        from .batch.rank import rank_frame

        return rank_frame(
            self,
            frame,
            role,
            text_column=text_column,
            id_column=id_column,
            top=top,
            min_confidence=min_confidence,
            keep_columns=keep_columns,
        )

    def score_documents(self, docs: Sequence[EncodedText]) -> Scores:
        """Scores for already-encoded documents: arrays ``(n_docs, n_roles)``.

        A row's scores do not depend on which other rows it is ranked with: the features are per
        document, and the ranker sees them in float64 (see ``batch_invariant``).
        """
        return self.ranker.rank(batch_invariant(featurize_docs(docs, self.index)))

    def _result(self, doc: EncodedText, scores: Scores, i: int, top: int, n_quotes: int) -> MatchResult:
        ranked = listed_order(scores.score[i], scores.confidence[i])
        order = ranked[:top]
        abstain = bool(scores.abstain[i])
        roles = tuple(self._role_match(doc, scores, i, int(j), n_quotes, abstain) for j in order)
        role_set: tuple[str, ...] = ()
        if scores.in_set is not None:
            role_set = tuple(self.corpus.roles[j].id for j in ranked if scores.in_set[i, j])
        return MatchResult(
            roles=roles,
            fit=float(scores.fit[i]),
            abstain=abstain,
            model_version=self.model_version,
            n_sentences=len(doc.spans),
            n_chunks=len(doc.chunks),
            role_set=role_set,
            coverage=scores.coverage,
            analysed_text=doc.text,
            closest_occupation=self._closest_occupation(doc) if named_outside(doc, abstain) else None,
            titles=tuple(t.text for t in doc.titles),
            catalog=self.catalog_name,
            confidence_calibrated=self.calibrated,
            confidence_note=None if self.calibrated else UNCALIBRATED,
            warnings=doc.notes,
        )

    def _closest_occupation(self, doc: EncodedText) -> Occupation | None:
        found = closest_outside(doc, self.index)
        if found is None or self.corpus.backbone is None:
            return None
        occ = self.corpus.backbone.occupations[found[0]]
        return Occupation(occ.code, occ.title, found[1], inside=False)

    def _title_match(self, doc: EncodedText, j: int) -> TitleMatch | None:
        found = title_evidence(doc, self.index, j)
        if found is None or self.corpus.backbone is None:
            return None
        t, ref, score = found
        b = self.corpus.backbone
        occ_index = int(self.index.title_occupations[ref])
        occ = b.occupations[occ_index] if occ_index >= 0 else None
        title = doc.titles[t]
        return TitleMatch(
            title.text,
            title.start,
            title.end,
            b.titles[ref],
            occ.code if occ else None,
            occ.title if occ else None,
            score,
        )

    def _role_match(self, doc: EncodedText, scores: Scores, i: int, j: int, n_quotes: int, abstain: bool):
        role = self.corpus.roles[j]
        confidence = float(scores.confidence[i, j])
        quotes = []
        for p, score, span in rank_quotes(doc, self.index, j, n_quotes):
            passage = self.corpus.passages[p]
            article = self.corpus.articles[passage.article]
            s = doc.spans[span]
            quotes.append(
                Quote(
                    text=passage.text,
                    source=f"articles/{article.path.name}",
                    title=article.title,
                    section=passage.section,
                    start=passage.start,
                    end=passage.end,
                    score=score,
                    matched=Evidence(
                        s.text, s.start, s.end, float(doc.span_vectors[span] @ self.index.passage_vectors[p])
                    ),
                )
            )
        evidence = tuple(
            Evidence(doc.spans[k].text, doc.spans[k].start, doc.spans[k].end, score)
            for k, score in rank_evidence(doc, self.index, j, 3)
        )
        classifier = None if scores.classifier is None else float(scores.classifier[i, j])
        conditional = None if scores.conditional is None else float(scores.conditional[i, j])
        return RoleMatch(
            id=role.id,
            title=role.title,
            score=float(scores.score[i, j]),
            confidence=confidence,
            similarity=float(scores.similarity[i, j]),
            classifier=classifier,
            weak=abstain or confidence < WEAK_CONFIDENCE,
            quotes=tuple(quotes),
            evidence=evidence,
            conditional_confidence=conditional,
            title_match=self._title_match(doc, j),
        )

    # ------------------------------------------------------------------ catalog

    def roles(self) -> list[dict[str, Any]]:
        """The catalog: id, title, description, signals and the passages that ground each role."""
        return role_catalog(self.corpus)


def batch_invariant(features: DocFeatures) -> DocFeatures:
    """``features`` in float64, so that a row's scores do not depend on the batch it is ranked in.

    BLAS picks its kernels by the shape of the batch (gemv for one row, gemm tiles for many, edge
    tiles for the remainder), and in float32 that moved scores in the 7th digit between chunk sizes.
    In float64 the kernels differ only in the last bits of a double (~1e-16), which the outputs,
    rounded to 4-6 decimals, do not show.
    """
    return DocFeatures(
        vectors=features.vectors.astype(np.float64),
        similarity=features.similarity.astype(np.float64),
        chunks=tuple(c.astype(np.float64) for c in features.chunks),
        backbone=features.backbone.astype(np.float64),
        world=features.world.astype(np.float64),
        too_short=features.too_short,
    )


def _check_range(name: str, value: int, low: int, high: int) -> int:
    if not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def load(models_dir: str | Path | None = None, backend: str = DEFAULT_BACKEND, **kwargs: Any) -> RoleMatcher:
    """Shortcut for ``RoleMatcher.load``."""
    return RoleMatcher.load(models_dir=models_dir, backend=backend, **kwargs)
