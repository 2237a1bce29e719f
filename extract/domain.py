"""What a domain (vehicles, crypto, lab) provides to the loader, and what the loader gives it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from psycopg2.extensions import cursor as Cursor

from extract.landing import LandingFile, LocalCopy
from extract.ledger import RAW_SCHEMA

REJECTED_RECORDS_DDL = f"""
create table if not exists {RAW_SCHEMA}.rejected_records (
    load_id bigint not null,
    domain text not null,
    landing_key text not null,
    record_index bigint not null,
    reason text not null,
    content text
);
comment on table {RAW_SCHEMA}.rejected_records is
    'Records the extractor could not read, one row each with the file, its position and the reason.';
"""


MAX_RECORD_BYTES = 4 * 1024 * 1024  # a record's JSON, both targets: Redshift's COPY reads one object of at most 4 MB
REJECTED_CONTENT_CHARS = 10_000  # what raw.rejected_records keeps of a record's content: its beginning


class RejectedFile(Exception):
    """The whole file cannot be loaded. The message says where and what was expected."""


class StagingUnavailable(Exception):
    """The staging area (Redshift's S3 prefix) cannot be written or read: not the file's fault, it stays pending."""


class FileNotReady(Exception):
    """The file cannot be loaded now for a reason outside it (its DMS's track file is invalid): it stays
    pending, nothing of it is recorded, and the run reports it as failed. The message says what to fix."""


class RawWriter(Protocol):
    """Lands a file's rows in one raw table, in the file's transaction (extract.raw_writer for PostgreSQL,
    extract.redshift_copy for Redshift). Rows the warehouse cannot hold go to ctx.reject_record instead."""

    def copy_rows(
        self, ctx: LoadContext, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> int: ...

    def discard(self) -> None:
        """Drop what the writer staged outside the warehouse (after the commit or the rollback)."""
        ...


NamedLock = Callable[[Cursor, str], None]  # serialises one decision (a name) until the transaction ends


@dataclass
class LoadContext:
    cur: Cursor
    load_id: int
    file: LandingFile
    local: LocalCopy
    domain: str
    writer: RawWriter
    lock: NamedLock
    rejected: list[tuple[int, str, str | None]] = field(default_factory=list)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        """Land `rows` (tuples in `columns` order) in RAW_SCHEMA.table; the number of rows landed."""
        return self.writer.copy_rows(self, table, columns, rows)

    def reject_record(self, index: int, reason: str, content: str | None = None) -> None:
        """Set one unreadable record aside; it lands in raw.rejected_records with the file's rows."""
        self.rejected.append((index, reason, content[:REJECTED_CONTENT_CHARS] if content else content))

    def flush_rejected(self) -> int:
        for index, reason, content in self.rejected:
            self.cur.execute(
                f"insert into {RAW_SCHEMA}.rejected_records"
                " (load_id, domain, landing_key, record_index, reason, content)"
                " values (%s, %s, %s, %s, %s, %s)",
                (self.load_id, self.domain, self.file.key, index, reason, content),
            )
        return len(self.rejected)


@dataclass(frozen=True)
class Outcome:
    rows_loaded: int
    feed_at: datetime | None = None  # when the content names its own feed time
    warnings: tuple[str, ...] = ()  # what the file's format could not read (extract.track_checks)
    layout: str | None = None  # how the file was read, when inferred from its content (raw.load_ledger.layout)
    hold_reason: str | None = None  # the rows land but are not applied (a held vehicle feed, extract.held_feeds)


class Domain(Protocol):
    name: str
    ddl: str  # idempotent DDL of the domain's raw tables

    def load(self, ctx: LoadContext) -> Outcome:
        """Land the file's rows with ctx.cur; raise RejectedFile when the file as a whole is unreadable."""
        ...
