"""Vehicle inventory feeds: `vehicles/corporate={id}/source={DMS}/<file>` -> one JSONB row per record.

The DMS's track file (tracks/<dms>.sql) names the record element and the list paths; everything else
about the format is dbt's business (models/staging/dms/).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from extract import held_feeds
from extract.compressed_input import xml_streams
from extract.domain import MAX_RECORD_BYTES, REJECTED_CONTENT_CHARS, FileNotReady, LoadContext, Outcome, RejectedFile
from extract.ledger import RAW_SCHEMA
from extract.raw_compaction import compaction_base_sql
from extract.record_text import first_text
from extract.track_checks import FeedChecks
from extract.tracks import Track, Tracks, load_tracks
from extract.vehicle_repeats import content_prefix, set_aside_conflicting_repeats
from extract.xml_records import XmlRecord, find_feed_time, iter_records

NAME = "vehicles"
RECORDS = "vehicle_records"
FEEDS = "vehicle_feeds"
_LANDING_PATH = re.compile(r"^vehicles/corporate=([^/]+)/source=([^/]+)/.+$")

DDL = f"""
create table if not exists {RAW_SCHEMA}.{RECORDS} (
    load_id bigint not null,
    corporate_id varchar not null,
    dms varchar not null,
    landing_key varchar not null,
    record_index integer not null,
    feed_at timestamptz not null,
    stock_id varchar not null,
    record_hash varchar(32) not null,
    record jsonb not null
);
-- a table made by an extractor before stock_id and record_hash existed cannot be filled: say so
do $$
begin
    if not exists (
        select 1 from information_schema.columns
        where table_schema = '{RAW_SCHEMA}' and table_name = '{RECORDS}' and column_name = 'record_hash'
    ) then
        raise exception '{RAW_SCHEMA}.{RECORDS} was made by an older extractor (no stock_id, record_hash columns)'
            using hint = 'land the vehicle feeds again into a fresh raw schema: drop schema {RAW_SCHEMA} cascade '
                || '(the ledger goes with it, so archived files are not skipped; the embedded warehouse: '
                || 'python -m extract warehouse reset), copy the files of imported/ back into the landing zone, '
                || 'run python -m extract, then dbt build --full-refresh';
    end if;
end $$;
comment on table {RAW_SCHEMA}.{RECORDS} is
    'Vehicle records as delivered by each DMS feed: the record element as JSON, one row per record.';
comment on column {RAW_SCHEMA}.{RECORDS}.stock_id is
    'The DMS''s stock id of the record (its track''s external_source_id paths, first non-empty, trimmed).';
comment on column {RAW_SCHEMA}.{RECORDS}.record_hash is
    'md5 of the record''s JSON as written: equal hashes mean an unchanged record, without reading the JSON.';
alter table {RAW_SCHEMA}.{RECORDS} add column if not exists is_delete boolean not null default false;
comment on column {RAW_SCHEMA}.{RECORDS}.is_delete is
    'True for a delete record of a feed_mode events DMS (its track''s deletes.root): it ends the ad of its '
    'stock id, and is never typed as a vehicle.';
-- (load_id, record_index) lets dbt re-read only the records it needs from one feed. The index also carries
-- the light columns of a delivery (who sent which stock id with which content hash), so what reads a day's
-- million deliveries without their JSON (dbt's new contents, the history's comparison, the availability test)
-- reads the index alone once VACUUM has marked the pages visible (the raw compaction runs it after a load that
-- repeats records, autovacuum otherwise): measured at 1M vehicles on day 2, each statement alone 1.2 to 2.5 s
-- faster; about 100 bytes a record on disk
drop index if exists {RAW_SCHEMA}.{RECORDS}_load_id;
create index if not exists {RECORDS}_deliveries on {RAW_SCHEMA}.{RECORDS} (load_id, record_index)
    include (corporate_id, dms, stock_id, record_hash, is_delete);
