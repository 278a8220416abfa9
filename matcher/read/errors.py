"""Errors of the read stage: one class per way a file can fail, each an ``InputTextError`` (so every
interface reports it like bad text) whose message names the file, what was found and what to do."""

from __future__ import annotations

from ..errors import InputTextError


class FileReadError(InputTextError):
    """A file cannot be turned into resume text."""


class UnsupportedFormatError(FileReadError):
    """The bytes are a format rolematch does not read (an image, RTF, a spreadsheet, an unknown binary)."""


class LegacyDocError(UnsupportedFormatError):
    """A legacy Word ``.doc`` (OLE2) file."""


class FormatMismatchError(FileReadError):
    """The name says one format and the bytes are another (``cv.pdf`` holding a Word file)."""


class CorruptFileError(FileReadError):
    """The file is damaged: it starts like its format but cannot be parsed."""


class TruncatedFileError(CorruptFileError):
    """The file is cut short (an interrupted download or copy)."""


class EmptyFileError(FileReadError):
    """The file has no bytes at all (0 bytes: an interrupted save, upload or copy)."""


class EncryptedFileError(FileReadError):
    """The file is protected by a password."""


class ScannedPDFError(FileReadError):
    """A PDF with images and no text layer: a scan; rolematch does not do OCR."""


class EmptyTextLayerError(FileReadError):
    """A PDF or DOCX with no text at all."""


class GarbledTextError(FileReadError):
    """A text layer that is present but unreadable (fonts without a character map, symbols)."""


class FileTooLargeError(FileReadError):
    """The file is over the size limit."""


class TooManyPagesError(FileTooLargeError):
    """The PDF has more pages than a resume can have."""


class ZipBombError(FileReadError):
    """An archive that expands far beyond its size or holds too many entries."""
