"""Everything the benchmark loads, generated from one seed at one scale, as landing trees on disk.

    <root>/day1/vehicles/...   day 1 of the vehicle feeds      <root>/crypto/crypto/ticker=.../...
    <root>/day2/vehicles/...   day 2 of the same feeds         <root>/lab/lab/unificado/...

Each tree has the landing zone's layout, so delivering it is linking its files into the landing folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench.crypto_files import CryptoCounts, write_crypto_files
from bench.lab_files import LabCounts, write_lab_files
from bench.vehicle_feeds import FeedCounts, write_vehicle_feeds
from bench.vehicle_plan import plan_fleet

VEHICLES_AT_FULL_SCALE = 1_000_000
TICKERS_AT_FULL_SCALE = 50
CRYPTO_YEARS = 10
LAB_ROWS_AT_FULL_SCALE = 500_000


@dataclass(frozen=True)
class Sizes:
    scale: float
    vehicles: int
    tickers: int
    years: int
    lab_rows: int

    @classmethod
    def at_scale(cls, scale: float) -> Sizes:
        """Scale 1.0: a million vehicle listings, 50 tickers x 10 years, 500,000 lab rows."""
        return cls(
            scale=scale,
            vehicles=max(1_000, round(VEHICLES_AT_FULL_SCALE * scale)),
            tickers=max(2, round(TICKERS_AT_FULL_SCALE * scale)),
            years=CRYPTO_YEARS,
            lab_rows=max(1_000, round(LAB_ROWS_AT_FULL_SCALE * scale)),
        )


@dataclass(frozen=True)
class VehicleCounts:
    feeds: int
    cars: int
    shared_cars: int
    day1: int
    day2: int
    changed: int
    gone: int
    new: int
    xml_bytes: int  # day 1, uncompressed
    zip_bytes: int  # day 1, compressed

    @classmethod
    def total(cls, cars: int, shared: int, feeds: list[FeedCounts]) -> VehicleCounts:
        return cls(
            len(feeds), cars, shared, *(sum(getattr(f, name) for f in feeds) for name in
            ("day1", "day2", "changed", "gone", "new", "xml_bytes", "zip_bytes")),
        )  # fmt: skip


@dataclass(frozen=True)
class Datasets:
    root: Path
    sizes: Sizes
    seed: int
    vehicles: VehicleCounts
    crypto: CryptoCounts
    lab: LabCounts
    seconds: float

    @property
    def day1(self) -> Path:
        return self.root / "day1"

    @property
    def day2(self) -> Path:
        return self.root / "day2"

    @property
    def crypto_tree(self) -> Path:
        return self.root / "crypto"

    @property
    def lab_tree(self) -> Path:
        return self.root / "lab"


def generate(root: Path, sizes: Sizes, seed: int, workers: int) -> Datasets:
    """Write every dataset under `root` (which should be empty)."""
    started = time.perf_counter()
    plan = plan_fleet(seed, sizes.vehicles)
    feeds = write_vehicle_feeds(plan, root / "day1", root / "day2", workers)
    vehicles = VehicleCounts.total(plan.cars, plan.shared_cars, feeds)
    crypto = write_crypto_files(root / "crypto", seed, sizes.tickers, sizes.years)
    lab = write_lab_files(root / "lab", seed, sizes.lab_rows)
    return Datasets(root, sizes, seed, vehicles, crypto, lab, time.perf_counter() - started)
