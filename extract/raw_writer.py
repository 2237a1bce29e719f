"""Streams rows into a raw table with COPY FROM STDIN: memory stays flat whatever the row count."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from extract import fault_points
from extract.ledger import RAW_SCHEMA

if TYPE_CHECKING:
    from extract.domain import LoadContext

CHUNK_BYTES = 256 * 1024  # what one read of psycopg2's COPY takes: a batch of whole lines


def _escaped(text: str) -> str:
    """Text in COPY's text format: backslash, tab, newline and carriage return escaped; NUL dropped
    (PostgreSQL's text cannot hold it). Most values hold none of them: they are returned as they are."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text or "\x00" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return text.replace("\x00", "")
    return text


def _field_formatter() -> Callable[[object], str]:
    """A value in COPY's text format (\\N for null). The text of the last few objects that are neither
    strings nor ints is remembered: a file's rows share one feed time, and a datetime's text costs a microsecond."""
    held: dict[int, tuple[object, str]] = {}

    def text_value(value: object) -> str:
        kind = value.__class__
        if kind is str:
            return _escaped(value)  # type: ignore[arg-type]
        if value is None:
            return "\\N"
        if kind is int or kind is bool:
            return str(value)
        known = held.get(id(value))
        if known is not None and known[0] is value:  # the same object (it is held, so its id is not reused)
            return known[1]
        if len(held) >= 64:
            held.clear()
        text = _escaped(str(value))
        held[id(value)] = (value, text)
        return text

    return text_value


class _RowStream:
    """A read-only file over COPY text-format lines made lazily from `rows`: each read() returns whole lines,
    at least `size` bytes of them (or the rest), so memory holds one chunk whatever the row count."""

    def __init__(self, rows: Iterable[Sequence[object]]) -> None:
        self._rows: Iterator[Sequence[object]] = iter(rows)
        self._done = False
        self._text_value = _field_formatter()
        self.rows = 0
        self.error: BaseException | None = None  # raised by the row source; psycopg2 would mask it
        self._chunk_rows = fault_points.copy_chunk_rows() or 0  # a test's mid-copy kill: 0, chunks by size only

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        if self._done:
            return b""
        size = size if size > 0 else CHUNK_BYTES
        chunk_rows = self._chunk_rows
        lines: list[str] = []
        length = 0
        text_value = self._text_value
        try:
            for row in self._rows:
                line = "\t".join(map(text_value, row))
                lines.append(line)
                length += len(line) + 1  # characters: a lower bound of the bytes
                if length >= size or len(lines) == chunk_rows:
                    break
            else:
                self._done = True
            if not lines:
                return b""
            if self.rows:  # the first chunk is sent, more rows follow: a kill here leaves the COPY half done
                fault_points.reached(fault_points.MID_COPY)
            self.rows += len(lines)
            lines.append("")
            return "\n".join(lines).encode("utf-8")
        except BaseException as exc:
            self.error = exc
            raise


def copy_rows(cur: Cursor, schema: str, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY `rows` (tuples in `columns` order) into schema.table; returns the number of rows sent."""
    stream = _RowStream(rows)
    statement = sql.SQL("copy {}.{} ({}) from stdin").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    try:
        cur.copy_expert(statement, stream, size=CHUNK_BYTES)
    except Exception:
        if stream.error is not None:
            raise stream.error from None
        raise
    return stream.rows


class PostgresRawWriter:
    """The PostgreSQL raw writer: rows stream into the table in the file's transaction; nothing is staged."""

    def copy_rows(self, ctx: LoadContext, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        return copy_rows(ctx.cur, RAW_SCHEMA, table, columns, rows)

    def discard(self) -> None:
        return None
