"""The benchmark's generator (bench/): deterministic, realistic, and readable by the extractor as is."""

from __future__ import annotations

import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import PROJECT_ROOT

from extract.compressed_input import xml_streams
from extract.record_text import first_text
from extract.tracks import Track, load_tracks, split_path
from extract.xml_records import iter_records

if str(PROJECT_ROOT) not in sys.path:  # bench/ runs from the project root (python -m bench); it is not installed
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.crypto_files import PRICE_HEADER, write_crypto_files  # noqa: E402
from bench.lab_files import HEADER, write_lab_files  # noqa: E402
from bench.vehicle_feeds import FeedCounts, write_vehicle_feeds  # noqa: E402
from bench.vehicle_plan import FleetPlan, plan_fleet  # noqa: E402

LISTINGS = 6_000
SEED = 11

RECORD_STARTS = ("<Ad>", "<car ", "<element>", "<ad:ad ")
Records = dict[str, dict]  # stock id -> record as the extractor lands it


def generate(root: Path, seed: int = SEED, workers: int = 1) -> tuple[FleetPlan, list[FeedCounts]]:
    plan = plan_fleet(seed, LISTINGS)
    return plan, write_vehicle_feeds(plan, root / "day1", root / "day2", workers)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, FleetPlan, list[FeedCounts]]:
    root = tmp_path_factory.mktemp("bench")
    return root, *generate(root)


@pytest.fixture(scope="module")
def tracks() -> dict[str, Track]:
    return load_tracks().valid


@pytest.fixture(scope="module")
def parsed(generated, tracks) -> dict[tuple[str, str], Records]:
    """(day folder, landing key) -> the feed's records; parsing also checks every record's stock id."""
    root = generated[0]
    return {
        (day, path.relative_to(root / day).as_posix()): parse(path, tracks[dms_of(path)])
        for day in ("day1", "day2")
        for path in feeds(root / day)
    }


def member_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        (name,) = archive.namelist()
        return archive.read(name).decode("utf-8")


def feeds(day_root: Path) -> list[Path]:
    return sorted(day_root.glob("vehicles/corporate=*/source=*/data.xml.zip"))


def dms_of(path: Path) -> str:
    return path.parent.name.removeprefix("source=")


def parse(path: Path, track: Track) -> Records:
    """The feed's records by stock id, read the way the extractor reads them."""
    records: Records = {}
    for what, stream in xml_streams(path, path.as_posix()):
        for record in iter_records(stream, what, track):
            stock = first_text(record.value, track.key_paths())
            assert stock, f"{what} record {record.index} has no stock id"
            assert stock not in records, f"{what}: stock id {stock} twice"
            records[stock] = record.value
    return records


def record_lines(path: Path) -> set[str]:
    """The feed's record elements as written: one per line."""
    return {line for line in member_text(path).splitlines() if line.startswith(RECORD_STARTS)}


def column_text(track: Track, record: dict, column: str) -> str:
    paths = [split_path(p) for p, columns in track.mappings.items() if column in columns]
    return first_text(record, paths)


def test_same_seed_same_feeds_whatever_the_workers(generated, tmp_path: Path) -> None:
    root, plan, _ = generated
    again, _ = generate(tmp_path / "again", workers=2)
    assert [p.entries for p in again.feeds] == [p.entries for p in plan.feeds]
    for day in ("day1", "day2"):
        ours, theirs = feeds(root / day), feeds(tmp_path / "again" / day)
        assert [p.relative_to(root) for p in ours] == [p.relative_to(tmp_path / "again") for p in theirs]
        assert all(member_text(a) == member_text(b) for a, b in zip(ours, theirs, strict=True))


def test_another_seed_other_feeds() -> None:
    first, second = plan_fleet(SEED, LISTINGS), plan_fleet(SEED + 1, LISTINGS)
    assert first.salt != second.salt
    assert [p.entries for p in first.feeds] != [p.entries for p in second.feeds]


def test_fifty_feeds_in_four_formats_about_n_listings(generated) -> None:
    root, plan, counts = generated
    assert len(plan.feeds) == 50
    assert Counter(p.feed.dms for p in plan.feeds).keys() == {"DMS_A", "GESTIONALEAUTO", "MULTIGESTIONALE", "MOBILEDE"}
    assert abs(sum(c.day1 for c in counts) - LISTINGS) < 0.02 * LISTINGS
    assert len(feeds(root / "day1")) == len(feeds(root / "day2")) == 50


