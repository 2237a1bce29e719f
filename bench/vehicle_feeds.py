"""Write the planned vehicle feeds, day 1 and day 2 in one pass, as zipped XML in the landing layout.

Each feed is `vehicles/corporate={id}/source={DMS}/data.xml.zip` (one XML member, streamed into the zip
so memory stays flat) under a day folder; its modification time is its feed time. Day 2 is day 1 with
2% of the listings changed (price and mileage), 1% gone and 1% new; every other record is the same
string, byte for byte. Feeds are independent, so a process pool writes them in parallel.
"""

from __future__ import annotations

import os
import random
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench.car_catalogue import OPTIONALS, Car, car_traits
from bench.dms_formats import FORMATS, Listing
from bench.vehicle_plan import ONLY_LISTING, SECOND_OF_TWO, FeedPlan, FleetPlan

CHANGED_ON_DAY_2 = 0.02
GONE_ON_DAY_2 = 0.01
COMPRESS_LEVEL = 1  # deflate level 1: about 4x faster to write than 6; the extractor reads both alike
_RECORDS_PER_WRITE = 512


class ZippedXml:
    """A `.xml.zip` with one member `data.xml`, written record by record through ZipFile.open(..., "w")."""

    def __init__(self, path: Path, opening: str, closing: str) -> None:
        self.path, self.opening, self.closing = path, opening, closing
        self.records = 0
        self.xml_bytes = 0
        self._pending: list[str] = []

    def __enter__(self) -> ZippedXml:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        self._member = self._zip.open("data.xml", "w", force_zip64=True)
        self._write(self.opening)
        return self

    def add(self, record: str) -> None:
        self._pending.append(record)
        self.records += 1
        if len(self._pending) >= _RECORDS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._pending.append("")
            self._write("\n".join(self._pending))
            self._pending = []

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.xml_bytes += len(data)
        self._member.write(data)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._flush()
                self._write(self.closing)
        finally:
            self._member.close()
            self._zip.close()


@dataclass(frozen=True)
class FeedJob:
    plan: FeedPlan
    seed: int
    salt: int
    day1: Path  # landing root of day 1
    day2: Path


@dataclass(frozen=True)
class FeedCounts:
    key: str
    day1: int
    day2: int
    changed: int
    gone: int
    new: int
    xml_bytes: int  # day 1, uncompressed
    zip_bytes: int  # day 1, compressed


def new_listing(rng: random.Random, car: Car, corporate: str, stock: int, role: int, vin_shown: float) -> Listing:
    """The dealer's own values for a car: one 64-bit draw, 32 bits of variants, one draw for an optional VIN."""
    bits = rng.getrandbits(64)
    price = max(1_500, car.price + ((bits & 63) - 32) * 50)
    mileage = car.mileage + (((bits >> 6) & 255) * 3 if role == SECOND_OF_TWO else 0)
    promo = price - 300 - ((bits >> 14) & 7) * 100 if (bits >> 17) % 10 < 3 else 0
    show_vin = role != ONLY_LISTING or (vin_shown > 0 and rng.random() < vin_shown)
    days_ago = 1 + (bits >> 21) % 18
    updated = f"{20 - days_ago:02d}-11-2026 {8 + (bits >> 26) % 11:02d}:{(bits >> 30) % 60:02d}"
    return Listing(
        car=car,
        corporate=corporate,
        stock=stock,
        dealer=1 + (bits >> 36) % 3,
        price=price,
        promo=max(promo, 0),
        mileage=mileage,
        images=3 + (bits >> 38) % 6,
        opt_start=(bits >> 41) % len(OPTIONALS),
        opt_count=2 + (bits >> 47) % 9,
        variant=rng.getrandbits(32),
        show_vin=show_vin,
        updated=updated,
    )


def changed_listing(rng: random.Random, listing: Listing) -> Listing:
    """Day 2's version of a changed listing: cheaper by 1-6% and driven a little (test drives, transfers)."""
    price = round(listing.price * (1 - rng.uniform(0.01, 0.06)) / 10) * 10
    promo = min(listing.promo, price - 200) if listing.promo else 0
    updated = f"20-11-2026 {rng.randint(9, 19):02d}:{rng.randint(0, 59):02d}"
    return listing._replace(price=price, promo=promo, mileage=listing.mileage + rng.randint(20, 800), updated=updated)


def write_feed_days(job: FeedJob) -> FeedCounts:
    """Day 1 and day 2 of one feed, in one pass over its listings."""
    feed, entries = job.plan.feed, job.plan.entries
    fmt = FORMATS[feed.dms]
    rng = random.Random(f"{job.seed}:listings:{feed.corporate}:{feed.dms}")
    day2_rng = random.Random(f"{job.seed}:day2:{feed.corporate}:{feed.dms}")
    count, gone_count = len(entries), round(GONE_ON_DAY_2 * len(entries))
    picked = day2_rng.sample(range(count), gone_count + round(CHANGED_ON_DAY_2 * count))
    gone, changed = set(picked[:gone_count]), set(picked[gone_count:])
    new_after = dict(zip(sorted(day2_rng.sample(range(count), len(job.plan.new_cars))), job.plan.new_cars, strict=True))
    day2_count = count - len(gone) + len(new_after)
    path1, path2 = job.day1 / feed.key, job.day2 / feed.key
    with (
        ZippedXml(path1, fmt.opening(count), fmt.closing) as day1,
        ZippedXml(path2, fmt.opening(day2_count), fmt.closing) as day2,
    ):
        new_seen = 0
        for i, entry in enumerate(entries):
            listing = new_listing(
                rng, car_traits(job.salt, entry >> 2), feed.corporate, i + 1, entry & 3, fmt.vin_shown
            )
            record = fmt.record(listing)
            day1.add(record)
            if i in changed:
                day2.add(fmt.record(changed_listing(day2_rng, listing)))
            elif i not in gone:
                day2.add(record)
            if i in new_after:
                new_seen += 1
                car = car_traits(job.salt, new_after[i])
                listing = new_listing(day2_rng, car, feed.corporate, count + new_seen, ONLY_LISTING, fmt.vin_shown)
                day2.add(fmt.record(listing))
    for path, day in ((path1, 1), (path2, 2)):
        moment = feed.feed_time(day).timestamp()
        os.utime(path, (moment, moment))
    return FeedCounts(feed.key, day1.records, day2.records, len(changed), len(gone), len(new_after),
                      day1.xml_bytes, path1.stat().st_size)  # fmt: skip


def write_vehicle_feeds(plan: FleetPlan, day1: Path, day2: Path, workers: int) -> list[FeedCounts]:
    """Every feed of the plan, largest first, on `workers` processes (1: in this process)."""
    jobs = sorted(
        (FeedJob(p, plan.seed, plan.salt, day1, day2) for p in plan.feeds), key=lambda j: -len(j.plan.entries)
    )
    if workers <= 1:
        return [write_feed_days(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(write_feed_days, jobs))
