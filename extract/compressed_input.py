"""Open a landed feed (.zip / .xml.zip, .xml.gz, .xml) as a sequence of XML byte streams.

Members are streamed, never written to disk under their own names (zip slip cannot happen), and every
decompressed stream is metered: a decompression bomb is refused by absolute size and by ratio.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from extract.domain import RejectedFile

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_uncompressed_bytes: int = int(os.environ.get("EXTRACT_MAX_UNCOMPRESSED_MB", "8192")) * MiB
    max_ratio: float = float(os.environ.get("EXTRACT_MAX_COMPRESSION_RATIO", "200"))
    ratio_floor_bytes: int = 64 * MiB  # small files may compress very well; judge the ratio past this


class MeteredReader(io.RawIOBase):
    """Counts what a decompressing stream yields and stops it at the limits."""

    def __init__(self, raw: BinaryIO, compressed_size: int, limits: Limits, what: str) -> None:
        self.raw, self.compressed_size, self.limits, self.what = raw, compressed_size, limits, what
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(target))
        self.produced += len(data)
        if self.produced > self.limits.max_uncompressed_bytes:
            raise RejectedFile(
                f"{self.what}: refused as a decompression bomb: more than "
                f"{self.limits.max_uncompressed_bytes // MiB} MiB uncompressed (EXTRACT_MAX_UNCOMPRESSED_MB)"
            )
        if self.produced > self.limits.ratio_floor_bytes and self.produced > self.limits.max_ratio * max(
            self.compressed_size, 1
        ):
            raise RejectedFile(
                f"{self.what}: refused as a decompression bomb: expands more than {self.limits.max_ratio:.0f} "
                f"times its {self.compressed_size} compressed bytes (EXTRACT_MAX_COMPRESSION_RATIO)"
            )
        target[: len(data)] = data
        return len(data)


@contextmanager
def _metered(raw: BinaryIO, compressed_size: int, limits: Limits, what: str) -> Iterator[BinaryIO]:
    try:
        yield io.BufferedReader(MeteredReader(raw, compressed_size, limits, what), buffer_size=MiB)
    finally:
        raw.close()


def xml_streams(path: Path, key: str, limits: Limits | None = None) -> Iterator[tuple[str, BinaryIO]]:
    """(member name for messages, byte stream) for each XML document in the file."""
    limits = limits or Limits()
    lower = key.lower()
    if lower.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise RejectedFile(f"{key}: not a readable zip archive ({exc})") from exc
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".xml")]
            if not members:
                names = ", ".join(m.filename for m in archive.infolist()) or "nothing"
                raise RejectedFile(f"{key}: the zip holds no .xml member (it holds {names})")
            for member in members:
                what = f"{key}!{member.filename}"
                with _metered(archive.open(member), member.compress_size, limits, what) as stream:
                    yield what, stream
    elif lower.endswith(".gz"):
        size = path.stat().st_size
        with _metered(gzip.open(path, "rb"), size, limits, key) as stream:  # type: ignore[arg-type]
            yield key, stream
    elif lower.endswith(".xml"):
        with open(path, "rb") as stream:
            yield key, stream
    else:
        raise RejectedFile(f"{key}: unknown file type; vehicle feeds are .xml, .xml.gz, .zip or .xml.zip")
