"""What a table's layout says: the CSV delimiter (sniffed from a sample) and a column that looks like ids.

Pure functions over text and column names, so they are testable without files or a model.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Sequence

#: Delimiters tried when sniffing, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_BYTES = 64 << 10
_ID_NAME = re.compile(r"^(id|key|uid|uuid|ref)$|[ _.-](id|key|uid|uuid|number|no|nr)$", re.I)
_CAMEL_ID = re.compile(r"[a-z](Id|ID)$")  # candidateId
#: A header cell of this many words reads as a line of text, not a column name.
PROSE_WORDS = 8
_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")  # one sentence ends and another begins


def decode_sample(head: bytes, complete: bool) -> str:
    """The first bytes of a file as text for sniffing (UTF-16 by its BOM, else UTF-8, bad bytes replaced);
    a sample cut short (``complete`` false) loses its last, partial line."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head[: len(head) // 2 * 2].decode("utf-16", "replace")
    else:
        text = head.decode("utf-8-sig", "replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def sniff_delimiter(sample: str, default: str = ",") -> str:
    """The delimiter (comma, semicolon, tab or pipe) that splits the header of ``sample`` into the most
    rows of the same width as the header (then: into the most columns); ``default`` if none splits it."""
    best, best_key = default, None
    for delimiter in DELIMITERS:
        try:
            rows = [
                r
                for r in itertools.islice(
                    csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), 200
                )
                if r
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        key = (sum(len(r) == width for r in rows[1:]), width)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def describe_delimiter(delimiter: str) -> str:
    """``semicolon-separated (;)``, for messages."""
    shown = "\\t" if delimiter == "\t" else delimiter
    return f"{DELIMITER_NAMES.get(delimiter, 'custom')}-separated ({shown})"


def other_delimiter(columns: Sequence[str], delimiter: str) -> str | None:
    """A delimiter other than ``delimiter`` that a one-column header seems to hold (``id;bio``), or None."""
    if len(columns) != 1:
        return None
    for candidate in DELIMITERS:
        if candidate != delimiter and candidate in str(columns[0]):
            return candidate
    return None


def looks_like_id(columns: Sequence[str], exclude: Sequence[str] = ()) -> str | None:
    """The first column whose name looks like an id (``candidate_id``, ``ID``, ``Applicant No``), or None."""
    for column in columns:
        name = str(column).strip()
        if name and name not in exclude and (_ID_NAME.search(name) or _CAMEL_ID.search(name)):
            return str(column)
    return None


def reads_like_text(columns: Sequence[str]) -> bool:
    """True when a header row reads like a line of text (the first line of a resume or a letter) rather
    than column names: a cell where a sentence ends and another begins, or a header of one or two cells
    with ``PROSE_WORDS`` words or more. Column names are a few words ("Applicant No", "bio"); a form's
    export may name a column by a long question ("Tell us about your last job"), beside other columns."""
    names = [str(c) for c in columns]
    return any(_SENTENCE_BREAK.search(c) for c in names) or (
        len(names) <= 2 and any(len(c.split()) >= PROSE_WORDS for c in names)
    )