drop index if exists {RAW_SCHEMA}.{RECORDS}_load_record;
-- the few delete records, found without reading the table: dbt looks for them in every build
-- (stg_dms__vehicle_deletes), and a scan of every record to find none took 2 s at a million records a day
create index if not exists {RECORDS}_deletes on {RAW_SCHEMA}.{RECORDS} (load_id, record_index) where is_delete;
create table if not exists {RAW_SCHEMA}.{FEEDS} (
    load_id bigint primary key,
    corporate_id varchar not null,
    dms varchar not null,
    landing_key varchar not null,
    feed_at timestamptz not null,
    record_count integer not null,
    rejected_count integer not null
);
comment on table {RAW_SCHEMA}.{FEEDS} is
    'One row per loaded vehicle feed (a full snapshot of a corporate''s stock in one DMS), even when empty.';
alter table {RAW_SCHEMA}.{FEEDS} add column if not exists compacted_at timestamptz;
comment on column {RAW_SCHEMA}.{FEEDS}.compacted_at is
    'When the feed''s repeated records dropped their JSON (extract.raw_compaction); null until then.';
alter table {RAW_SCHEMA}.{FEEDS} add column if not exists compaction_base_load_id bigint;
comment on column {RAW_SCHEMA}.{FEEDS}.compaction_base_load_id is
    'The feed whose records may hold this feed''s repeated JSON (extract.raw_compaction): the latest applied '
    'feed of the same corporate + DMS with a lower load id that had committed when this one committed.';
