"""``RoleMatcher``: the corpus, its index, an embedder and a ranker, composed in a few lines."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from . import persist
from .config import DEFAULT_BACKEND, index_backend, resolve_catalog
from .corpus import Corpus, load_corpus, role_catalog
from .embed import EncodedText, encode_documents, load_embedder, prepare_text
from .errors import InputTextError
from .explain import closest_outside, evidence_span, named_outside, rank_evidence, rank_quotes, title_evidence
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

    Build one with ``RoleMatcher.load()`` (checked artifacts from ``models/``). Its ``repr``:
    ``RoleMatcher(catalog='rolematch (bundled)', roles=14, backend='onnx', model_version='49dc59ac9a19',
    calibrated=True)``.
    """

    def __init__(
        self,
        corpus: Corpus,
        index: CorpusIndex,
        embedder: Any,
        ranker: Ranker | None = None,
        manifest: dict[str, Any] | None = None,
        models_dir: Path | None = None,
        backend: str | None = None,
    ) -> None:
        self.corpus = corpus
        self.backend = backend  # the embedding backend's name (``load``'s), for the repr
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
        return cls(corpus, index, embedder, ranker, manifest, models, backend=backend)

    def __repr__(self) -> str:
        backend = self.backend or getattr(self.embedder, "name", type(self.embedder).__name__)
        return (
            f"RoleMatcher(catalog={self.catalog_name!r}, roles={len(self.corpus.roles)}, "
            f"backend={backend!r}, model_version={self.model_version!r}, calibrated={self.calibrated})"
        )

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
        """Rank the roles for one text (a ``str`` → ``MatchResult``) or a list of texts (→ list).

        ``top``: how many roles to return, 1..n_roles (default 5); ``quotes``: quotes per role, 0..5
        (default 3); ``paths``: also fill ``MatchResult.paths`` (next moves, strengths and gaps; see
        ``matcher.paths``; default False). ``rolematch match`` shows fewer by default: 3 roles, 2 quotes.
        Raises ``InputTextError`` for anything but a str or a list of str, and for empty, binary or
        oversized text (in a list: naming the text's index, "text at index 1 (of 2): ...").
        """
        if isinstance(text, (str, bytes)):
            return self._match([text], top, quotes, paths, one=True)[0]
        return self._match(_text_list(text), top, quotes, paths)

    def match_file(self, path: str | Path, top: int = 5, quotes: int = 3, paths: bool = False) -> MatchResult:
        """Read a resume file (.pdf, .docx, .txt, .md; see ``matcher.read.read_file``) and match it; the
        reader's warnings come first in ``warnings``. ``top`` (default 5), ``quotes`` (default 3) and
        ``paths`` (default False) as for ``match``. Raises a ``FileReadError`` for a bad file, and
        ``InputTextError`` when ``path`` is not a path (a str or ``pathlib.Path``)."""
        from .read import read_file

        if not isinstance(path, (str, os.PathLike)):
            raise InputTextError(
                f"match_file expects a file path (a str or pathlib.Path), got {_type_name(path)}"
                + ("; for the text itself use match(text)" if isinstance(path, bytes) else "")
            )
        document = read_file(path)
        return self.match(document.text, top=top, quotes=quotes, paths=paths).after_reading(document.warnings)

    def match_many(
        self, texts: Sequence[str], top: int = 5, quotes: int = 3, paths: bool = False
    ) -> list[MatchResult]:
        """Match a list of texts in one batched encoder pass (``top`` default 5, ``quotes`` default 3, ``paths``
        default False, as for ``match``); raises ``InputTextError`` on the first bad text, naming its index
        ("text at index 1 (of 2): the text is empty; ...")."""
        if isinstance(texts, (str, bytes)):
            raise InputTextError(
                f"match_many expects a list of str, got one {_type_name(texts)}; for one text use match(text)"
            )
        return self._match(_text_list(texts), top, quotes, paths)

    def _match(
        self, texts: list[Any], top: int, quotes: int, paths: bool, one: bool = False
    ) -> list[MatchResult]:
        top = _check_range("top", top, 1, len(self.corpus.roles))
        quotes = _check_range("quotes", quotes, 0, 5)
        try:
            docs = encode_documents(self.embedder, texts)
        except InputTextError as exc:
            if one:  # the caller's one text: the message needs no index
                raise
            raise _which_text(texts, exc) from exc
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
            s = evidence_span(doc, span)
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
        shown = [(evidence_span(doc, k), score) for k, score in rank_evidence(doc, self.index, j, 3)]
        evidence = tuple(Evidence(s.text, s.start, s.end, score) for s, score in shown)
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


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _text_list(texts: object) -> list[Any]:
    """``texts`` as a list, or ``InputTextError`` saying what was expected (a str, or a list of str)."""
    if isinstance(texts, (str, bytes)) or texts is None or isinstance(texts, (dict, int, float)):
        found = _type_name(texts)
    else:
        try:
            return list(texts)  # a list, tuple, generator, pandas Series... of texts
        except TypeError:
            found = _type_name(texts)
    raise InputTextError(f"expected a str (one text) or a list of str (several texts), got {found}")


def _which_text(texts: Sequence[Any], error: InputTextError) -> InputTextError:
    """``error`` for a list of texts, naming the first text that fails on its own: "text at index 1 (of 2):
    ..." (``texts[1]``). Checked only once the batch failed: a good batch is validated once."""
    for i, raw in enumerate(texts):
        if not isinstance(raw, (str, bytes)):
            return InputTextError(
                f"text at index {i} (of {len(texts)}): expected a str, got {_type_name(raw)}"
            )
        try:
            prepare_text(raw)
        except InputTextError as own:
            return InputTextError(f"text at index {i} (of {len(texts)}): {own}")
    return error


def _check_range(name: str, value: int, low: int, high: int) -> int:
    if not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def load(models_dir: str | Path | None = None, backend: str = DEFAULT_BACKEND, **kwargs: Any) -> RoleMatcher:
    """Shortcut for ``RoleMatcher.load``."""
    return RoleMatcher.load(models_dir=models_dir, backend=backend, **kwargs)
