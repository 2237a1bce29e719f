"""Held vehicle feeds: a feed that looks like a broken export lands in raw but is not applied.

A snapshot feed lists a corporate's whole stock in one DMS: a vehicle missing from it becomes
unavailable. So a broken export (another DMS's format dropped in the folder, whose record element
matches nothing; a well-formed file with an empty record list) would make a dealer's whole stock
unavailable. Such a feed is held: its rows land in the file's own transaction (the file moves to
imported/ as usual) but its ledger status is `held`, with the reason and the numbers, and dbt reads
applied feeds only (ledger status `loaded` or `released`).

A feed is held when
- it has no records at all (whatever the track's feed_mode), or
- its track's feed_mode is snapshot and it would make more than EXTRACT_HOLD_REMOVAL_SHARE (default 0.5)
  of the corporate + DMS's available vehicles unavailable. Available = the distinct stock ids of the
  latest applied feed (by feed time, then load id) of that corporate and DMS; a feed older than that one
  decides no availability (it only adds history), so it is never held for removals.

`python -m extract release <load id>` applies a held feed on purpose (status `released`). An applied
feed (loaded or released) supersedes the held feeds of its corporate + DMS that sort before it (status
`superseded`, which release refuses): the later snapshot tells the stock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from psycopg2.extensions import cursor as Cursor

from extract.compressed_input import xml_streams
from extract.domain import NamedLock
from extract.ledger import APPLIED_STATUSES, HELD, RAW_SCHEMA, RELEASED, SUPERSEDED
from extract.tracks import Track

SHARE_VARIABLE = "EXTRACT_HOLD_REMOVAL_SHARE"
DEFAULT_SHARE = 0.5
# The last sentence of a held feed's reason; cut off when the feed is released or superseded.
_ACTION = ". Check the export with the DMS; if the stock really changed, release with: python -m extract release "


class HoldSettingError(ValueError):
    """EXTRACT_HOLD_REMOVAL_SHARE is not a share between 0 and 1."""


class UnknownLoad(LookupError):
    """No such load in the ledger."""


class ReleaseRefused(Exception):
    """The load cannot be released; the message says why."""


def removal_share_limit() -> float:
    """The share of available vehicles a snapshot may remove without being held (env EXTRACT_HOLD_REMOVAL_SHARE)."""
    text = os.environ.get(SHARE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SHARE
    try:
        share = float(text)
    except ValueError:
        share = float("nan")
    if not 0.0 <= share <= 1.0:
        raise HoldSettingError(
            f"{SHARE_VARIABLE}={text!r} is not a share between 0 and 1 (default {DEFAULT_SHARE}: a snapshot "
            "that would make more than half of a corporate's available vehicles in one DMS unavailable is held)"
        )
    return share


@dataclass(frozen=True)
class Feed:
    load_id: int
    corporate_id: str
    dms: str
    feed_at: datetime

    @property
    def stock(self) -> str:
        return f"corporate {self.corporate_id} in {self.dms}"

    def lock(self, cur: Cursor, lock: NamedLock) -> None:
        """Serialise the decisions on one corporate + DMS (a hold, a supersede, a release) until commit."""
        lock(cur, f"extract:vehicle-feeds:{self.corporate_id}/{self.dms}")


@dataclass(frozen=True)
class Removal:
    """What the feed does to the available vehicles of its corporate + DMS."""

    compared_load_id: int | None  # the latest applied feed; None when none is applied yet
    compared_feed_at: datetime | None
    available: int
    removed: int
    is_older: bool  # the feed sorts before the latest applied one: it decides no availability

    def holds(self, share: float) -> bool:
        return not self.is_older and self.available > 0 and self.removed > share * self.available


# One query, in the file's transaction after the COPY. The latest applied feed comes from
# vehicle_feeds_by_stock (corporate_id, dms, feed_at, load_id) walked backwards; both feeds' stock ids
# come through vehicle_records_deliveries (load_id, record_index, which carries the stock id).
_REMOVAL = f"""
with

latest_applied as (

    select
        feeds.load_id,
        feeds.feed_at

    from {RAW_SCHEMA}.vehicle_feeds as feeds
    inner join {RAW_SCHEMA}.load_ledger as ledger
        on feeds.load_id = ledger.load_id
    where
        feeds.corporate_id = %(corporate_id)s
        and feeds.dms = %(dms)s
        and feeds.load_id <> %(load_id)s
        and ledger.status in %(applied)s
    order by feeds.feed_at desc, feeds.load_id desc
    limit 1

),

