"""The small-CSV batch endpoint's reading and writing (the scoring is ``RoleMatcher.score_frame``)."""

from __future__ import annotations

import io

from ..errors import InputTextError
from ..textproc import decode_bytes


def read_csv_upload(data: bytes, text_column: str, max_rows: int):
    """Parse an uploaded CSV into a DataFrame of strings; raise ``InputTextError`` saying what to fix.

    The delimiter (comma, semicolon, tab, pipe) is sniffed; quoted newlines stay in their cell.
    Empty cells stay empty strings (the scorer reports them per row); the text column must exist.
    """
    import pandas as pd

    if not data.strip():
        raise InputTextError("the uploaded file is empty; upload a CSV with a header row and a text column")
    from ..batch.dialect import SAMPLE_BYTES, sniff_delimiter

    text = decode_bytes(data)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sniff_delimiter(text[:SAMPLE_BYTES]), dtype=str, keep_default_na=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputTextError(f"the upload is not a readable CSV ({first_line}); save it as CSV") from exc
    if text_column not in frame.columns:
        columns = ", ".join(map(str, frame.columns)) or "(none)"
        raise InputTextError(
            f"column {text_column!r} not found; columns are: {columns} (set the text_column form field)"
        )
    if len(frame) == 0:
        raise InputTextError("the CSV has a header but no rows; add one row per resume")
    if len(frame) > max_rows:
        raise InputTextError(
            f"the CSV has {len(frame):,} rows; this endpoint scores at most {max_rows:,}: "
            "split the file, or score it on the command line"
        )
    return frame


def frame_to_csv(frame) -> bytes:
    """The scored frame as UTF-8 CSV bytes (nested values such as lists are written as JSON)."""
    import json

    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, (list, tuple, dict))).any():
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, tuple, dict)) else v
            )
    return out.to_csv(index=False).encode("utf-8")
