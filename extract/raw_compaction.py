"""Raw retention for vehicle feeds: each content's JSON is held once.

Every feed is a full snapshot, so most records of a day repeat, byte for byte, the record the
previous feed of the same corporate and DMS delivered (same stock id and record hash). Such a record
keeps its row (the history needs to know it was delivered) but its JSON becomes `null`: an earlier
delivery holds the same JSON. The first delivery of a content is never compacted (nothing before it
repeats it), and it is the one dbt types a content from, so nothing dbt needs is lost; the landing
archive keeps every file. Comparing with the previous feed only keeps the work per run bounded by the
new feeds, whatever the history's length. Raw then grows by about 280 bytes per repeated record (its
row, 175 bytes, and its entry in the deliveries index, about 100: measured at 1M vehicles) instead of
about 1,750.

"Previous" is decided when the feed commits, not when compaction runs, and stored with it
(`vehicle_feeds.compaction_base_load_id`): the latest *applied* feed (ledger status loaded or released) of
the same corporate and DMS with a lower load id that had committed by then; the feed's transaction holds
the corporate + DMS lock from that choice to its commit. Why it matters: load ids are reserved when a
file starts, so feeds can commit out of load-id order. Were "previous" decided later, a feed B could be
recorded by a running dbt build, then an earlier-numbered feed A commit, then compaction empty B's
records against A before dbt typed B's contents (A not yet recorded): a content typed from an emptied
record. Chosen at commit, every feed whose JSON a record relies on was visible to any dbt statement that
sees the record's feed, and has a lower load id, so it is recorded in the same dbt run or an earlier one,
and dbt types a content from its lowest load id: a record with its JSON.

Held and superseded feeds are never a base (extract.held_feeds): dbt does not read them, so a record that
repeats a held feed's keeps its JSON. A held feed is compacted against its base like any other. Releasing
it later needs nothing more: no feed took it as a base while it was held, and an applied feed stays
applied, so every record that lost its JSON repeats one of a feed dbt reads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from extract import fault_points
from extract.ledger import APPLIED_STATUSES, RAW_SCHEMA
from extract.warehouse import WarehouseAddress, connect

_APPLIED = ", ".join(f"'{status}'" for status in APPLIED_STATUSES)
_COMPACT = f"""
select pg_advisory_xact_lock(hashtextextended('extract:compact-vehicle-records', 0));
create temporary table pending_feeds on commit drop as
    select
        feeds.load_id,
        feeds.compaction_base_load_id as previous_load_id
    from {RAW_SCHEMA}.vehicle_feeds as feeds
    where feeds.compacted_at is null;
update {RAW_SCHEMA}.vehicle_records as later
set record = 'null'::jsonb
from pending_feeds
where
    later.load_id = pending_feeds.load_id
    and pending_feeds.previous_load_id is not null
    and exists (
        select 1
        from {RAW_SCHEMA}.vehicle_records as earlier
        where
            earlier.load_id = pending_feeds.previous_load_id
            and earlier.stock_id = later.stock_id
            and earlier.record_hash = later.record_hash
    );
"""
_MARK_DONE = f"""
update {RAW_SCHEMA}.vehicle_feeds set compacted_at = now()
where load_id in (select load_id from pending_feeds);
"""


def compaction_base_sql() -> str:
    """The scalar subquery that chooses a feed's compaction base, for the feed's insert: its parameters are the
    corporate id, the DMS and the feed's load id. Run it under the corporate + DMS lock (held_feeds.Feed.lock),
    which the feed's transaction keeps until it commits. Portable: the same on PostgreSQL and Redshift."""
    return f"""
        select max(previous.load_id)
        from {RAW_SCHEMA}.vehicle_feeds as previous
        inner join {RAW_SCHEMA}.load_ledger as ledger
            on previous.load_id = ledger.load_id
        where
            previous.corporate_id = %s
            and previous.dms = %s
            and previous.load_id < %s
            and ledger.status in ({_APPLIED})
    """


@dataclass(frozen=True)
class Compaction:
    feeds: int
    records: int
    seconds: float


def compact_vehicle_records(address: WarehouseAddress) -> Compaction:
    """Drop the JSON of records that repeat an earlier delivery, for feeds not compacted yet."""
    started = time.perf_counter()
    conn = connect(address, application_name="extract: raw compaction")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(_COMPACT)
            records = cur.rowcount
            cur.execute(_MARK_DONE)
            feeds = cur.rowcount
            fault_points.reached(fault_points.MID_COMPACTION)
        fault_points.reached(fault_points.AFTER_COMPACTION)
        if records > 0:
            conn.autocommit = True  # VACUUM runs outside a transaction: the freed space serves tomorrow's loads
            with conn.cursor() as cur:
                cur.execute(f"vacuum {RAW_SCHEMA}.vehicle_records")
    finally:
        conn.close()
    return Compaction(feeds, records, time.perf_counter() - started)
