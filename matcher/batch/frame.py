"""Score a table of texts: one output row per input row, in order, whatever the rows hold.

Every row is checked on its own (``textproc.validate``); the valid ones are embedded in one
batched encoder pass (``encode_documents``), scored together, and turned into flat rows
(``id``, kept input columns, ``status, error, warning, abstain, fit, model_version``, then per role
``role_i, title_i, score_i, confidence_i, quote_i, evidence_i``) or, for JSONL, records that carry the
whole ``MatchResult.to_dict()``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..embed import EncodedText, encode_documents
from ..errors import InputTextError
from ..results import UNCALIBRATED as UNCALIBRATED_NOTE
from ..results import MatchResult, RoleMatch
from ..textproc import MAX_CHARS, validate
from ..threads import single_threaded_blas

if TYPE_CHECKING:  # pandas stays out of `rolematch --help`
    import pandas as pd

    from ..matcher import RoleMatcher

logger = logging.getLogger(__name__)

CHUNK_ROWS = 512
BASE_COLUMNS = ("status", "error", "warning", "abstain", "fit", "closest_occupation", "model_version")
DIGITS = 4  # scores, confidences and fit are rounded to 4 decimals in every output format
ROLE_COLUMNS = ("role", "title", "score", "confidence", "quote", "evidence")


@dataclass(frozen=True)
class BatchSpec:
    """What a batch asks for; small and picklable, as it travels to worker processes.

    ``id_column``: the input column of ids (``None``: rows are named by their 1-based number);
    ``top``: roles per row; ``quotes``: quotes per role (flat rows show the best one);
    ``nested``: records with the full result (JSONL) instead of flat columns;
    ``keep``: input columns carried through (output names), right after the id.
    """

    text_column: str = "text"
    id_column: str | None = None
    top: int = 3
    quotes: int = 1
    include_text: bool = False
    nested: bool = False
    keep: tuple[str, ...] = ()
    calibrated: bool = True  # False: a catalog without labelled examples (a ``confidence_note`` column)

    @property
    def key(self) -> str:
        """Name of the first output column: the id column, or ``row``."""
        return self.id_column or "row"

    def columns(self) -> list[str]:
        """The flat output columns, in order."""
        columns = [self.key, *self.keep, *BASE_COLUMNS]
        if not self.calibrated:
            columns.append("confidence_note")
        for i in range(1, self.top + 1):
            columns += [f"{name}_{i}" for name in ROLE_COLUMNS]
        if self.include_text:
            columns.append(self.text_column)
        return columns


@dataclass
class Chunk:
    """Consecutive input rows: 1-based ``rows``, raw ``texts``, ``ids`` (or ``None``), and per row the
    problem the reader found (a ragged or unparsable row: not scored) and a warning (e.g. decoding);
    ``kept``: per row, the values of the input columns carried through (``BatchSpec.keep``)."""

    rows: list[int]
    texts: list[Any]
    ids: list[str] | None = None
    problems: list[str | None] = field(default_factory=list)
    warnings: list[str | None] = field(default_factory=list)
    kept: list[list[Any]] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def part(self, start: int, stop: int | None = None) -> Chunk:
        """The rows ``start:stop`` of this chunk, with their ids, problems, warnings and kept values."""
        return Chunk(
            self.rows[start:stop],
            self.texts[start:stop],
            None if self.ids is None else self.ids[start:stop],
            self.problems[start:stop],
            self.warnings[start:stop],
            None if self.kept is None else self.kept[start:stop],
        )


# ------------------------------------------------------------------------------------------ scoring


def encode_texts(matcher: RoleMatcher, texts: Sequence[Any]) -> list[EncodedText | str]:
    """An ``EncodedText`` or an error message per text; the valid texts share one batched encoder pass."""
    out: list[EncodedText | str | None] = [None] * len(texts)
    todo = []
    for i, raw in enumerate(texts):
        if isinstance(raw, str) and raw.strip() and len(raw) <= MAX_CHARS and "\x00" not in raw:
            todo.append(i)  # validated inside encode_documents: checked once in the common case
        else:
            message = _check(raw)
            if message:
                out[i] = message
            else:
                todo.append(i)
    for i, doc in zip(todo, _encode_valid(matcher, [texts[i] for i in todo])):
        out[i] = doc
    return out  # type: ignore[return-value]


def rank_encoded(
    matcher: RoleMatcher, encoded: Sequence[EncodedText | str], top: int, quotes: int
) -> list[MatchResult | str]:
    """``MatchResult`` per encoded text (ranked together), error messages passed through."""
    docs = [d for d in encoded if not isinstance(d, str)]
    if not docs:
        return list(encoded)  # type: ignore[arg-type]
    with single_threaded_blas():  # tiny matrices: BLAS threads only fight torch's for the cores
        scores = chunk_scores(matcher, docs)
        results = iter([matcher._result(doc, scores, i, top, quotes) for i, doc in enumerate(docs)])
    return [d if isinstance(d, str) else next(results) for d in encoded]


def chunk_scores(matcher: RoleMatcher, docs: Sequence[EncodedText]) -> Any:
    """``matcher.score_documents(docs)``, with the catalog's masks prepared once (``flat.featurize_chunk``)."""
    from .flat import featurize_chunk, index_tables, rank_features

    return rank_features(matcher, featurize_chunk(docs, matcher.index, index_tables(matcher)))


