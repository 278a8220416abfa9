"""Input bytes as text, for the CSV and JSONL readers.

A stream starts as UTF-16 if it has that byte-order mark, else UTF-8 (BOM or not); bytes that are not
UTF-8 survive as surrogates ("surrogateescape") and are re-decoded (cp1252, else latin-1) field by field,
with a warning. The CSV delimiter is sniffed from the first 64 KB; stdin keeps the bytes read to sniff.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO

from ..errors import InputTextError
from ..textproc import decode_bytes
from . import dialect

_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by "surrogateescape"


def csv_delimiter(binary: IO[bytes], path: str, delimiter: str | None) -> tuple[IO[bytes], str]:
    """The delimiter to use: the one given, tab for .tsv, else sniffed from the first 64 KB (a stream
    comes back with those bytes still to read)."""
    if delimiter:
        return binary, delimiter
    if path.lower().endswith(".tsv"):
        return binary, "\t"
    if path == "-":
        head = binary.read(dialect.SAMPLE_BYTES)
        binary = io.BufferedReader(Prefixed(head, binary))
    else:
        with open(path, "rb") as fh:
            head = fh.read(dialect.SAMPLE_BYTES)
    return binary, dialect.sniff_delimiter(dialect.decode_sample(head, len(head) < dialect.SAMPLE_BYTES))


class Prefixed(io.RawIOBase):
    """A byte stream whose first bytes were already read (to sniff a byte-order mark)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def text_stream(binary: IO[bytes]) -> io.TextIOWrapper:
    """Text from bytes: UTF-16 if it starts with its byte-order mark, else UTF-8 (BOM or not); bytes that
    are not UTF-8 survive as surrogates, for ``fix_decoding`` to re-decode field by field."""
    if hasattr(binary, "peek"):
        head = binary.peek(2)[:2]
    else:
        head = binary.read(2)
        binary = io.BufferedReader(Prefixed(head, binary))
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    return io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")


def csv_lines(stream: Iterable[str]) -> Iterator[str]:
    """The lines of a text stream read with ``newline=""``, for ``csv.reader``, without the empty line that
    a file converted to Windows line ends twice ("\\r\\r\\n") holds after each real one: that is one line
    break, not a blank line (which would be an empty row)."""
    after_cr = False
    for line in stream:
        if line == "\r\n" and after_cr:
            after_cr = False
            continue
        after_cr = line.endswith("\r") and not line.endswith("\r\n")
        yield line


def release(stream: io.TextIOWrapper, owned: bool) -> None:
    """Close a file we opened; leave a caller's stream (stdin) open."""
    if owned:
        stream.close()
    else:
        stream.detach()


def has_surrogates(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def fix_decoding(value: str) -> tuple[str, str]:
    """Re-decode a field that held bytes that are not UTF-8; returns ``(text, warning)``."""
    if not has_surrogates(value):
        return value, ""
    data = value.encode("utf-8", "surrogateescape")
    try:
        text = decode_bytes(data)
    except InputTextError:
        text = data.decode("latin-1")
    return text, "the text is not valid UTF-8; decoded as cp1252/latin-1 (check accented characters)"
