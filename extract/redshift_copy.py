"""The Redshift raw writer: a file's rows go to S3 as gzip JSON Lines parts, then one COPY from their manifest
runs in the file's transaction, and `pg_last_copy_count()` must equal the rows staged.

A row Redshift cannot hold whole is set aside before staging, with the reason, in raw.rejected_records:
a JSON object over COPY's 4 MB, or a string over 65,535 bytes (SUPER's and VARCHAR's limit). Nothing is ever
loaded truncated (no TRUNCATECOLUMNS). A COPY that fails reads stl_load_errors and rejects the file with the
record, column and reason; a COPY that loads another number of rows than staged rejects it too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg2
from psycopg2.extensions import cursor as Cursor

from extract import fault_points
from extract.domain import MAX_RECORD_BYTES, LoadContext, RejectedFile
from extract.ledger import RAW_SCHEMA
from extract.redshift_staging import PART_BYTES, PartWriter, StagedTable, StagingArea, delete_keys, s3_client

COPY_OBJECT_BYTES = MAX_RECORD_BYTES  # COPY from JSON: one object at most 4 MB (the vehicle domain's record limit)
STRING_BYTES = 65_535  # a VARCHAR, and a string inside SUPER
JSON_COLUMNS = ("record",)  # columns that hold a JSON document (SUPER on Redshift): staged as JSON, not as text
INDEX_COLUMNS = ("record_index", "line_number")  # a row's position in its file, first in each staged line
_INDEX_IN_LINE = re.compile(r'^\{"(?P<column>record_index|line_number)":(?P<index>\d+)')


def copy_statement(table: str, columns: Sequence[str], manifest_uri: str, role_arn: str) -> str:
    """The COPY of one staged load. JSON 'auto' matches each line's keys to the (lower-case) columns; a
    document goes whole into its SUPER column; TIMEFORMAT 'auto' reads the ISO times; no option truncates."""
    return (
        f"copy {RAW_SCHEMA}.{table} ({', '.join(columns)})\n"
        f"from '{_quoted(manifest_uri)}'\n"
        f"iam_role '{_quoted(role_arn)}'\n"
        "format as json 'auto'\n"
        "gzip\n"
        "manifest\n"
        "timeformat 'auto'\n"
        "maxerror 0\n"
        "compupdate off\n"
        "statupdate off"
    )


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _plain(value: object) -> object:
    if isinstance(value, datetime):  # TIMESTAMPTZ without an offset is UTC
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _long_string(value: Any, path: str = "") -> tuple[str, int] | None:
    """The first string (or key) inside a parsed JSON value longer than STRING_BYTES in UTF-8, and its size."""
    if isinstance(value, str):
        size = len(value.encode("utf-8"))
        return (path or "/", size) if size > STRING_BYTES else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _long_string(key, f"{path}/{key} (the key)") or _long_string(item, f"{path}/{key}")
            if found:
                return found
    if isinstance(value, list):
        for position, item in enumerate(value):
            if found := _long_string(item, f"{path}[{position}]"):
                return found
    return None


def too_big(column: str, text: str) -> str | None:
    """Why a column's value cannot be held by Redshift, or None."""
    size = len(text.encode("utf-8"))
    if column in JSON_COLUMNS:
        if size <= STRING_BYTES:
            return None  # no string inside can be longer than the whole document
        found = _long_string(json.loads(text))
        if found is None:
            return None
        path, length = found
        return f"the value at {path} is {length:,} bytes; Redshift holds at most {STRING_BYTES:,} bytes in a string"
    if size > STRING_BYTES:
        return f"column {column} is {size:,} bytes; Redshift holds at most {STRING_BYTES:,} bytes in a VARCHAR"
    return None