def test_every_feed_parses_and_every_record_has_a_stock_id(generated, parsed) -> None:
    counts = generated[2]
    assert len(parsed) == 2 * len(counts)
    for feed in counts:
        assert len(parsed["day1", feed.key]) == feed.day1
        assert len(parsed["day2", feed.key]) == feed.day2


def test_realistic_structure_images_and_optionals(parsed) -> None:
    dms_a = [records for (day, key), records in parsed.items() if day == "day1" and "source=DMS_A/" in key]
    for record in (record for records in dms_a for record in records.values()):
        assert 3 <= len(record["Images"]["Image"]) <= 8
        assert 2 <= len(record["Options"]["Option"]) <= 10


def test_about_a_fifth_of_the_vins_are_listed_by_two_dms(parsed, tracks) -> None:
    listed: dict[str, list[str]] = {}
    day1 = {key: records for (day, key), records in parsed.items() if day == "day1"}
    for key, records in day1.items():
        dms = dms_of(Path(key))
        for record in records.values():
            if vin := column_text(tracks[dms], record, "vin"):
                listed.setdefault(vin, []).append(dms)
    twice = [dms for dms in listed.values() if len(dms) > 1]
    assert all(len(dms) == 2 and dms[0] != dms[1] for dms in twice), "a shared VIN is in exactly two DMS"
    assert 0.17 <= len(twice) / len(listed) <= 0.23
    assert all(len(vin) == 17 for vin in listed)


def test_day_two_changes_two_percent_drops_one_adds_one(generated, parsed, tracks) -> None:
    root = generated[0]
    total = gone = new = changed = identical_lines = 0
    for path1 in feeds(root / "day1"):
        key = path1.relative_to(root / "day1").as_posix()
        path2, track = root / "day2" / key, tracks[dms_of(path1)]
        day1, day2 = parsed["day1", key], parsed["day2", key]
        total += len(day1)
        gone += len(day1.keys() - day2.keys())
        new += len(day2.keys() - day1.keys())
        for stock in day1.keys() & day2.keys():
            if day1[stock] != day2[stock]:
                changed += 1
                for column in ("list_price", "mileage"):
                    assert column_text(track, day1[stock], column) != column_text(track, day2[stock], column)
        identical_lines += len(record_lines(path1) & record_lines(path2))
    assert gone / total == pytest.approx(0.01, abs=0.002)
    assert new / total == pytest.approx(0.01, abs=0.002)
    assert changed / total == pytest.approx(0.02, abs=0.002)
    assert identical_lines == total - gone - changed  # every unchanged record is the same text, byte for byte


def test_feed_time_is_the_file_modification_time(generated) -> None:
    root, plan, _ = generated
    for feed_plan in plan.feeds:
        feed = feed_plan.feed
        for day, when in ((1, datetime(2026, 11, 20, 6, 0, tzinfo=UTC)), (2, datetime(2026, 11, 21, 6, 0, tzinfo=UTC))):
            mtime = datetime.fromtimestamp((root / f"day{day}" / feed.key).stat().st_mtime, tz=UTC)
            assert mtime == feed.feed_time(day)
            assert 0 <= (mtime - when).total_seconds() < 3600


def test_crypto_files_newest_first_per_ticker(tmp_path: Path) -> None:
    counts = write_crypto_files(tmp_path, SEED, tickers=3, years=2)
    prices = sorted(tmp_path.glob("crypto/ticker=*/*Historical*.csv"))
    assert [p.parent.name for p in prices] == ["ticker=BTC", "ticker=ETH", "ticker=XMR"]
    lines = prices[0].read_text(encoding="utf-8").splitlines()
    assert lines[0] == PRICE_HEADER
    dates = [datetime.strptime(line.split(",")[0].strip('"'), "%m/%d/%Y") for line in lines[1:] if line]
    assert dates == sorted(dates, reverse=True)
    assert counts.price_rows > 3 * 700 and counts.trend_rows > 3 * 100
    assert len(list(tmp_path.glob("crypto/ticker=*/google_trends_*.csv"))) == 3


def test_lab_files_weekly_with_repeated_keys(tmp_path: Path) -> None:
    counts = write_lab_files(tmp_path, SEED, rows=4_000)
    files = sorted(tmp_path.glob("lab/unificado/unificado_*.csv"))
    assert len(files) == counts.files == 4
    first = files[0].read_text(encoding="utf-8").splitlines()
    assert first[0] == ",".join(HEADER)
    assert sum(len(f.read_text(encoding="utf-8").splitlines()) - 1 for f in files) == counts.rows == 4_000
    assert 0.03 < counts.repeated_keys / counts.rows < 0.07