def score_texts(matcher: RoleMatcher, texts: Sequence[Any], top: int, quotes: int) -> list[MatchResult | str]:
    """A ``MatchResult`` or an error message per text (``encode_texts`` then ``rank_encoded``)."""
    return rank_encoded(matcher, encode_texts(matcher, texts), top, quotes)


def _check(raw: Any) -> str | None:
    """The validation error of one text, or ``None``."""
    try:
        validate(_as_text(raw))
    except InputTextError as exc:
        return for_batch(str(exc))
    return None


#: The fixes that ``textproc.validate`` suggests to someone typing one text, said for a table cell.
_BATCH_FIXES = {
    "paste a resume or a short bio (a few sentences)": "fill the cell with a resume or a short bio",
    "paste the resume itself, not a whole document archive": "put only the resume in the cell",
    "paste a resume or bio in words": "the cell should hold a resume or bio in words",
    "paste plain text": "the cell should hold plain text",
    "save it again as UTF-8 or paste the text": "save the file again as UTF-8",
}


def for_batch(message: str) -> str:
    """A text-validation message worded for a row of a table (no "paste")."""
    for typed, cell in _BATCH_FIXES.items():
        message = message.replace(typed, cell)
    return re.sub(r"\bpaste\b", "put", message)


def _as_text(raw: Any) -> Any:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ""  # a missing cell is an empty text
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)
    return raw


def _encode_valid(matcher: RoleMatcher, texts: list[Any]) -> list[EncodedText | str]:
    if not texts:
        return []
    texts = [_as_text(t) for t in texts]
    try:
        return list(encode_documents(matcher.embedder, texts))
    except InputTextError:  # some text failed validation: find which, encode the rest
        messages = [_check(t) for t in texts]
        good = [i for i, m in enumerate(messages) if m is None]
        out: list[EncodedText | str] = [m or "" for m in messages]
        for i, doc in zip(good, _encode_valid(matcher, [texts[i] for i in good])):
            out[i] = doc
        return out
    except Exception:  # noqa: BLE001 - one odd text must not sink the whole chunk: isolate it
        if len(texts) == 1:
            logger.exception("Batch - a row could not be encoded")
            return ["the text could not be scored (internal error; see the log with -v)"]
        return [r for t in texts for r in _encode_valid(matcher, [t])]


@dataclass
class EncodedChunk:
    """A chunk after validation and embedding: per row an ``EncodedText`` or an error message."""

    chunk: Chunk
    encoded: list[EncodedText | str]


def encode_chunk(matcher: RoleMatcher, chunk: Chunk) -> EncodedChunk:
    """Stage 1 (the encoder): validate and embed the rows the reader could parse."""
    problems = chunk.problems or [None] * len(chunk)
    fine = [i for i in range(len(chunk)) if problems[i] is None]
    encoded: list[EncodedText | str] = [p or "" for p in problems]
    for i, doc in zip(fine, encode_texts(matcher, [chunk.texts[i] for i in fine])):
        encoded[i] = doc
    return EncodedChunk(chunk, encoded)


def finish_chunk(matcher: RoleMatcher, stage: EncodedChunk, spec: BatchSpec) -> list[dict[str, Any]]:
    """Stage 2: rank, quote and format; one output record per input row, in order."""
    chunk = stage.chunk
    if not spec.nested and all(isinstance(d, str) or d.spans for d in stage.encoded):
        return _finish_flat(matcher, stage, spec)
    outcomes = rank_encoded(matcher, stage.encoded, spec.top, spec.quotes)
    warnings = chunk.warnings or [None] * len(chunk)
    version = matcher.model_version
    make = nested_record if spec.nested else flat_record
    records = []
    for i, (row, outcome) in enumerate(zip(chunk.rows, outcomes)):
        key: Any = chunk.ids[i] if chunk.ids is not None else row
        result = outcome if isinstance(outcome, MatchResult) else None
        error = "" if result is not None else str(outcome)
        notes = row_warning(warnings[i], result.warnings if result is not None else ())
        text = chunk.texts[i] if spec.include_text else None
        record = make(spec, key, error, notes, result, version, text)
        if spec.keep:
            record = _with_kept(record, spec, chunk.kept[i] if chunk.kept is not None else None)
        records.append(record)
    return records


