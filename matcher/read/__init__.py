"""Read stage: resume files (PDF, DOCX, TXT, Markdown) → text with provenance, before validation.

>>> from matcher.read import read_file
>>> doc = read_file("cv.pdf")
>>> doc.text, doc.format, doc.pages, doc.warnings

Formats are told apart by their bytes; every way a file can fail has its own ``FileReadError``
subclass (an ``InputTextError``), whose message says what was found and what to do.
"""

from __future__ import annotations

from .core import MAX_FILE_BYTES, MAX_PAGES, READABLE, Document, read_bytes, read_file
from .detect import detect_format
from .errors import (
    CorruptFileError,
    EmptyFileError,
    EmptyTextLayerError,
    EncryptedFileError,
    FileReadError,
    FileTooLargeError,
    FormatMismatchError,
    GarbledTextError,
    LegacyDocError,
    ScannedPDFError,
    TooManyPagesError,
    TruncatedFileError,
    UnsupportedFormatError,
    ZipBombError,
)

__all__ = [
    "Document",
    "read_file",
    "read_bytes",
    "detect_format",
    "MAX_FILE_BYTES",
    "MAX_PAGES",
    "READABLE",
    "FileReadError",
    "UnsupportedFormatError",
    "LegacyDocError",
    "FormatMismatchError",
    "CorruptFileError",
    "TruncatedFileError",
    "EncryptedFileError",
    "ScannedPDFError",
    "EmptyFileError",
    "EmptyTextLayerError",
    "GarbledTextError",
    "FileTooLargeError",
    "TooManyPagesError",
    "ZipBombError",
]
