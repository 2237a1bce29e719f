"""A STAND-IN FOR AN AMAZON REDSHIFT CLUSTER, for tests only: no cluster is reachable from here.

It is a PostgreSQL database behind a connection that understands the few Redshift-only statements the
extractor's Redshift target sends, so staging, the ledger, exactly-once and crash recovery run for real:

- `copy <table> (<columns>) from 's3://.../manifest.json' iam_role '...' format as json 'auto' gzip manifest ...`
  reads the manifest and its gzip JSON Lines parts from S3 (moto's server over HTTP), refuses a missing
  mandatory part, and loads the rows in the same transaction (a JSON document into the jsonb column that
  stands for SUPER); a row PostgreSQL refuses becomes a row of `stl_load_errors`, as on Redshift;
- `select pg_last_copy_count()`, `pg_last_copy_id()` and the `stl_load_errors` query answer from the session;
- Redshift DDL is translated: SUPER becomes jsonb, DISTSTYLE / DISTKEY / SORTKEY are dropped;
- the session is SERIALIZABLE, as every Redshift transaction is.

Every statement sent is appended to REDSHIFT_STANDIN_LOG (JSON lines) so tests can check the exact SQL with
extract.redshift_sql. Faults a cluster could produce, on demand: REDSHIFT_STANDIN_SKIP_LINES=N loads N lines
fewer than staged (the count check must catch it); REDSHIFT_STANDIN_FAIL_LINE=N makes line N of the first part
fail with a Redshift-style load error.

Run the extractor against it: `python tests/python/redshift_standin.py <python -m extract arguments>`, with
PG* naming the PostgreSQL database and REDSHIFT_* / EXTRACT_STAGING / REDSHIFT_COPY_ROLE_ARN set as for prod.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from extract import raw_writer, redshift_target  # noqa: E402
from extract.warehouse import resolve_address  # noqa: E402

_COPY = re.compile(
    r"^copy\s+(?P<schema>\w+)\.(?P<table>\w+)\s*\((?P<columns>[^)]*)\)\s*from\s+'(?P<manifest>s3://[^']+)'"
    r"(?P<options>.*)$",
    re.S | re.I,
)
_REQUIRED_OPTIONS = ("iam_role 'arn:", "format as json 'auto'", "gzip", "manifest")
_FORBIDDEN_OPTIONS = ("truncatecolumns", "maxerror 1", "ignoreheader")
_DDL_DROPS = re.compile(
    r"\b(diststyle\s+\w+|distkey\s*\([^)]*\)|(compound\s+|interleaved\s+)?sortkey\s*\([^)]*\))", re.I
)
_SUPER = re.compile(r"\bsuper\b", re.I)
_COPY_CONTEXT_LINE = re.compile(r"line (\d+)")
_JSON_TYPES = ("json", "jsonb")


class StandInError(psycopg2.InternalError):
    """What Redshift raises for a COPY it refuses."""


class StandInSession:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last_copy_count = -1
        self.last_copy_id = 0
        self.load_errors: list[dict[str, Any]] = []
        self.s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        self.log_path = os.environ.get("REDSHIFT_STANDIN_LOG")

    def log(self, statement: str) -> None:
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"pid": os.getpid(), "sql": statement}) + "\n")


class StandInCursor:
    def __init__(self, connection: StandInConnection) -> None:
        self.connection = connection
        self.session = connection.session
        self.inner = connection.session.inner.cursor()
        self._fake: list[tuple[Any, ...]] | None = None

    def __enter__(self) -> StandInCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.inner.close()

    @property
    def rowcount(self) -> int:
        return len(self._fake) if self._fake is not None else self.inner.rowcount

    def execute(self, statement: str, params: Any = None) -> None:
        self.session.log(statement)
        self._fake = None
        text = statement.strip()
        if copy := _COPY.match(text):
            self._copy(copy)
        elif re.fullmatch(r"select pg_last_copy_count\(\)", text, re.I):
            self._fake = [(self.session.last_copy_count,)]
        elif "stl_load_errors" in text:
            self._fake = [
                (e["line_number"], e["colname"], e["err_reason"], e["filename"], e["raw_line"])
                for e in self.session.load_errors
                if e["query"] == self.session.last_copy_id
            ]
        elif text.lower().startswith("create table"):
            self.inner.execute(_SUPER.sub("jsonb", _DDL_DROPS.sub("", text)), params)
        else:
            self.inner.execute(statement, params)

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._fake is not None:
            return self._fake.pop(0) if self._fake else None
        return self.inner.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._fake is not None:
            rows, self._fake = self._fake, []
            return rows
        return self.inner.fetchall()

    def _copy(self, copy: re.Match[str]) -> None:
        options = " ".join(copy["options"].lower().split())
        missing = [option for option in _REQUIRED_OPTIONS if option not in options]
        forbidden = [option for option in _FORBIDDEN_OPTIONS if option in options]
        if missing or forbidden:
            raise StandInError(f"stand-in: the COPY lacks {missing} or uses {forbidden}")
        session = self.session
        session.last_copy_id += 1
        session.last_copy_count = 0
        schema, table = copy["schema"], copy["table"]
        columns = [c.strip() for c in copy["columns"].split(",")]
        json_columns = self._json_columns(schema, table)
        bucket, _, key = copy["manifest"][len("s3://") :].partition("/")
        manifest = json.loads(session.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        parts = []
        for entry in manifest["entries"]:
            part_bucket, _, part_key = entry["url"][len("s3://") :].partition("/")
            try:
                parts.append((entry["url"], session.s3.get_object(Bucket=part_bucket, Key=part_key)["Body"].read()))
            except session.s3.exceptions.NoSuchKey as exc:
                if entry.get("mandatory"):
                    raise StandInError(f"S3ServiceException: the specified key does not exist: {entry['url']}") from exc
        skip = int(os.environ.get("REDSHIFT_STANDIN_SKIP_LINES", "0"))
        fail_line = int(os.environ.get("REDSHIFT_STANDIN_FAIL_LINE", "0"))
        for number, (url, body) in enumerate(parts):
            lines = gzip.decompress(body).decode("utf-8").splitlines()
            if number == 0 and skip:
                lines = lines[skip:]
            if number == 0 and fail_line and len(lines) >= fail_line:
                self._load_error(url, fail_line, "value_text", "Invalid digit, Value '?', Pos 0", lines[fail_line - 1])
            rows = self._rows(lines, columns, json_columns)
            try:
                session.last_copy_count += raw_writer.copy_rows(self.inner, schema, table, columns, rows)
            except psycopg2.Error as exc:
                context = getattr(exc.diag, "context", None) or ""
                found = _COPY_CONTEXT_LINE.search(context)
                line = int(found.group(1)) if found else 0
                column = exc.diag.column_name or ""
                self._load_error(
                    url, line, column, exc.diag.message_primary or str(exc), lines[line - 1] if line else ""
                )

    def _load_error(self, url: str, line: int, column: str, reason: str, raw_line: str) -> None:
        self.session.load_errors.append(
            {
                "query": self.session.last_copy_id,
                "line_number": line,
                "colname": column,
                "err_reason": reason,
                "filename": url,
                "raw_line": raw_line[:1024],
            }
        )
        raise StandInError("Load into table failed. Check 'stl_load_errors' system table for details.")

    def _json_columns(self, schema: str, table: str) -> set[str]:
        self.inner.execute(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s and data_type in %s",
            (schema, table, _JSON_TYPES),
        )
        return {row[0] for row in self.inner.fetchall()}

    @staticmethod
    def _rows(lines: list[str], columns: list[str], json_columns: set[str]) -> Iterator[tuple[Any, ...]]:
        for line in lines:
            document = json.loads(line)  # JSON 'auto': keys match the (lower-case) column names
            yield tuple(
                json.dumps(document.get(c), ensure_ascii=False) if c in json_columns else document.get(c)
                for c in columns
            )


class StandInConnection:
    def __init__(self, inner: Any) -> None:
        self.session = StandInSession(inner)

    @property
    def closed(self) -> int:
        """As psycopg2's: 0 open, non-zero when closed or dropped by the server (the loader then reconnects)."""
        return self.session.inner.closed

    def cursor(self) -> StandInCursor:
        return StandInCursor(self)

    def commit(self) -> None:
        self.session.log("commit")
        self.session.inner.commit()

    def rollback(self) -> None:
        self.session.log("rollback")
        self.session.inner.rollback()

    def close(self) -> None:
        self.session.inner.close()

    def __enter__(self) -> StandInConnection:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


def standin_connect(address: redshift_target.RedshiftAddress, application_name: str) -> StandInConnection:
    """In place of a Redshift connection: the PostgreSQL database PG* names, serializable like Redshift."""
    pg = resolve_address()
    inner = psycopg2.connect(
        host=pg.host, port=pg.port, user=pg.user, password=pg.password, dbname=pg.dbname,
        application_name=f"redshift stand-in: {application_name}",
    )  # fmt: skip
    with inner.cursor() as cur:
        cur.execute("set timezone to 'UTC'")  # Redshift sessions run in UTC
    inner.commit()
    inner.set_session(isolation_level="SERIALIZABLE")
    return StandInConnection(inner)


if __name__ == "__main__":
    redshift_target.connect_redshift = standin_connect  # type: ignore[assignment]
    from extract import cli

    sys.exit(cli.main(sys.argv[1:]))