def _finish_flat(matcher: RoleMatcher, stage: EncodedChunk, spec: BatchSpec) -> list[dict[str, Any]]:
    """``finish_chunk`` for flat rows: the cells come from array operations over the chunk
    (``flat.flat_cells``), not from a ``MatchResult`` per row."""
    from .flat import flat_cells

    chunk = stage.chunk
    docs = [d for d in stage.encoded if not isinstance(d, str)]
    cells = iter(flat_cells(matcher, docs, spec.top, spec.quotes))
    warnings = chunk.warnings or [None] * len(chunk)
    version = matcher.model_version
    records = []
    for i, (row, outcome) in enumerate(zip(chunk.rows, stage.encoded)):
        key: Any = chunk.ids[i] if chunk.ids is not None else row
        text = chunk.texts[i] if spec.include_text else None
        error = str(outcome) if isinstance(outcome, str) else ""
        notes = row_warning(warnings[i], () if isinstance(outcome, str) else outcome.notes)
        record = flat_record(spec, key, error, notes, None, version, text)
        if not isinstance(outcome, str):
            record["status"] = "ok"
            record.update(next(cells))
        if spec.keep:
            record = _with_kept(record, spec, chunk.kept[i] if chunk.kept is not None else None)
        records.append(record)
    return records


def row_warning(reader: str | None, notes: Sequence[str]) -> str:
    """A row's ``warning`` cell: the reader's (decoding; a file's repairs), then the text stage's notes
    that it does not already say."""
    return "; ".join(filter(None, [reader, *(n for n in notes if n not in (reader or ""))]))


def _with_kept(record: dict[str, Any], spec: BatchSpec, values: list[Any] | None) -> dict[str, Any]:
    """``record`` with the carried input columns right after the id."""
    values = values if values is not None else [None] * len(spec.keep)
    out = {spec.key: record.pop(spec.key)}
    out.update({name: _printable(value) for name, value in zip(spec.keep, values)})
    out.update(record)
    return out


def score_chunk(matcher: RoleMatcher, chunk: Chunk, spec: BatchSpec) -> list[dict[str, Any]]:
    """Output records for ``chunk`` (flat rows, or nested ones if ``spec.nested``), one per input row."""
    return finish_chunk(matcher, encode_chunk(matcher, chunk), spec)


# ------------------------------------------------------------------------------------------ records


def format_quote(quote) -> str:
    """``“text” (articles/x.md:120-250)``: the verbatim passage and where it is."""
    return f"“{quote.text}” ({quote.source}:{quote.start}-{quote.end})"


def role_cells(role: RoleMatch | None, suffix: str) -> dict[str, Any]:
    """``role_, title_, score_, confidence_, quote_, evidence_`` + suffix for one role (empty if none).

    ``quote`` is the article passage; ``evidence`` the person's own sentence that drove the match."""
    if role is None:
        return {f"{name}_{suffix}": None if name in ("score", "confidence") else "" for name in ROLE_COLUMNS}
    return {
        f"role_{suffix}": role.id,
        f"title_{suffix}": role.title,
        f"score_{suffix}": round(role.score, DIGITS),
        f"confidence_{suffix}": round(role.confidence, DIGITS),
        f"quote_{suffix}": format_quote(role.quotes[0]) if role.quotes else "",
        f"evidence_{suffix}": role.evidence[0].text if role.evidence else "",
    }


def _row_head(
    spec: BatchSpec, key: Any, error: str, warning: str, result: MatchResult | None
) -> dict[str, Any]:
    """The columns every output row starts with: id, status, error, warning."""
    return {spec.key: key, "status": "error" if result is None else "ok", "error": error, "warning": warning}


def flat_record(
    spec: BatchSpec,
    key: Any,
    error: str,
    warning: str,
    result: MatchResult | None,
    model_version: str,
    text: Any = None,
) -> dict[str, Any]:
    """One flat output row (columns as ``spec.columns()``)."""
    record = _row_head(spec, key, error, warning, result)
    record["abstain"] = None if result is None else result.abstain
    record["fit"] = None if result is None else round(result.fit, DIGITS)
    record["closest_occupation"] = _outside(result)
    record["model_version"] = model_version
    if not spec.calibrated:
        record["confidence_note"] = UNCALIBRATED_NOTE
    roles = result.roles if result is not None else ()
    for i in range(spec.top):
        role = roles[i] if i < len(roles) else None
        record.update(role_cells(role, str(i + 1)))
    if spec.include_text:
        record[spec.text_column] = _printable(text)
    return record