available as (

    select distinct records.stock_id
    from {RAW_SCHEMA}.vehicle_records as records
    where records.load_id = (select latest_applied.load_id from latest_applied)

),

removed as (

    select available.stock_id from available
    except
    select delivered.stock_id
    from {RAW_SCHEMA}.vehicle_records as delivered
    where delivered.load_id = %(load_id)s

)

select
    (select latest_applied.load_id from latest_applied),
    (select latest_applied.feed_at from latest_applied),
    (select count(*) from available),
    (select count(*) from removed)
"""

# Portable (PostgreSQL and Redshift): no row-value comparison, no RETURNING.
_HELD_BEFORE = f"""
select ledger.load_id
from {RAW_SCHEMA}.load_ledger as ledger
inner join {RAW_SCHEMA}.vehicle_feeds as feeds
    on ledger.load_id = feeds.load_id
where
    ledger.status = '{HELD}'
    and feeds.corporate_id = %(corporate_id)s
    and feeds.dms = %(dms)s
    and (
        feeds.feed_at < %(feed_at)s
        or (feeds.feed_at = %(feed_at)s and feeds.load_id < %(load_id)s)
    )
"""

_SUPERSEDE = f"""
update {RAW_SCHEMA}.load_ledger
set
    status = '{SUPERSEDED}',
    error = %(note)s || split_part(error, %(action)s, 1) || ')'
where load_id in %(load_ids)s
"""


def removal(cur: Cursor, feed: Feed) -> Removal:
    cur.execute(
        _REMOVAL,
        {"corporate_id": feed.corporate_id, "dms": feed.dms, "load_id": feed.load_id, "applied": APPLIED_STATUSES},
    )
    compared_load_id, compared_feed_at, available, removed = cur.fetchone()
    is_older = compared_load_id is not None and (compared_feed_at, compared_load_id) > (feed.feed_at, feed.load_id)
    return Removal(compared_load_id, compared_feed_at, int(available), int(removed), is_older)


def supersede_held_before(cur: Cursor, feed: Feed) -> list[int]:
    """Mark the held feeds of the feed's corporate + DMS that sort before it: the applied feed replaces them."""
    note = f"superseded by load {feed.load_id}, a later applied feed of {feed.stock}: no longer releasable (was "
    where = {"corporate_id": feed.corporate_id, "dms": feed.dms, "feed_at": feed.feed_at, "load_id": feed.load_id}
    cur.execute(_HELD_BEFORE, where)
    load_ids = sorted(int(row[0]) for row in cur.fetchall())  # stable: the caller holds the feed's lock
    if load_ids:
        cur.execute(_SUPERSEDE, {"note": note, "action": _ACTION, "load_ids": tuple(load_ids)})
    return load_ids


