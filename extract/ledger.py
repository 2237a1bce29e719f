"""The load ledger (`raw.load_ledger`): one row per file processed, written in the file's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from psycopg2.extensions import cursor as Cursor

RAW_SCHEMA = "raw"

# A file's status in the ledger. Vehicle feeds add three (extract.held_feeds): `held` (landed, not applied:
# it looks like a broken export), `superseded` (held, then a later applied feed of the same corporate + DMS
# replaced it) and `released` (held, then applied by hand with `python -m extract release`).
LOADED, REJECTED, SKIPPED = "loaded", "rejected", "skipped"
HELD, SUPERSEDED, RELEASED = "held", "superseded", "released"
STATUSES = (LOADED, REJECTED, SKIPPED, HELD, SUPERSEDED, RELEASED)
APPLIED_STATUSES = (LOADED, RELEASED)  # the loads whose rows dbt reads
LANDED_STATUSES = (LOADED, HELD, SUPERSEDED, RELEASED)  # the loads whose rows are in raw
_STATUS_LIST = ", ".join(f"'{status}'" for status in STATUSES)
_EVERY_STATUS_PATTERN = ", ".join(f"'%''{status}''%'" for status in STATUSES)

LEDGER_DDL = f"""
-- only when missing: CREATE SCHEMA IF NOT EXISTS asks for CREATE on the database even when the schema exists,
-- and the loader login owns raw without it (python -m extract warehouse roles)
do $$
begin
    if to_regnamespace('{RAW_SCHEMA}') is null then
        create schema {RAW_SCHEMA};
    end if;
end $$;
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
    status text not null constraint load_ledger_status_check check (status in ({_STATUS_LIST})),
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error text
);
alter table {RAW_SCHEMA}.load_ledger add column if not exists layout text;
comment on column {RAW_SCHEMA}.load_ledger.layout is
    'How the file was read when that was inferred from its content (e.g. a price file''s date order and '
    'decimal mark, and what decided them); null when the format is fixed.';
alter table {RAW_SCHEMA}.load_ledger add column if not exists warnings text;
comment on column {RAW_SCHEMA}.load_ledger.warnings is
    'What the file''s format could not read, one finding per line (a mapped column absent from every '
    'record, a list path without items, values that do not read as their parse hint); null when none.';
create index if not exists load_ledger_landing_key on {RAW_SCHEMA}.load_ledger (landing_key, load_id);
-- a ledger made before a status existed gets the current list (idempotent: only when one is missing)
do $$
begin
    if not exists (
        select 1 from pg_constraint
        where
            conrelid = '{RAW_SCHEMA}.load_ledger'::regclass
            and conname = 'load_ledger_status_check'
            and pg_get_constraintdef(oid) like all (array[{_EVERY_STATUS_PATTERN}])
    ) then
        alter table {RAW_SCHEMA}.load_ledger drop constraint if exists load_ledger_status_check;
        alter table {RAW_SCHEMA}.load_ledger add constraint load_ledger_status_check
            check (status in ({_STATUS_LIST}));
    end if;
end $$;
comment on table {RAW_SCHEMA}.load_ledger is
    'One row per landing file processed by python -m extract: loaded, rejected (with the reason), skipped, '
    'or for vehicle feeds held (not applied, with the reason), superseded or released.';
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


def already_loaded(cur: Cursor, landing_key: str, sha256: str) -> int | None:
    """The load id of the same content at the same landing path, when it is that path's latest landed load
    (loaded, or held, superseded or released: a held feed delivered again is not landed twice either)."""
    cur.execute(
        f"""
        select load_id, sha256 from {RAW_SCHEMA}.load_ledger
        where landing_key = %s and status in %s
        order by load_id desc
        limit 1
        """,
        (landing_key, LANDED_STATUSES),
    )
    latest = cur.fetchone()
    return latest[0] if latest is not None and latest[1] == sha256 else None


def attempts_since(cur: Cursor, landing_key: str, sha256: str, since: datetime) -> list[datetime]:
    """When the committed attempts at the same content of a landing path started, from `since` on: a crash may have
    cut one's move to imported/ (or rejected/) short, and its archive is in the folder of that time."""
    cur.execute(
        f"""
        select distinct started_at from {RAW_SCHEMA}.load_ledger
        where landing_key = %s and sha256 = %s and started_at >= %s
        """,
        (landing_key, sha256, since),
    )
    return [row[0] for row in cur.fetchall()]


def latest_attempt_since(cur: Cursor, landing_key: str, since: datetime) -> int | None:
    """The load id of the latest committed attempt at a landing path that finished from `since` on, whatever its
    content and outcome: the run that archived (or set aside) a file another run found gone wrote it just before
    the move."""
    cur.execute(
        f"""
        select max(load_id) from {RAW_SCHEMA}.load_ledger
        where landing_key = %s and finished_at >= %s
        """,
        (landing_key, since),
    )
    row = cur.fetchone()
    return row[0] if row is not None else None


# Ledger texts are capped so that they fit a Redshift VARCHAR(65535) whatever the characters (4 bytes each at most).
TEXT_LIMIT = 16_000


def _capped(text: str | None) -> str | None:
    if text is None or len(text) <= TEXT_LIMIT:
        return text
    return text[: TEXT_LIMIT - 40] + f" ... ({len(text) - TEXT_LIMIT + 40} more characters)"


def record(
    cur: Cursor,
    load_id: int,
    entry: LedgerEntry,
    status: str,
    rows_loaded: int = 0,
    rows_rejected: int = 0,
    error: str | None = None,
    feed_at: datetime | None = None,
    warnings: tuple[str, ...] = (),
    layout: str | None = None,
) -> None:
    """Write the file's ledger row, with its outcome, in the file's transaction (one statement: the same SQL on
    PostgreSQL and Redshift). `load_id` was reserved by the warehouse target before the transaction."""
    cur.execute(
        f"""
        insert into {RAW_SCHEMA}.load_ledger (
            load_id, domain, landing_uri, landing_key, size_bytes, sha256, feed_at, started_at, finished_at,
            status, rows_loaded, rows_rejected, error, warnings, layout
        )
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            load_id,
            entry.domain,
            entry.landing_uri,
            entry.landing_key,
            entry.size_bytes,
            entry.sha256,
            feed_at or entry.feed_at,
            entry.started_at,
            datetime.now(UTC),
            status,
            rows_loaded,
            rows_rejected,
            _capped(error),
            _capped("\n".join(warnings) or None),
            _capped(layout),
        ),
    )