class RedshiftRawWriter:
    """Stages one load's rows per table on S3 and COPYs them in the file's transaction."""

    def __init__(self, area: StagingArea, role_arn: str, load_id: int, part_bytes: int = PART_BYTES) -> None:
        self.area, self.role_arn, self.load_id, self.part_bytes = area, role_arn, load_id, part_bytes
        self.client = s3_client()
        self.staged: list[StagedTable] = []

    def copy_rows(self, ctx: LoadContext, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        order = _staged_order(columns)
        parts = PartWriter(self.area, table, self.load_id, self.client, self.part_bytes)
        try:
            for line in self._lines(ctx, columns, order, rows):
                parts.write(line)
            staged = parts.finish()
        finally:
            parts.close()
        self.staged.append(staged)
        fault_points.reached(fault_points.AFTER_STAGING)
        if staged.rows == 0:
            return 0
        manifest_uri = f"s3://{self.area.bucket}/{staged.manifest_key}"
        self._copy(ctx, table, [columns[i] for i in order], manifest_uri, staged.rows)
        return staged.rows

    def _lines(
        self, ctx: LoadContext, columns: Sequence[str], order: list[int], rows: Iterable[Sequence[object]]
    ) -> Iterator[bytes]:
        keys = [json.dumps(column) + ":" for column in columns]
        for row in rows:
            fields, reason = [], None
            for position in order:
                column, value = columns[position], row[position]
                if isinstance(value, str) and (reason := too_big(column, value)):
                    break
                if column in JSON_COLUMNS and value is not None:
                    fields.append(keys[position] + str(value))
                else:
                    fields.append(keys[position] + json.dumps(_plain(value), ensure_ascii=False))
            line = ("{" + ",".join(fields) + "}\n").encode("utf-8") if reason is None else b""
            if reason is None and len(line) > COPY_OBJECT_BYTES:
                reason = f"its JSON is {len(line):,} bytes; Redshift's COPY reads at most {COPY_OBJECT_BYTES:,}"
            if reason is not None:
                index = int(row[order[0]]) if columns[order[0]] in INDEX_COLUMNS else 0  # type: ignore[arg-type]
                what = "record" if "record_index" in columns else "line"
                content = next((str(row[i]) for i, c in enumerate(columns) if c in JSON_COLUMNS), None)
                ctx.reject_record(index, f"{ctx.file.key} {what} {index}: {reason}; not loaded", content)
                continue
            yield line

    def _copy(self, ctx: LoadContext, table: str, columns: list[str], manifest_uri: str, staged: int) -> None:
        cur = ctx.cur
        try:
            cur.execute(copy_statement(table, columns, manifest_uri, self.role_arn))
        except psycopg2.Error as exc:
            cur.connection.rollback()  # the transaction is aborted; stl_load_errors outlives it
            detail = load_errors(cur, ctx.file.key)
            if detail is None:
                raise  # not the data's fault (a missing part, the role, the network): the file stays pending
            raise RejectedFile(f"{ctx.file.key}: Redshift's COPY into {RAW_SCHEMA}.{table} refused {detail}") from exc
        cur.execute("select pg_last_copy_count()")
        copied = int(cur.fetchone()[0])
        if copied != staged:
            raise RejectedFile(
                f"{ctx.file.key}: Redshift's COPY into {RAW_SCHEMA}.{table} loaded {copied:,} rows of the {staged:,} "
                "staged; nothing of the file is kept"
            )

    def discard(self) -> None:
        """Delete this load's staged parts and manifests (the rows are committed, or rolled back)."""
        keys = [key for staged in self.staged for key in staged.keys]
        self.staged = []
        if keys:
            try:
                delete_keys(self.area, self.client, keys)
            except Exception:  # noqa: BLE001 - the next run's sweep deletes them (extract.redshift_staging)
                return


def _staged_order(columns: Sequence[str]) -> list[int]:
    """Column positions with the row's position in its file first, so a COPY error's raw line names it."""
    first = [i for i, column in enumerate(columns) if column in INDEX_COLUMNS][:1]
    return first + [i for i in range(len(columns)) if i not in first]


LOAD_ERRORS = """
select line_number, trim(colname), trim(err_reason), trim(filename), raw_line
from stl_load_errors
where query = pg_last_copy_id()
order by starttime, line_number
limit 3
"""


def load_errors(cur: Cursor, key: str) -> str | None:
    """The rows stl_load_errors holds for the session's last COPY, in words; None when it holds none."""
    cur.execute(LOAD_ERRORS)
    rows = cur.fetchall()
    cur.connection.rollback()
    if not rows:
        return None
    described = []
    for line_number, column, reason, filename, raw_line in rows:
        match = _INDEX_IN_LINE.match(raw_line or "")
        what = {"record_index": "record", "line_number": "line"}[match["column"]] if match else ""
        where = f"{what} {match['index']}" if match else f"staged line {line_number}"
        part = (filename or "").rsplit("/", 1)[-1]
        described.append(f"{where} ({part} line {line_number}), column {column}: {reason}")
    return "; ".join(described)
