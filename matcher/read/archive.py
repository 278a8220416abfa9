"""Zip archives, opened safely: entry count, declared and actual expanded sizes and the compression
ratio are bounded before anything is inflated, so a zip bomb is refused, never expanded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import CorruptFileError, EncryptedFileError, FileTooLargeError, ZipBombError

MAX_ENTRIES = 10_000
MAX_EXPANDED = 1 << 30  # 1 GiB expanded in all
MAX_RATIO = 200  # expanded / compressed, for entries over 1 MB expanded


@dataclass(frozen=True)
class Member:
    """A file inside an archive: its path (``/``-separated) and expanded size."""

    name: str
    size: int


def open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The archive, after the zip-bomb checks; raises ``ZipBombError`` or ``CorruptFileError``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CorruptFileError(f"{name} is not a readable zip archive (damaged or cut short)") from exc
    if len(infos) > MAX_ENTRIES:
        raise ZipBombError(f"{name} holds {len(infos):,} entries; the limit is {MAX_ENTRIES:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_EXPANDED:
        raise ZipBombError(
            f"{name} expands to {total / 2**30:.1f} GiB; the limit is 1 GiB (a zip bomb?); "
            "zip the resumes themselves"
        )
    for info in infos:
        if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise ZipBombError(
                f"{name}: {info.filename} expands {info.file_size // max(1, info.compress_size):,}-fold "
                f"(the limit is {MAX_RATIO}-fold): this looks like a zip bomb; it was not expanded"
            )
    return archive


def members(archive: zipfile.ZipFile) -> list[Member]:
    """Regular files of the archive, in sorted path order (folders and macOS metadata left out)."""
    out = []
    for info in archive.infolist():
        path = info.filename.replace("\\", "/")
        parts = path.split("/")
        if info.is_dir() or "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store":
            continue
        out.append(Member(path, info.file_size))
    return sorted(out, key=lambda m: m.name)


def read_member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """The bytes of ``member``, reading at most ``limit`` bytes whatever its header claims."""
    try:
        with archive.open(member) as fh:
            data = fh.read(limit + 1)
    except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
        raise EncryptedFileError(f"{name}: {member} is password-protected in the archive") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise CorruptFileError(f"{name}: {member} is damaged in the archive ({exc})") from exc
    if len(data) > limit:
        raise FileTooLargeError(
            f"{member} expands to over {limit / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB"
        )
    return data


def iter_members(data: bytes, name: str) -> Iterator[Member]:
    """Shortcut: the members of the zip in ``data``, in sorted order."""
    yield from members(open_zip(data, name))
