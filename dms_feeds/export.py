"""Export files as a DMS delivers them: plain XML, a zip with one XML member, or gzip, by the file's name.

`write_export` writes a whole document; `StreamedExport` writes one record by record, so memory stays
flat whatever the size (the benchmark's feeds). A feed time, when given, is the zip member's date, the
gzip header's time and the file's modification time (the extractor's feed time unless the track names
one inside the XML); without one the archive dates are fixed, so the same content gives the same bytes.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

_RECORDS_PER_WRITE = 512
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip member can have


@contextmanager
def _open_export(
    path: Path, member: str, feed_at: datetime | None, compresslevel: int | None, zip64: bool
) -> Iterator[BinaryIO]:
    """A binary stream into `path`: into its one zip member, through gzip, or plain, by the suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".zip"):
        moment = datetime.fromtimestamp(feed_at.timestamp(), UTC).timetuple()[:6] if feed_at else _ZIP_EPOCH
        info = zipfile.ZipInfo(member, date_time=moment)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        if compresslevel is not None:
            info._compresslevel = compresslevel  # public as ZipInfo.compress_level from Python 3.13
        with zipfile.ZipFile(path, "w") as archive, archive.open(info, "w", force_zip64=zip64) as stream:
            yield stream
    elif path.name.endswith(".gz"):
        mtime = int(feed_at.timestamp()) if feed_at else 0
        level = 9 if compresslevel is None else compresslevel
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename=member, mode="wb", fileobj=raw, mtime=mtime, compresslevel=level) as stream,
        ):
            yield stream
    else:
        with open(path, "wb") as stream:
            yield stream


def _set_feed_time(path: Path, feed_at: datetime | None) -> None:
    if feed_at is not None:
        os.utime(path, (feed_at.timestamp(), feed_at.timestamp()))


def write_export(
    path: Path, content: str | bytes, *, member: str = "data.xml", feed_at: datetime | None = None
) -> Path:
    """Write `content` (XML, UTF-8 when text) to `path`: `.zip` holds it as `member`, `.gz` compresses it."""
    with _open_export(path, member, feed_at, None, zip64=False) as stream:
        stream.write(content.encode("utf-8") if isinstance(content, str) else content)
    _set_feed_time(path, feed_at)
    return path


class StreamedExport:
    """An export written record by record: the opening, each record and a line break, the closing.

    A record is a format's `record(...)` text. `records` and `xml_bytes` (uncompressed) count what was
    written. `zip64` is for members that may pass 4 GiB.
    """

    def __init__(
        self,
        path: Path,
        opening: str,
        closing: str,
        *,
        member: str = "data.xml",
        feed_at: datetime | None = None,
        compresslevel: int | None = None,
        zip64: bool = False,
    ) -> None:
        self.path, self.opening, self.closing, self.feed_at = path, opening, closing, feed_at
        self._open = (member, compresslevel, zip64)
        self.records = 0
        self.xml_bytes = 0
        self._pending: list[str] = []

    def __enter__(self) -> StreamedExport:
        member, compresslevel, zip64 = self._open
        self._stack = ExitStack()
        self._stream = self._stack.enter_context(_open_export(self.path, member, self.feed_at, compresslevel, zip64))
        self._write(self.opening)
        return self

    def add(self, record: str) -> None:
        pending = self._pending
        pending.append(record)
        if len(pending) >= _RECORDS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.records += len(self._pending)
            self._pending.append("")
            self._write("\n".join(self._pending))
            self._pending = []

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.xml_bytes += len(data)
        self._stream.write(data)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._flush()
                self._write(self.closing)
        finally:
            self._stack.__exit__(kind, error, trace)
        if kind is None:
            _set_feed_time(self.path, self.feed_at)
