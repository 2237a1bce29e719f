"""Open a landed feed (.zip / .xml.zip, .xml.gz, .xml) as a sequence of XML byte streams.

Members are streamed, never written to disk under their own names, and an archive whose member names
point outside it (absolute, or with `..`: zip slip) is refused whole. Every decompressed stream is
metered: a decompression bomb is refused by absolute size and by ratio. A compressed stream that is
corrupt or cut short is refused with the uncompressed byte and line where reading stopped.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from extract.domain import RejectedFile

MiB = 1024 * 1024
FEED_TYPES = ".xml, .xml.gz, .zip or .xml.zip"


def _env_mib(name: str, default: str) -> int:
    return int(float(os.environ.get(name, default)) * MiB)


@dataclass(frozen=True)
class Limits:
    max_uncompressed_bytes: int = _env_mib("EXTRACT_MAX_UNCOMPRESSED_MB", "8192")
    max_ratio: float = float(os.environ.get("EXTRACT_MAX_COMPRESSION_RATIO", "200"))
    # small files may compress very well; the ratio is judged past this many uncompressed bytes
    ratio_floor_bytes: int = _env_mib("EXTRACT_COMPRESSION_RATIO_FLOOR_MB", "64")


_READ_BYTES = 64 * 1024  # what one read decompresses at most
# What a corrupt or cut compressed stream raises while it is read (gzip.BadGzipFile is an OSError).
_CORRUPT = (zlib.error, zipfile.BadZipFile, EOFError, OSError)


class MeteredReader(io.RawIOBase):
    """Counts what a decompressing stream yields, stops it at the limits, and turns a corrupt or cut
    stream's error into a RejectedFile naming where reading stopped."""

    def __init__(self, raw: BinaryIO, compressed_size: int, limits: Limits, what: str) -> None:
        self.raw, self.compressed_size, self.limits, self.what = raw, compressed_size, limits, what
        self.produced = 0
        self.lines = 1  # the line the next byte is on
        self._read = getattr(raw, "read1", raw.read)

    def readable(self) -> bool:
        return True

    def _where(self) -> str:
        return f"uncompressed byte {self.produced:,} (line {self.lines:,})"

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        try:  # read1 and small reads: data read before an error is counted, so its position is where it happened
            data = self._read(min(len(target), _READ_BYTES))
        except EOFError as exc:
            raise RejectedFile(
                f"{self.what}: the compressed stream ends before its end marker, at {self._where()}: "
                "the file was cut short (an interrupted upload?); nothing of it is loaded"
            ) from exc
        except _CORRUPT as exc:
            if "CRC" in str(exc):
                raise RejectedFile(
                    f"{self.what}: the checksum at the end of the compressed data does not match what it held, "
                    f"read up to {self._where()} ({exc}): the data is damaged; nothing of it is loaded"
                ) from exc
            raise RejectedFile(
                f"{self.what}: the compressed data is corrupt at {self._where()} ({exc}); nothing of it is loaded"
            ) from exc
        self.produced += len(data)
        self.lines += data.count(b"\n")
        if self.produced > self.limits.max_uncompressed_bytes:
            raise RejectedFile(
                f"{self.what}: refused as a decompression bomb: more than "
                f"{self.limits.max_uncompressed_bytes // MiB} MiB uncompressed (EXTRACT_MAX_UNCOMPRESSED_MB); "
                f"stopped at {self._where()}"
            )
        if self.produced > self.limits.ratio_floor_bytes and self.produced > self.limits.max_ratio * max(
            self.compressed_size, 1
        ):
            raise RejectedFile(
                f"{self.what}: refused as a decompression bomb: expands more than {self.limits.max_ratio:.0f} "
                f"times its {self.compressed_size} compressed bytes (EXTRACT_MAX_COMPRESSION_RATIO); "
                f"stopped at {self._where()}"
            )
        target[: len(data)] = data
        return len(data)


@contextmanager
def _metered(raw: BinaryIO, compressed_size: int, limits: Limits, what: str) -> Iterator[BinaryIO]:
    try:
        yield io.BufferedReader(MeteredReader(raw, compressed_size, limits, what), buffer_size=MiB)
    finally:
        raw.close()


def unsafe_member_name(name: str) -> bool:
    """A member name that would point outside the archive if it were used as a path (zip slip)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def _open_zip(path: Path, key: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        size = path.stat().st_size
        raise RejectedFile(
            f"{key}: not a readable zip archive ({exc}): no directory of members at the end of its {size:,} "
            "bytes, where a zip keeps it (a file cut short during its upload reads like this)"
        ) from exc


def _xml_members(archive: zipfile.ZipFile, key: str) -> list[zipfile.ZipInfo]:
    """The archive's .xml members, in order; RejectedFile when a member name points outside it or none is XML."""
    members = archive.infolist()
    for position, member in enumerate(members, 1):
        if unsafe_member_name(member.filename):
            raise RejectedFile(
                f"{key}: refused: zip member {position} of {len(members)}, {member.filename!r}, names a path outside "
                "the archive (absolute, or with '..'); no DMS export does, so the archive is refused whole "
                "(member names are never used as paths)"
            )
    xml = [m for m in members if not m.is_dir() and m.filename.lower().endswith(".xml")]
    if not xml:
        names = ", ".join(repr(m.filename) for m in members) or "nothing"
        raise RejectedFile(f"{key}: the zip holds no .xml member (its members: {names})")
    return xml


def _open_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, what: str) -> BinaryIO:
    try:
        return archive.open(member)  # type: ignore[return-value]
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, ValueError) as exc:
        raise RejectedFile(f"{what}: the zip member cannot be opened ({exc}); nothing of the file is loaded") from exc


def _unknown_type(path: Path, key: str) -> RejectedFile:
    with open(path, "rb") as stream:
        head = stream.read(16)
    suffix = PurePosixPath(key).suffix or "(none)"
    return RejectedFile(
        f"{key}: unknown file type {suffix!r} (the file starts with {head!r}); vehicle feeds are {FEED_TYPES}"
    )


def xml_streams(path: Path, key: str, limits: Limits | None = None) -> Iterator[tuple[str, BinaryIO]]:
    """(member name for messages, byte stream) for each XML document in the file."""
    limits = limits or Limits()
    lower = key.lower()
    if not lower.endswith((".zip", ".gz", ".xml")):
        raise _unknown_type(path, key)
    if path.stat().st_size == 0:
        raise RejectedFile(f"{key}: the file is empty (0 bytes): no XML document in it (an interrupted export?)")
    if lower.endswith(".zip"):
        with _open_zip(path, key) as archive:
            for member in _xml_members(archive, key):
                what = f"{key}!{member.filename}"
                with _metered(_open_member(archive, member, what), member.compress_size, limits, what) as stream:
                    yield what, stream
    elif lower.endswith(".gz"):
        size = path.stat().st_size
        with _metered(gzip.open(path, "rb"), size, limits, key) as stream:  # type: ignore[arg-type]
            yield key, stream
    else:
        with open(path, "rb") as stream:
            yield key, stream