def _at(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "?"


def _effect(feed: Feed, change: Removal, share: float | None = None) -> str:
    """What applying the feed would do to what is available, in words and numbers."""
    if change.compared_load_id is None:
        return f"would remove nothing: no feed of {feed.stock} is applied yet"
    compared = f"load {change.compared_load_id} (feed time {_at(change.compared_feed_at)})"
    if change.is_older:
        return f"is older than the applied feed of {feed.stock}, {compared}: it would change the history only"
    percent = 100.0 * change.removed / change.available if change.available else 0.0
    limit = f" > {100 * share:.0f}%, {SHARE_VARIABLE}" if share is not None else ""
    return (
        f"would remove {change.removed} of {change.available} available vehicles of {feed.stock} "
        f"({percent:.0f}%{limit}) compared with {compared}"
    )


def _sentence(text: str) -> str:
    return text if text.endswith(("?", ".", "!")) else text + "."


def review(
    cur: Cursor,
    lock: NamedLock,
    feed: Feed,
    track: Track,
    records: int,
    why_no_records: Callable[[], str],
    share: float,
) -> str | None:
    """Why the feed is held, or None: then it is applied, and the held feeds it replaces are superseded.

    Call it in the file's transaction after its rows are written; it locks the corporate + DMS until commit.
    """
    feed.lock(cur, lock)
    reason: str | None = None
    if track.feed_mode != "snapshot":
        if records == 0:
            reason = f"{_sentence(why_no_records())} An {track.feed_mode} feed with no records at all is held"
    else:
        change = removal(cur, feed)
        if records == 0:
            always = "A snapshot with no records is always held"
            reason = f"{_sentence(why_no_records())} {always}: it {_effect(feed, change)}"
        elif change.holds(share):
            reason = f"it {_effect(feed, change, share)}"
    if reason is not None:
        return f"held: {reason}{_ACTION}{feed.load_id}"
    supersede_held_before(cur, feed)
    return None


def why_no_records(path: Path, key: str, track: Track, rejected: int, tracks: Iterable[Track]) -> str:
    """Why a feed yielded no record: all rejected, an empty export, or no record element at all
    (then which DMS's record element the document holds, when a track knows it)."""
    if rejected:
        return f"none of its {rejected} <{track.root}> records has a stock id (they are in raw.rejected_records)"
    document, first_child = _outline(path, key)
    if document is None:
        return f"the file holds no XML element, so no <{track.root}> record"
    if first_child is None:
        return f"the export lists no vehicles: <{document}> holds no <{track.root}> record"
    owners = sorted(t.dms for t in tracks if t.root == first_child and t.dms != track.dms)
    guess = f", the record element of {' or '.join(owners)}" if owners else ""
    return (
        f"no <{track.root}> record element in the file (its document element <{document}> holds "
        f"<{first_child}>{guess}): is it another DMS's export dropped in the {track.dms} folder?"
    )


def _outline(path: Path, key: str) -> tuple[str | None, str | None]:
    """The local names of the first XML document's element and of its first child element."""
    streams = xml_streams(path, key)
    try:
        for _, stream in streams:
            names: list[str] = []
            parser = etree.iterparse(stream, events=("start",), resolve_entities=False, load_dtd=False, no_network=True)
            try:
                for _, element in parser:
                    names.append(etree.QName(element).localname)
                    if len(names) == 2:
                        break
            except etree.XMLSyntaxError:
                pass
            return (names[0] if names else None), (names[1] if len(names) > 1 else None)
    finally:
        streams.close()  # type: ignore[attr-defined]
    return None, None


@dataclass(frozen=True)
class Released:
    feed: Feed
    landing_key: str
    vehicles: int
    superseded: list[int]


def release(cur: Cursor, lock: NamedLock, load_id: int, released_by: str) -> Released:
    """Apply a held feed on purpose: status released, and the held feeds before it superseded."""
    cur.execute(
        f"""
        select ledger.status, ledger.landing_key, feeds.corporate_id, feeds.dms, feeds.feed_at
        from {RAW_SCHEMA}.load_ledger as ledger
        left join {RAW_SCHEMA}.vehicle_feeds as feeds
            on ledger.load_id = feeds.load_id
        where ledger.load_id = %s
        """,
        (load_id,),
    )
    row = cur.fetchone()
    if row is None:
        raise UnknownLoad(f"no load {load_id} in raw.load_ledger; `python -m extract release` lists the held feeds")
    status, landing_key, corporate_id, dms, feed_at = row
    if corporate_id is None:
        raise ReleaseRefused(f"load {load_id} ({landing_key}) is {status}, not a held vehicle feed: nothing to release")
    feed = Feed(load_id, corporate_id, dms, feed_at)
    feed.lock(cur, lock)
    cur.execute(f"select status, error from {RAW_SCHEMA}.load_ledger where load_id = %s", (load_id,))
    status, error = cur.fetchone()  # as it stands once no other load of the corporate + DMS is deciding
    if status == SUPERSEDED:
        raise ReleaseRefused(f"refused: load {load_id} ({landing_key}) is {error}")
    if status != HELD:
        raise ReleaseRefused(f"load {load_id} ({landing_key}) is {status}, not held: only a held feed can be released")
    cur.execute(
        f"""
        update {RAW_SCHEMA}.load_ledger
        set
            status = '{RELEASED}',
            error = 'released by hand at ' || %s || ' by ' || %s || ' (was ' || split_part(error, %s, 1) || ')'
        where load_id = %s
        """,
        (_at(datetime.now(UTC)), released_by, _ACTION, load_id),
    )
    cur.execute(f"select count(distinct stock_id) from {RAW_SCHEMA}.vehicle_records where load_id = %s", (load_id,))
    vehicles = int(cur.fetchone()[0])
    return Released(feed, landing_key, vehicles, supersede_held_before(cur, feed))


def held_loads(cur: Cursor) -> list[tuple[int, str, str]]:
    """(load id, landing key, reason) of every held feed, oldest first."""
    cur.execute(
        f"select load_id, landing_key, error from {RAW_SCHEMA}.load_ledger where status = %s order by load_id",
        (HELD,),
    )
    return [(int(load_id), key, error) for load_id, key, error in cur.fetchall()]
