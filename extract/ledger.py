"""The load ledger (`raw.load_ledger`): one row per file processed, written in the file's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg2.extensions import cursor as Cursor

RAW_SCHEMA = "raw"

LEDGER_DDL = f"""
create schema if not exists {RAW_SCHEMA};
create table if not exists {RAW_SCHEMA}.load_ledger (
    load_id bigserial primary key,
    domain text not null,
    landing_uri text not null,
    landing_key text not null,
    size_bytes bigint not null,
    sha256 char(64) not null,
    feed_at timestamptz not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null check (status in ('loaded', 'rejected', 'skipped')),
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error text
);
create index if not exists load_ledger_landing_key on {RAW_SCHEMA}.load_ledger (landing_key, load_id);
comment on table {RAW_SCHEMA}.load_ledger is
    'One row per landing file processed by python -m extract: loaded, rejected (with the reason) or skipped.';
"""


@dataclass(frozen=True)
class LedgerEntry:
    domain: str
    landing_uri: str
    landing_key: str
    size_bytes: int
    sha256: str
    feed_at: datetime
    started_at: datetime


def lock_landing_key(cur: Cursor, landing_key: str) -> None:
    """Hold a transaction-scoped lock on one landing path: a concurrent run waits, then sees our ledger row."""
    cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (landing_key,))


def already_loaded(cur: Cursor, landing_key: str, sha256: str) -> int | None:
    """The load id of the same content at the same landing path, when it is that path's latest load."""
    cur.execute(
        f"""
        select load_id, sha256 from {RAW_SCHEMA}.load_ledger
        where landing_key = %s and status = 'loaded'
        order by load_id desc
        limit 1
        """,
        (landing_key,),
    )
    latest = cur.fetchone()
    return latest[0] if latest is not None and latest[1] == sha256 else None


def begin(cur: Cursor, entry: LedgerEntry, status: str = "loaded") -> int:
    cur.execute(
        f"""
        insert into {RAW_SCHEMA}.load_ledger
            (domain, landing_uri, landing_key, size_bytes, sha256, feed_at, started_at, status)
        values (%s, %s, %s, %s, %s, %s, %s, %s)
        returning load_id
        """,
        (
            entry.domain,
            entry.landing_uri,
            entry.landing_key,
            entry.size_bytes,
            entry.sha256,
            entry.feed_at,
            entry.started_at,
            status,
        ),
    )
    return int(cur.fetchone()[0])


def finish(
    cur: Cursor,
    load_id: int,
    status: str,
    rows_loaded: int = 0,
    rows_rejected: int = 0,
    error: str | None = None,
    feed_at: datetime | None = None,
) -> None:
    cur.execute(
        f"""
        update {RAW_SCHEMA}.load_ledger
        set status = %s, rows_loaded = %s, rows_rejected = %s, error = %s,
            feed_at = coalesce(%s, feed_at), finished_at = clock_timestamp()
        where load_id = %s
        """,
        (status, rows_loaded, rows_rejected, error, feed_at, load_id),
    )
