"""Raw retention for vehicle feeds: each content's JSON is held once.

Every feed is a full snapshot, so most records of a day repeat, byte for byte, the record the
previous feed of the same corporate and DMS delivered (same stock id and record hash). Such a record
keeps its row (the history needs to know it was delivered) but its JSON becomes `null`: an earlier
delivery holds the same JSON. The first delivery of a content is never compacted (nothing before it
repeats it), and it is the one dbt types a content from, so nothing dbt needs is lost; the landing
archive keeps every file. Comparing with the previous feed only keeps the work per run bounded by the
new feeds, whatever the history's length. Raw then grows by about 150 bytes per repeated record
instead of about 1,600.

"Previous" means the previous *applied* feed (ledger status loaded or released), never a held or
superseded one (extract.held_feeds): dbt does not read those, so a record that repeats a held feed's
keeps its JSON. A held feed is compacted against the previous applied feed like any other. Releasing it
later needs nothing more: no feed was compacted against it while it was held, and an applied feed stays
applied, so every record that lost its JSON repeats one of a feed dbt reads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from extract.ledger import APPLIED_STATUSES, RAW_SCHEMA
from extract.warehouse import WarehouseAddress, connect

_APPLIED = ", ".join(f"'{status}'" for status in APPLIED_STATUSES)
_COMPACT = f"""
select pg_advisory_xact_lock(hashtextextended('extract:compact-vehicle-records', 0));
create temporary table pending_feeds on commit drop as
    select
        feeds.load_id,
        (
            -- the previous applied feed: never a held one, whose records dbt does not read (extract.held_feeds)
            select max(previous.load_id)
            from {RAW_SCHEMA}.vehicle_feeds as previous
            inner join {RAW_SCHEMA}.load_ledger as ledger
                on previous.load_id = ledger.load_id
            where
                previous.corporate_id = feeds.corporate_id
                and previous.dms = feeds.dms
                and previous.load_id < feeds.load_id
                and ledger.status in ({_APPLIED})
        ) as previous_load_id
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
        if records > 0:
            conn.autocommit = True  # VACUUM runs outside a transaction: the freed space serves tomorrow's loads
            with conn.cursor() as cur:
                cur.execute(f"vacuum {RAW_SCHEMA}.vehicle_records")
    finally:
        conn.close()
    return Compaction(feeds, records, time.perf_counter() - started)
