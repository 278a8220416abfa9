"""Score a table of texts: one output row per input row, in order, whatever the rows hold.

Every row is checked on its own (``textproc.validate``); the valid ones are embedded in one
batched encoder pass (``encode_documents``), scored together, and turned into flat rows
(``id, status, error, warning, abstain, fit, model_version, role_1, score_1, quote_1, ...``) or,
for JSONL, records that carry the whole ``MatchResult.to_dict()``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..embed import EncodedText, encode_documents
from ..errors import InputTextError
from ..results import MatchResult
from ..textproc import MAX_CHARS, validate
from ..threads import single_threaded_blas

if TYPE_CHECKING:  # pandas stays out of `rolematch --help`
    import pandas as pd

    from ..matcher import RoleMatcher

logger = logging.getLogger(__name__)

CHUNK_ROWS = 512
BASE_COLUMNS = ("status", "error", "warning", "abstain", "fit", "model_version")
DIGITS = 4  # scores and fit are rounded to 4 decimals in every output format (as MatchResult.to_dict)


@dataclass(frozen=True)
class BatchSpec:
    """What a batch asks for; small and picklable, as it travels to worker processes.

    ``id_column``: the input column of ids (``None``: rows are named by their 1-based number);
    ``top``: roles per row; ``quotes``: quotes per role (flat rows show the best one);
    ``nested``: records with the full result (JSONL) instead of flat columns.
    """

    text_column: str = "text"
    id_column: str | None = None
    top: int = 3
    quotes: int = 1
    include_text: bool = False
    nested: bool = False

    @property
    def key(self) -> str:
        """Name of the first output column: the id column, or ``row``."""
        return self.id_column or "row"

    def columns(self) -> list[str]:
        """The flat output columns, in order."""
        columns = [self.key, *BASE_COLUMNS]
        for i in range(1, self.top + 1):
            columns += [f"role_{i}", f"score_{i}", f"quote_{i}"]
        if self.include_text:
            columns.append(self.text_column)
        return columns


@dataclass
class Chunk:
    """Consecutive input rows: 1-based ``rows``, raw ``texts``, ``ids`` (or ``None``), and per row the
    problem the reader found (a ragged or unparsable row: not scored) and a warning (e.g. decoding)."""

    rows: list[int]
    texts: list[Any]
    ids: list[str] | None = None
    problems: list[str | None] = field(default_factory=list)
    warnings: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


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
        scores = matcher.score_documents(docs)
        results = iter([matcher._result(doc, scores, i, top, quotes) for i, doc in enumerate(docs)])
    return [d if isinstance(d, str) else next(results) for d in encoded]


def score_texts(matcher: RoleMatcher, texts: Sequence[Any], top: int, quotes: int) -> list[MatchResult | str]:
    """A ``MatchResult`` or an error message per text (``encode_texts`` then ``rank_encoded``)."""
    return rank_encoded(matcher, encode_texts(matcher, texts), top, quotes)


def _check(raw: Any) -> str | None:
    """The validation error of one text, or ``None``."""
    try:
        validate(_as_text(raw))
    except InputTextError as exc:
        return str(exc)
    return None


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
    outcomes = rank_encoded(matcher, stage.encoded, spec.top, spec.quotes)
    warnings = chunk.warnings or [None] * len(chunk)
    version = matcher.model_version
    make = nested_record if spec.nested else flat_record
    records = []
    for i, (row, outcome) in enumerate(zip(chunk.rows, outcomes)):
        key: Any = chunk.ids[i] if chunk.ids is not None else row
        result = outcome if isinstance(outcome, MatchResult) else None
        error = "" if result is not None else str(outcome)
        notes = "; ".join(filter(None, [warnings[i], *(result.warnings if result is not None else ())]))
        text = chunk.texts[i] if spec.include_text else None
        records.append(make(spec, key, error, notes, result, version, text))
    return records


def score_chunk(matcher: RoleMatcher, chunk: Chunk, spec: BatchSpec) -> list[dict[str, Any]]:
    """Output records for ``chunk`` (flat rows, or nested ones if ``spec.nested``), one per input row."""
    return finish_chunk(matcher, encode_chunk(matcher, chunk), spec)


# ------------------------------------------------------------------------------------------ records


def format_quote(quote) -> str:
    """``“text” (articles/x.md:120-250)``: the verbatim passage and where it is."""
    return f"“{quote.text}” ({quote.source}:{quote.start}-{quote.end})"


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
    record["model_version"] = model_version
    roles = result.roles if result is not None else ()
    for i in range(spec.top):
        role = roles[i] if i < len(roles) else None
        record[f"role_{i + 1}"] = role.id if role else ""
        record[f"score_{i + 1}"] = round(role.score, DIGITS) if role else None
        record[f"quote_{i + 1}"] = format_quote(role.quotes[0]) if role and role.quotes else ""
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
        """Add duplicate warnings to ``records`` in place."""
        for record, row in zip(records, rows):
            message = self.note(str(record[key_column]), row)
            if message:
                record["warning"] = f"{record['warning']}; {message}" if record["warning"] else message


# ------------------------------------------------------------------------------------------ pandas


def resolve_id_column(columns: Sequence[str], id_column: str | None) -> str | None:
    """The id column to use: the one asked for, else ``id`` when the input has it, else none (row numbers)."""
    if id_column is None:
        return "id" if "id" in columns else None
    return id_column


def score_frame(
    matcher: RoleMatcher,
    frame: pd.DataFrame,
    text_column: str = "text",
    id_column: str | None = None,
    top: int = 3,
    quotes: int = 1,
    include_text: bool = False,
) -> pd.DataFrame:
    """Score every row of ``frame``: a DataFrame with one row per input row (same index, same order).

    Columns: the id (``id_column``, or ``id`` if present, else ``row``: 1-based numbers), ``status``
    (ok/error), ``error``, ``warning`` (e.g. a duplicate id), ``abstain``, ``fit``, ``model_version``,
    then ``role_i, score_i, quote_i`` for i = 1..top. Raises ``ColumnError`` for a missing column.
    """
    import pandas as pd

    from .readers import check_columns

    columns = [str(c) for c in frame.columns]
    id_column = resolve_id_column(columns, id_column)
    check_columns(columns, text_column, id_column, "the DataFrame")
    top = min(max(1, int(top)), len(matcher.corpus.roles))
    spec = BatchSpec(text_column, id_column, top, quotes, include_text)
    texts = frame[text_column].tolist()
    ids = None if id_column is None else ["" if pd.isna(v) else str(v) for v in frame[id_column].tolist()]
    duplicates = DuplicateTracker()
    records: list[dict[str, Any]] = []
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(frame))
        rows = list(range(start + 1, stop + 1))
        chunk = Chunk(rows, texts[start:stop], None if ids is None else ids[start:stop])
        part = score_chunk(matcher, chunk, spec)
        if ids is not None:
            duplicates.flag(part, rows, spec.key)
        records += part
    return pd.DataFrame.from_records(records, columns=spec.columns(), index=frame.index)
