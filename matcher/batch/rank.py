"""Rank candidates for a role: score every row of a table, then sort the people by how well they fit it.

A recruiter's question is "who of these 300 fits the product marketing opening?". Each row is scored
as in batch (same validation, same encoder pass, same ``RoleMatch.confidence``); the rows are then
sorted for the first role asked for, best first (ties keep input order; ``candidate_key`` says how: by
that role's confidence with a calibrated catalog, and with a catalog without labelled examples by the
role's similarity score, candidates with no strong fit last), and each role asked for gets its own
``confidence_<role>``, ``evidence_<role>`` (the person's sentence) and ``quote_<role>`` (the supporting
article passage) columns. Rows that cannot be scored come last, with the reason, unless ``top`` or
``min_confidence`` filter the ranking.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..embed import EncodedText
from ..errors import RolematchError
from ..threads import single_threaded_blas
from .frame import (
    DIGITS,
    Chunk,
    DuplicateTracker,
    chunk_scores,
    encode_chunk,
    format_quote,
    keep_names,
    plural,
    row_warning,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..matcher import RoleMatcher
    from .readers import Table

HEAD = ("rank",)
TAIL = ("fit", "abstain", "status", "error", "warning", "model_version")
PER_ROLE = ("confidence", "evidence", "quote")
#: How the people are ordered when the catalog's confidence is not calibrated (``candidate_key``).
UNCALIBRATED_ORDER = (
    "candidates are ordered by their similarity to the role, those with no strong fit last; the confidence "
    "is a share among this catalog's roles, which does not compare people"
)


class UnknownRoleError(RolematchError, ValueError):
    """A role asked for is not in the catalog."""


@dataclass(frozen=True)
class RankSpec:
    """What a ranking asks for: ``roles`` (catalog ids; the people are sorted by the first), the id
    column (``None``: row numbers), the carried-through columns (output names), and the filters:
    the best ``top`` people, those with confidence ≥ ``min_confidence`` for the first role."""

    roles: tuple[str, ...]
    id_column: str | None = None
    keep: tuple[str, ...] = ()
    top: int | None = None
    min_confidence: float = 0.0

    @property
    def key(self) -> str:
        return self.id_column or "row"

    def columns(self) -> list[str]:
        """``rank, id, kept…, confidence_<role>, evidence_<role>, quote_<role> (per role), fit, abstain,
        status, error, warning, model_version``."""
        per_role = [f"{name}_{role}" for role in self.roles for name in PER_ROLE]
        return [*HEAD, self.key, *self.keep, *per_role, *TAIL]

    @property
    def filtered(self) -> bool:
        return self.top is not None or self.min_confidence > 0


# ------------------------------------------------------------------------------------------ roles


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _closest_roles(slug: str, by_slug: dict[str, str], most: int = 3) -> list[str]:
    """The roles a mistyped or partial name may mean: those whose id or title has all its words
    ("sales" → sales-business-development), else the closest spelling."""
    words = set(slug.split("-"))
    having = list(dict.fromkeys(role for key, role in by_slug.items() if words <= set(key.split("-"))))
    if having:
        return having[:most]
    return [by_slug[c] for c in difflib.get_close_matches(slug, list(by_slug), n=1, cutoff=0.5)]


def resolve_roles(catalog: Sequence[tuple[str, str]], asked: Iterable[str]) -> tuple[str, ...]:
    """Catalog ids for ``asked`` (an id, or a title in any case: "Product Marketing Manager"), in order,
    without repeats. Raises ``UnknownRoleError`` listing the valid ids, with the closest one."""
    by_slug = {}
    for role_id, title in catalog:
        by_slug.setdefault(_slug(role_id), role_id)
        by_slug.setdefault(_slug(title), role_id)
    ids = [role_id for role_id, _ in catalog]
    out: list[str] = []
    for name in asked:
        role_id = by_slug.get(_slug(str(name)))
        if role_id is None:
            close = _closest_roles(_slug(str(name)), by_slug)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            raise UnknownRoleError(
                f"unknown role {name!r}; {hint}valid role ids: {', '.join(ids)} (see `rolematch roles`)"
            )
        if role_id not in out:
            out.append(role_id)
    if not out:
        raise UnknownRoleError(f"name at least one role to rank by; valid role ids: {', '.join(ids)}")
    return tuple(out)


# ------------------------------------------------------------------------------------------ scoring


def candidate_key(confidence: float, score: float, abstain: bool, calibrated: bool) -> tuple[float, ...]:
    """How one person sorts for a role, largest first: ``confidence``, ``score`` (``RoleMatch``'s, for
    that role) and ``abstain`` (the result's "no strong fit").

    Calibrated (a trained ranker): ``(confidence,)``, the probability that the role is right for the
    person, counting the chance that none fits: it is on one scale for everyone, and a person who fits
    nothing gets little of it.

    Not calibrated (a catalog without labelled examples): the confidence is ``fit × share``, the share a
    softmax of the person's similarities over the catalog's roles. A share answers "which role, for this
    person?", not "which person, for this role?": it is relative to the person's other roles, so someone
    who fits no role spreads a flat share over a small catalog and gets more of the role than someone who
    fits another role well (a nurse at 6.9% above a product manager, for a backend opening). The key is
    ``(fits, score, confidence)``: first the people who fit some role (``abstain`` false), so that no one
    told "no strong fit" ranks above one who fits; then the role's score, the mean of the cosines between
    the person's text and the role (``rank.SimilarityBackboneRanker``), on one scale for everyone; the
    confidence breaks ties (scores are clipped at 0)."""
    if calibrated:
        return (confidence,)
    return (0.0 if abstain else 1.0, score, confidence)


def rank_chunk(matcher: RoleMatcher, chunk: Chunk, spec: RankSpec) -> list[dict[str, Any]]:
    """One unsorted record per input row, with the confidence, evidence and quote for each role of
    ``spec``; ``_order`` holds the first role's ``candidate_key`` (None: the row failed)."""
    calibrated = bool(getattr(matcher, "calibrated", True))
    stage = encode_chunk(matcher, chunk)
    docs = [(i, d) for i, d in enumerate(stage.encoded) if isinstance(d, EncodedText)]
    columns = [matcher.corpus.role_ids.index(r) for r in spec.roles]
    matches: dict[int, tuple[Any, list[Any]]] = {}
    if docs:
        with single_threaded_blas():
            scores = chunk_scores(matcher, [d for _, d in docs])
            for n, (i, doc) in enumerate(docs):
                abstain = bool(scores.abstain[n])
                roles = [matcher._role_match(doc, scores, n, j, 1, abstain) for j in columns]
                matches[i] = ((float(scores.fit[n]), abstain), roles)
    warnings = chunk.warnings or [None] * len(chunk)
    records = []
    for i, row in enumerate(chunk.rows):
        record: dict[str, Any] = {"rank": None, spec.key: chunk.ids[i] if chunk.ids is not None else row}
        values = chunk.kept[i] if chunk.kept is not None else [None] * len(spec.keep)
        record.update(zip(spec.keep, values))
        found = matches.get(i)
        for r, role_id in enumerate(spec.roles):
            role = found[1][r] if found else None
            record[f"confidence_{role_id}"] = None if role is None else round(role.confidence, DIGITS)
            record[f"evidence_{role_id}"] = role.evidence[0].text if role and role.evidence else ""
            record[f"quote_{role_id}"] = format_quote(role.quotes[0]) if role and role.quotes else ""
        encoded = stage.encoded[i]
        record["fit"] = round(found[0][0], DIGITS) if found else None
        record["abstain"] = found[0][1] if found else None
        record["status"] = "ok" if found else "error"
        record["error"] = "" if found else str(encoded)
        record["warning"] = row_warning(warnings[i], () if isinstance(encoded, str) else encoded.notes)
        record["model_version"] = matcher.model_version
        first = found[1][0] if found else None
        record["_order"] = (
            None if first is None else candidate_key(first.confidence, first.score, found[0][1], calibrated)
        )
        record["_row"] = row
        records.append(record)
    return records


def order(records: list[dict[str, Any]], spec: RankSpec) -> tuple[list[dict[str, Any]], list[int]]:
    """Sort by the first role's ``candidate_key``, best first (ties: input order), number the ranks, apply
    ``top`` and ``min_confidence`` (on the confidence as the output shows it); rows that failed come last,
    or not at all when filtering. Returns the records and their 1-based input row numbers."""
    ok = sorted(
        (r for r in records if r["_order"] is not None),
        key=lambda r: (tuple(-k for k in r["_order"]), r["_row"]),
    )
    ok = [r for r in ok if r[f"confidence_{spec.roles[0]}"] >= spec.min_confidence]
    if spec.top is not None:
        ok = ok[: spec.top]
    failed = [] if spec.filtered else [r for r in records if r["_order"] is None]
    out, rows = [], []
    for rank, record in enumerate(ok + failed, 1):
        rows.append(record["_row"])
        record = {k: v for k, v in record.items() if not k.startswith("_")}
        record["rank"] = rank if record["status"] == "ok" else None
        out.append(record)
    return out, rows


@dataclass
class Ranking:
    """A finished ranking: the sorted ``records`` (columns ``spec.columns()``), and what happened."""

    spec: RankSpec
    records: list[dict[str, Any]]
    rows: list[int]  # the 1-based input row of each record
    rows_ok: int
    rows_error: int

    def line(self) -> str:
        """The summary: how many people were ranked for which role, and how many rows failed."""
        roles = ", ".join(self.spec.roles)
        shown = sum(r["status"] == "ok" for r in self.records)
        kept = f"; showing the best {shown:,}" if self.spec.filtered else ""
        failed = f", {self.rows_error:,} could not be scored (status=error)" if self.rows_error else ""
        return f"ranked {plural(self.rows_ok, 'row')} by {roles}{failed}{kept}"


def rank_chunks(
    matcher: RoleMatcher, chunks: Iterable[Chunk], spec: RankSpec, on_chunk: Any = None
) -> Ranking:
    """Score ``chunks`` (duplicate ids flagged) and sort them; ``on_chunk(n_rows)`` after each chunk."""
    duplicates = DuplicateTracker()
    records: list[dict[str, Any]] = []
    for chunk in chunks:
        part = rank_chunk(matcher, chunk, spec)
        if spec.id_column:
            duplicates.flag(part, chunk.rows, spec.key)
        records += part
        if on_chunk is not None:
            on_chunk(len(chunk))
    errors = sum(r["_order"] is None for r in records)
    ordered, rows = order(records, spec)
    return Ranking(spec, ordered, rows, len(records) - errors, errors)


def rank_table(
    matcher: RoleMatcher,
    table: Table,
    roles: Sequence[str],
    top: int | None = None,
    min_confidence: float = 0.0,
    on_chunk: Any = None,
) -> Ranking:
    """``table``'s candidates (``rolematch rank``'s input, read by ``batch.files.open_input``) sorted for
    the first role (``candidate_key``), its kept columns carried; ``on_chunk`` as for ``rank_chunks``."""
    spec = make_spec(matcher, roles, table.id_column, top, min_confidence)
    spec = replace(spec, keep=keep_names(table.columns, table.keep, spec.columns()))
    return rank_chunks(matcher, table.chunks, spec, on_chunk=on_chunk)


def rank_frame(
    matcher: RoleMatcher,
    frame: pd.DataFrame,
    role: str | Sequence[str],
    text_column: str = "text",
    id_column: str | None = None,
    top: int | None = None,
    min_confidence: float = 0.0,
    keep_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """The rows of ``frame`` sorted by how well ``role`` (an id or title, or a list: one set of columns
    each, sorted by the first) fits them, best first (``candidate_key``: the confidence with a calibrated
    catalog); the index keeps the input's labels.

    Columns: as ``RankSpec.columns()``. Rows that fail come last with ``status="error"`` (left out when
    ``top`` or ``min_confidence`` is given). Raises ``UnknownRoleError`` or ``ColumnError`` with the fix.
    """
    import pandas as pd

    from .readers import frame_table

    table = frame_table(frame, text_column, id_column, keep_columns)
    ranking = rank_table(matcher, table, [role] if isinstance(role, str) else role, top, min_confidence)
    out = pd.DataFrame.from_records(ranking.records, columns=ranking.spec.columns())
    out.index = frame.index.take([row - 1 for row in ranking.rows])
    out["rank"] = out["rank"].astype("Int64")  # failed rows have no rank
    return out


def make_spec(
    matcher: RoleMatcher,
    roles: Sequence[str],
    id_column: str | None,
    top: int | None = None,
    min_confidence: float = 0.0,
    keep: Sequence[str] = (),
) -> RankSpec:
    """A checked ``RankSpec``: known roles, ``top`` ≥ 1, ``min_confidence`` in [0, 1]."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive integer or None, got {top!r}")
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise ValueError(f"min_confidence must be a probability from 0 to 1, got {min_confidence!r}")
    catalog = [(r.id, r.title) for r in matcher.corpus.roles]
    return RankSpec(resolve_roles(catalog, roles), id_column, tuple(keep), top, float(min_confidence))
