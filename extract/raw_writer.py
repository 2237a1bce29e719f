"""Streams rows into a raw table with COPY FROM STDIN: memory stays flat whatever the row count."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from extract.ledger import RAW_SCHEMA

if TYPE_CHECKING:
    from extract.domain import LoadContext

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})


def _text_value(value: object) -> str:
    if value is None:
        return "\\N"
    return str(value).translate(_ESCAPES)


class _RowStream(io.RawIOBase):
    """A read-only file over COPY text-format lines produced lazily from `rows`."""

    def __init__(self, rows: Iterable[Sequence[object]]) -> None:
        self._lines: Iterator[bytes] = (("\t".join(map(_text_value, row)) + "\n").encode("utf-8") for row in rows)
        self._buffer = b""
        self.rows = 0
        self.error: BaseException | None = None  # raised by the row source; psycopg2 would mask it

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(target)
        while len(self._buffer) < size:
            try:
                line = next(self._lines, None)
            except BaseException as exc:
                self.error = exc
                raise
            if line is None:
                break
            self.rows += 1
            self._buffer += line
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        target[: len(chunk)] = chunk
        return len(chunk)


def copy_rows(cur: Cursor, schema: str, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY `rows` (tuples in `columns` order) into schema.table; returns the number of rows sent."""
    stream = _RowStream(rows)
    statement = sql.SQL("copy {}.{} ({}) from stdin").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    try:
        cur.copy_expert(statement, io.BufferedReader(stream, buffer_size=256 * 1024), size=256 * 1024)
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