-- the latest feed of a corporate + DMS, read backwards, for the hold rule (extract.held_feeds)
create index if not exists {FEEDS}_by_stock on {RAW_SCHEMA}.{FEEDS} (corporate_id, dms, feed_at, load_id);
"""


def record_json(value: Any) -> bytes:
    """A record's JSON as landed and hashed: compact, UTF-8, keys in document order. orjson writes the same
    bytes as json.dumps(value, ensure_ascii=False, separators=(",", ":")), about ten times faster; a value
    nested deeper than orjson's limit (254 levels) takes json's way, to the same bytes."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class VehiclesDomain:
    name = NAME
    ddl = DDL

    def __init__(self) -> None:
        self._tracks: Tracks | None = None

    def validate(self) -> list[str]:
        """Read every track file; the reasons of the invalid ones (their DMS's feeds wait, the rest load)."""
        self._tracks = load_tracks()
        return list(self._tracks.invalid.values())

    def track_for(self, dms_folder: str, key: str) -> Track:
        if self._tracks is None:
            self._tracks = load_tracks()
        track = self._tracks.valid.get(dms_folder.upper())
        if track is not None:
            return track
        invalid = self._tracks.invalid.get(dms_folder.upper())
        if invalid is not None:
            raise FileNotReady(f"{key}: waits for a valid track file: {invalid}")
        known = ", ".join(sorted(self._tracks.valid)) or "none"
        raise RejectedFile(
            f"{key}: no track file for DMS {dms_folder!r} (known: {known}); "
            f"add tracks/{dms_folder.lower()}.sql as described in docs/track_files.md"
        )

    @staticmethod
    def feed_time(ctx: LoadContext, track: Track) -> datetime:
        """The time the track names inside the XML (first document that has it), else the file's mtime."""
        if track.feed_time:
            for what, stream in xml_streams(ctx.local.path, ctx.file.key):
                found = find_feed_time(stream, what, track)
                if found is not None:
                    return found
        return ctx.file.modified_at

    def load(self, ctx: LoadContext) -> Outcome:
        key = ctx.file.key
        match = _LANDING_PATH.match(key)
        if match is None:
            raise RejectedFile(f"{key}: vehicle feeds belong in vehicles/corporate={{id}}/source={{DMS}}/")
        corporate_id, dms_folder = match.groups()
        track = self.track_for(dms_folder, key)
        feed_at = self.feed_time(ctx, track)
        key_paths = track.key_paths()
        delete_key_paths = list(track.deletes.key_paths) if track.deletes is not None else []

        checks = FeedChecks(track)

        def rows() -> Iterator[tuple[object, ...]]:
            next_index = 1
            for what, stream in xml_streams(ctx.local.path, key):
                for record in iter_records(stream, what, track, start_index=next_index):
                    next_index = record.index + 1
                    if not record.is_delete:
                        checks.observe(record.value)
                    paths = delete_key_paths if record.is_delete else key_paths
                    stock_id = first_text(record.value, paths)
                    if not stock_id:
                        expected = " or ".join("/".join(p) for p in paths)
                        tag = track.deletes.root if record.is_delete and track.deletes else track.root
                        what_record = "delete record" if record.is_delete else "record"
                        ctx.reject_record(
                            record.index,
                            f"{what} {what_record} {record.index} (<{tag}> at line {record.line}): "
                            f"no stock id; expected a non-empty {expected}",
                            content_prefix(record_json(record.value)),
                        )
                        continue
                    document = record_json(record.value)
                    if len(document) > MAX_RECORD_BYTES:
                        ctx.reject_record(
                            record.index, oversized(what, record, track, document), content_prefix(document)
                        )
                        continue
                    record_hash = hashlib.md5(document, usedforsecurity=False).hexdigest()
                    yield (ctx.load_id, corporate_id, track.dms, key, record.index, feed_at, stock_id, record_hash,
                           document.decode(), record.is_delete)  # fmt: skip

        columns = (
            "load_id", "corporate_id", "dms", "landing_key", "record_index", "feed_at", "stock_id", "record_hash",
            "record", "is_delete",
        )  # fmt: skip
        loaded = ctx.copy_rows(RECORDS, columns, rows())
        feed = held_feeds.Feed(ctx.load_id, corporate_id, track.dms, feed_at)
        feed.lock(ctx.cur, ctx.lock)  # until commit: no other feed of this corporate + DMS commits in between
        ctx.cur.execute(
            f"insert into {RAW_SCHEMA}.{FEEDS}"
            " (load_id, corporate_id, dms, landing_key, feed_at, record_count, rejected_count,"
            " compaction_base_load_id)"
            f" select %s, %s, %s, %s, %s, %s, %s, ({compaction_base_sql()})",
            (ctx.load_id, corporate_id, track.dms, key, feed_at, loaded, len(ctx.rejected))
            + (corporate_id, track.dms, ctx.load_id),
        )
        others = self._tracks.valid.values() if self._tracks is not None else ()
        hold_reason = held_feeds.review(
            ctx.cur,
            ctx.lock,
            feed,
            track,
            loaded,
            lambda: held_feeds.why_no_records(ctx.local.path, key, track, len(ctx.rejected), others),
            held_feeds.removal_share_limit(),
        )
        if track.feed_mode == "snapshot":  # an events feed may update one ad twice: both are events
            loaded -= set_aside_conflicting_repeats(
                ctx, track.root, lambda: feed_records(ctx.local.path, key, track), record_json
            )
        return Outcome(rows_loaded=loaded, feed_at=feed_at, warnings=tuple(checks.findings()), hold_reason=hold_reason)


def feed_records(path: Path, key: str, track: Track) -> Iterator[tuple[str, XmlRecord]]:
    """(file or file!member, record) of every record of a feed, numbered across its XML documents."""
    next_index = 1
    for what, stream in xml_streams(path, key):
        for record in iter_records(stream, what, track, start_index=next_index):
            next_index = record.index + 1
            yield what, record


def oversized(what: str, record: XmlRecord, track: Track, document: bytes) -> str:
    """Why a record too big for a raw row is set aside: its position, size and the limit."""
    return (
        f"{what} record {record.index} (<{track.root}> at line {record.line}): its JSON is {len(document):,} bytes, "
        f"over the {MAX_RECORD_BYTES:,} bytes a record may have (Redshift's COPY reads no larger object; the same "
        f"limit on PostgreSQL); not loaded, its first {REJECTED_CONTENT_CHARS:,} characters are kept"
    )


DOMAIN = VehiclesDomain()
