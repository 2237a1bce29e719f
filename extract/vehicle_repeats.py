"""A stock id a snapshot feed lists twice with different content: the first record stays, later ones are set aside.

A snapshot says what one vehicle is; two different contents for one stock id in one feed cannot both be
true, and dbt would otherwise pick one silently. The first record is kept (the DMS wrote it first); every
later record of that stock id whose content differs from the first's moves to raw.rejected_records with
both positions ("record 7 (<Ad> at line 120) repeats stock id 'X' of record 3 (line 40) with different
content"). A repeat with the same content (same record_hash) is harmless and stays: dbt reads one delivery
per stock id and feed (int_vehicle_snapshot_versions) and one row per content (int_vehicle_contents).

Found in SQL, in the file's transaction after the COPY, in one scan of the load's rows through the
(load_id, record_index) index: memory stays flat whatever the feed's size. Plain SQL that PostgreSQL and
Redshift both run. Line numbers are not stored in raw, so a feed that has such repeats is read once more
for the lines and contents of those records only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg2.extensions import cursor as Cursor

from extract.domain import REJECTED_CONTENT_CHARS, LoadContext
from extract.ledger import RAW_SCHEMA
from extract.xml_records import XmlRecord

# Each later record of a stock id whose content differs from the stock id's first record in the feed. One scan
# of the load's rows and a sort, no join: a just-loaded load id has no planner statistics yet (PostgreSQL
# estimates it at one row), and a join planned on that estimate re-ran the grouping per row (minutes a feed).
CONFLICTING_REPEATS = f"""
with

load_records as (

    select
        record_index,
        stock_id,
        record_hash,
        first_value(record_index) over (
            partition by stock_id order by record_index rows between unbounded preceding and current row
        ) as first_index,
        first_value(record_hash) over (
            partition by stock_id order by record_index rows between unbounded preceding and current row
        ) as first_hash

    from {RAW_SCHEMA}.vehicle_records
    where load_id = %(load_id)s and not is_delete

)

select
    record_index,
    stock_id,
    first_index

from load_records
where record_hash <> first_hash
order by record_index
"""

DELETE_RECORDS = f"delete from {RAW_SCHEMA}.vehicle_records where load_id = %s and record_index in %s"
RECOUNT_FEED = (
    f"update {RAW_SCHEMA}.vehicle_feeds"
    " set record_count = record_count - %s, rejected_count = rejected_count + %s where load_id = %s"
)
_DELETE_BATCH = 1000


@dataclass(frozen=True)
class Repeat:
    index: int
    stock_id: str
    first_index: int


@dataclass(frozen=True)
class Position:
    what: str  # the file, or file!member
    line: int | None
    content: str  # the record's JSON, its first REJECTED_CONTENT_CHARS characters


def conflicting_repeats(cur: Cursor, load_id: int) -> list[Repeat]:
    cur.execute(CONFLICTING_REPEATS, {"load_id": load_id})
    return [Repeat(int(index), str(stock_id), int(first)) for index, stock_id, first in cur.fetchall()]


def positions(
    records: Iterable[tuple[str, XmlRecord]], wanted: set[int], to_json: Callable[[Any], bytes]
) -> dict[int, Position]:
    """Where the `wanted` records are, read again from the file; stops at the last one wanted."""
    found: dict[int, Position] = {}
    last = max(wanted, default=0)
    reading = iter(records)
    try:
        for what, record in reading:
            if record.index in wanted:
                found[record.index] = Position(what, record.line, content_prefix(to_json(record.value)))
            if record.index >= last:
                break
    finally:
        close = getattr(reading, "close", None)  # a generator: its open zip or gzip closes now
        if close is not None:
            close()
    return found


def content_prefix(document: bytes) -> str:
    """The beginning of a record's JSON that raw.rejected_records keeps, without decoding all of a huge one."""
    return document[: REJECTED_CONTENT_CHARS * 4].decode("utf-8", errors="ignore")[:REJECTED_CONTENT_CHARS]


def reason(repeat: Repeat, positions: dict[int, Position], tag: str) -> str:
    later = positions.get(repeat.index, Position("?", None, ""))
    first = positions.get(repeat.first_index, Position("?", None, ""))
    elsewhere = "" if first.what == later.what else f" of {first.what}"
    return (
        f"{later.what} record {repeat.index} (<{tag}> at line {later.line}) repeats stock id {repeat.stock_id!r} "
        f"of record {repeat.first_index} (line {first.line}{elsewhere}) with different content; the first is kept, "
        "this one is not loaded"
    )


def _delete(cur: Cursor, load_id: int, indexes: Sequence[int]) -> None:
    for start in range(0, len(indexes), _DELETE_BATCH):
        cur.execute(DELETE_RECORDS, (load_id, tuple(indexes[start : start + _DELETE_BATCH])))


def set_aside_conflicting_repeats(
    ctx: LoadContext, tag: str, records: Callable[[], Iterable[tuple[str, XmlRecord]]], to_json: Callable[[Any], bytes]
) -> int:
    """Move the later records of a stock id with another content than its first out of the feed's rows, into
    raw.rejected_records (ctx.reject_record); the feed's counts follow. Returns how many were set aside."""
    repeats = conflicting_repeats(ctx.cur, ctx.load_id)
    if not repeats:
        return 0
    wanted = {r.index for r in repeats} | {r.first_index for r in repeats}
    found = positions(records(), wanted, to_json)
    _delete(ctx.cur, ctx.load_id, [r.index for r in repeats])
    ctx.cur.execute(RECOUNT_FEED, (len(repeats), len(repeats), ctx.load_id))
    for repeat in repeats:
        ctx.reject_record(
            repeat.index, reason(repeat, found, tag), found.get(repeat.index, Position("", None, "")).content
        )
    return len(repeats)