def nested_record(
    spec: BatchSpec,
    key: Any,
    error: str,
    warning: str,
    result: MatchResult | None,
    model_version: str,
    text: Any = None,
) -> dict[str, Any]:
    """One JSONL record: the row's id and status, and the full ``MatchResult.to_dict()`` (or null)."""
    record = _row_head(spec, key, error, warning, result)
    record["model_version"] = model_version
    record["result"] = None if result is None else result.to_dict()
    if record["result"] is not None and not spec.include_text:
        record["result"]["analysed_text"] = None  # personal data: only with --include-text
    if spec.include_text:
        record[spec.text_column] = _printable(text)
    return record


def _printable(text: Any) -> Any:
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    if isinstance(text, float) and math.isnan(text):
        return None
    return text


class DuplicateTracker:
    """Flags rows whose id was seen in an earlier row (they are still scored); remembers every id."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def note(self, key: str, row: int) -> str | None:
        """The warning for ``key`` at ``row``, or ``None``; records the id."""
        if key == "":
            return "the id is empty"
        first = self._first.setdefault(key, row)
        return None if first == row else f"duplicate id {key!r} (first at row {first})"

    def flag(self, records: list[dict[str, Any]], rows: Sequence[int], key_column: str) -> None:
        """Add duplicate warnings to ``records`` in place. An error row whose id is empty gets no "the id
        is empty": its error says what to fix (an empty row, or lines the reader could not split into
        cells, has no id to read)."""
        for record, row in zip(records, rows):
            key = str(record[key_column])
            if key == "" and record.get("status") == "error":
                continue
            message = self.note(key, row)
            if message:
                record["warning"] = f"{record['warning']}; {message}" if record["warning"] else message


# ------------------------------------------------------------------------------------------ pandas


def resolve_id_column(columns: Sequence[str], id_column: str | None) -> str | None:
    """The id column to use: the one asked for, else ``id`` when the input has it, else none (row numbers)."""
    if id_column is None:
        return "id" if "id" in columns else None
    return id_column


def keep_names(columns: Sequence[str], keep: Sequence[str], taken: Sequence[str]) -> tuple[str, ...]:
    """Output names of the carried input columns ``keep``: a name that an output column already uses
    (``status``, ``role_1``, the id) becomes ``input_<name>``."""
    taken_set = set(taken)
    return tuple(f"input_{c}" if c in taken_set else c for c in keep)


def score_frame(
    matcher: RoleMatcher,
    frame: pd.DataFrame,
    text_column: str = "text",
    id_column: str | None = None,
    top: int = 3,
    quotes: int = 1,
    include_text: bool = False,
    keep_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Score every row of ``frame``: a DataFrame with one row per input row (same index, same order).

    Columns: the id (``id_column``, or ``id`` if present, else ``row``: 1-based numbers), the
    ``keep_columns`` carried through, ``status`` (ok/error), ``error``, ``warning`` (e.g. a duplicate id),
    ``abstain``, ``fit``, ``model_version``, then ``role_i, title_i, score_i, confidence_i, quote_i,
    evidence_i`` for i = 1..top. Raises ``ColumnError`` for a missing column.
    """
    import pandas as pd

    from .readers import frame_table

    table = frame_table(frame, text_column, id_column, keep_columns)
    top = min(max(1, int(top)), len(matcher.corpus.roles))
    spec = BatchSpec(text_column, table.id_column, top, quotes, include_text, calibrated=matcher.calibrated)
    spec = replace(spec, keep=keep_names(table.columns, table.keep, spec.columns()))
    records = score_chunks(matcher, table.chunks, spec)
    return pd.DataFrame.from_records(records, columns=spec.columns(), index=frame.index)


def score_chunks(matcher: RoleMatcher, chunks: Iterable[Chunk], spec: BatchSpec) -> list[dict[str, Any]]:
    """A record per row of ``chunks``, in order (``score_chunk``), duplicate ids flagged."""
    duplicates = DuplicateTracker()
    records: list[dict[str, Any]] = []
    for chunk in chunks:
        part = score_chunk(matcher, chunk, spec)
        if spec.id_column:
            duplicates.flag(part, chunk.rows, spec.key)
        records += part
    return records


def _outside(result: Any) -> str | None:
    """ "Registered Nurses (29-1141.00)" for an abstaining result: the closest occupation outside the catalog."""
    occ = None if result is None or not result.abstain else result.closest_occupation
    return None if occ is None else f"{occ.title} ({occ.code})"


def plural(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,024 rows``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
