"""Write the planned vehicle feeds, day 1 and day 2 in one pass, as zipped XML in the landing layout.

Each feed is `vehicles/corporate={id}/source={DMS}/data.xml.zip` (one XML member, streamed into the zip
so memory stays flat) under a day folder; its modification time is its feed time. Day 2 is day 1 with
2% of the listings changed (price and mileage), 1% gone and 1% new; every other record is the same
string, byte for byte. Feeds are independent, so a process pool writes them in parallel.
"""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.car_catalogue import OPTIONALS, Car, car_traits
from bench.dms_formats import FORMATS, Listing
from bench.vehicle_plan import ONLY_LISTING, SECOND_OF_TWO, FeedPlan, FleetPlan
from dms_feeds.export import StreamedExport

CHANGED_ON_DAY_2 = 0.02
GONE_ON_DAY_2 = 0.01
COMPRESS_LEVEL = 1  # deflate level 1: about 4x faster to write than 6; the extractor reads both alike


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


def _export(path: Path, opening: str, closing: str, feed_at: datetime) -> StreamedExport:
    """`data.xml` in the zip, streamed (memory stays flat); the feed time is the file's modification time."""
    return StreamedExport(path, opening, closing, feed_at=feed_at, compresslevel=COMPRESS_LEVEL, zip64=True)


def new_listing(rng: random.Random, car: Car, corporate: str, stock: int, role: int, vin_shown: float) -> Listing:
    """The dealer's own values for a car: one 64-bit draw, 32 bits of variants, one draw for an optional VIN."""
    bits = rng.getrandbits(64)
    price = max(1_500, car.price + ((bits & 63) - 32) * 50)
    mileage = car.mileage + (((bits >> 6) & 255) * 3 if role == SECOND_OF_TWO else 0)
    promo = price - 300 - ((bits >> 14) & 7) * 100 if (bits >> 17) % 10 < 3 else 0
    show_vin = role != ONLY_LISTING or (vin_shown > 0 and rng.random() < vin_shown)
    days_ago = 1 + (bits >> 21) % 18
    updated = f"{20 - days_ago:02d}-11-2026 {8 + (bits >> 26) % 11:02d}:{(bits >> 30) % 60:02d}"
    return Listing(  # by position: keywords cost half a microsecond a listing
        car,
        corporate,
        stock,
        1 + (bits >> 36) % 3,  # dealer
        price,
        max(promo, 0),
        mileage,
        3 + (bits >> 38) % 6,  # images
        (bits >> 41) % len(OPTIONALS),  # opt_start
        2 + (bits >> 47) % 9,  # opt_count
        rng.getrandbits(32),  # variant
        show_vin,
        updated,
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
        _export(path1, fmt.opening(count), fmt.closing, feed.feed_time(1)) as day1,
        _export(path2, fmt.opening(day2_count), fmt.closing, feed.feed_time(2)) as day2,
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
