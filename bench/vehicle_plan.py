"""Which car goes to which feed: C corporates x the four DMS, about 20% of VINs listed by two DMS.

The plan holds only numbers (car number and role per listing, per feed), so it is cheap to build for a
million cars and to send to the processes that write the feeds. Everything comes from one
`random.Random(seed)`: the same seed gives the same plan.
"""

from __future__ import annotations

import itertools
import random
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.dms_formats import FORMATS

DMS_ORDER = ("DMS_A", "GESTIONALEAUTO", "MULTIGESTIONALE", "MOBILEDE")
CORPORATES = 13
MISSING_FEEDS = 2  # 13 corporates x 4 DMS - 2 = 50 feeds
SHARED_VINS = 0.20  # share of the distinct VINs in the feeds that two DMS both list
SAME_CORPORATE = 0.5  # a shared car's second listing: same corporate (another DMS) or another corporate
NEW_ON_DAY_2 = 0.01
DAY_1 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DAY_2 = DAY_1 + timedelta(days=1)

# Roles of a listing, kept in the two low bits of a plan entry (entry = car * 4 + role).
ONLY_LISTING, FIRST_OF_TWO, SECOND_OF_TWO = 0, 1, 2


@dataclass(frozen=True)
class Feed:
    index: int
    corporate: str
    dms: str

    @property
    def key(self) -> str:
        """The landing key: the seed's fixed name, re-uploaded every day."""
        return f"vehicles/corporate={self.corporate}/source={self.dms}/data.xml.zip"

    def feed_time(self, day: int) -> datetime:
        """Day 1 feeds arrive from 2026-11-20 06:00Z, a minute apart; day 2 the next day."""
        return DAY_1 + timedelta(days=day - 1, minutes=self.index)


@dataclass(frozen=True)
class FeedPlan:
    feed: Feed
    entries: array  # car * 4 + role, in car order: the feed's day-1 listings
    new_cars: range  # the car numbers this feed lists for the first time on day 2


@dataclass(frozen=True)
class FleetPlan:
    seed: int
    salt: int  # mixes car numbers into car traits (bench/car_catalogue.py)
    cars: int  # distinct cars on day 1
    shared_cars: int  # cars listed by two feeds of different DMS
    feeds: tuple[FeedPlan, ...]

    @property
    def listings(self) -> int:
        return sum(len(p.entries) for p in self.feeds)


def plan_feeds(rng: random.Random, corporates: int, missing: int) -> list[Feed]:
    combos = list(itertools.product((str(101 + c) for c in range(corporates)), DMS_ORDER))
    dropped = set(rng.sample(range(len(combos)), missing)) if len(combos) > missing else set()
    kept = [combo for i, combo in enumerate(combos) if i not in dropped]
    return [Feed(i, corporate, dms) for i, (corporate, dms) in enumerate(kept)]


def _share_rate(feeds: list[Feed], weights: list[float]) -> tuple[float, float]:
    """(share of cars whose first feed can carry a VIN, share of those to list twice) for SHARED_VINS.

    Of the cars in VIN-carrying feeds, a share r is listed twice (VIN always shown) and the rest show it
    with their format's probability p: r / (r + (1 - r) * p) = SHARED_VINS gives r = s*p / (1 - s + s*p).
    """
    carrying = [
        (w, FORMATS[f.dms].vin_shown) for f, w in zip(feeds, weights, strict=True) if FORMATS[f.dms].carries_vin
    ]
    total_carrying = sum(w for w, _ in carrying)
    if not total_carrying:
        return 0.0, 0.0
    p = sum(w * shown for w, shown in carrying) / total_carrying
    s = SHARED_VINS
    return total_carrying / sum(weights), s * p / (1 - s + s * p)


def _second_feed(rng: random.Random, first: Feed, feeds: list[Feed]) -> Feed:
    """Another VIN-carrying feed of a different DMS: the same corporate half of the time when it has one."""
    others = [f for f in feeds if f.dms != first.dms and FORMATS[f.dms].carries_vin]
    same = [f for f in others if f.corporate == first.corporate]
    return rng.choice(same if same and rng.random() < SAME_CORPORATE else others)


def plan_fleet(seed: int, listings: int, corporates: int = CORPORATES, missing: int = MISSING_FEEDS) -> FleetPlan:
    """About `listings` day-1 listings across the feeds of `corporates` corporates."""
    rng = random.Random(seed)
    salt = rng.getrandbits(64)
    feeds = plan_feeds(rng, corporates, missing)
    weights = [rng.uniform(0.5, 1.5) for _ in feeds]
    carrying_share, share_rate = _share_rate(feeds, weights)
    cars = max(len(feeds), round(listings / (1 + carrying_share * share_rate)))
    first = rng.choices(range(len(feeds)), weights=weights, k=cars)
    carrying = [car for car in range(cars) if FORMATS[feeds[first[car]].dms].carries_vin]
    shared = rng.sample(carrying, round(share_rate * len(carrying)))
    second = {car: _second_feed(rng, feeds[first[car]], feeds).index for car in sorted(shared)}
    entries = [array("q") for _ in feeds]
    for car in range(cars):
        if car in second:
            entries[first[car]].append(car * 4 + FIRST_OF_TWO)
            entries[second[car]].append(car * 4 + SECOND_OF_TWO)
        else:
            entries[first[car]].append(car * 4 + ONLY_LISTING)
    plans, next_car = [], cars
    for feed, feed_entries in zip(feeds, entries, strict=True):
        new = round(NEW_ON_DAY_2 * len(feed_entries))
        plans.append(FeedPlan(feed, feed_entries, range(next_car, next_car + new)))
        next_car += new
    return FleetPlan(seed, salt, cars, len(shared), tuple(plans))
