"""Four extract runs at once over the same files, with dbt builds running while they commit (issue 15, item 4).

Each file must be loaded once (one applied ledger row, archived once, nothing pending), and what the raced
warehouse holds must equal what one clean run and one build make of the same files: raw and ledger, and
every mart (tests/python/warehouse_compare.py says what may differ between two databases: load ids, run
times). The files: vehicle feeds of four corporates over twelve days that repeat most of the previous
day (so the raw compaction runs while dbt builds read), lab CSVs and one price file per ticker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import fresh_database
from support import AWS_CREDENTIALS, PROJECT_ROOT, extract_env, query, run_dbt, run_extract, start_dbt, wait_until
from vehicle_feeds import Ad, document, write_feed
from warehouse_compare import differences, marts_fingerprint, raw_fingerprint

from dms_feeds import vin
from extract.warehouse import WarehouseAddress, connect

pytestmark = pytest.mark.faults

CORPORATES, DAYS, ADS = ("11", "12", "13", "14"), 40, 15
LAB_FILES = 80
RUNS = 4
FIRST_DAY = datetime(2026, 10, 1, 6, tzinfo=UTC)


def _ads(corporate: str, day: int) -> list[Ad]:
    """The stock of one day: each day sells one car, takes one in and reprices one; the rest repeats."""
    numbers = range(day, day + ADS)
    return [
        Ad(
            f"C{corporate}-{number}",
            vin=vin.build("ZFA", "31200", 2022, "J", int(corporate) * 1000 + number),
            model=f"Model {number % 7}",
            list_price=f"{10000 + number * 10 + (day if number == day + 3 else 0)}.00",
        )
        for number in numbers
    ]


def _write_files(landing: Path) -> int:
    """Every file of the test, with its modification time (a vehicle feed's feed time); the count."""
    count = 0
    for corporate in CORPORATES:
        for day in range(DAYS):
            feed_at = FIRST_DAY + timedelta(days=day, minutes=int(corporate))
            write_feed(landing, corporate, "DMS_A", f"stock-{day:02d}.xml", document(_ads(corporate, day)), feed_at)
            count += 1
    template = (PROJECT_ROOT / "sample_data/lab/unificado/unificado_2026-11-09.csv").read_text()
    folder = landing / "lab" / "unificado"
    folder.mkdir(parents=True)
    for week in range(LAB_FILES):
        path = folder / f"week_{week:02d}.csv"
        path.write_text(template + f"chr9,{week},rs{week},A,C,1,PASS,X,GT,W{week},0/1,O,,POS\n")
        stamp = (FIRST_DAY + timedelta(weeks=week)).timestamp()
        os.utime(path, (stamp, stamp))
        count += 1
    for ticker in ("BTC", "ETH", "XMR"):
        source = PROJECT_ROOT / "sample_data" / "crypto" / f"ticker={ticker}"
        price = sorted(p for p in source.iterdir() if p.suffix == ".csv" and "rend" not in p.name)[0]
        target = landing / "crypto" / f"ticker={ticker}" / price.name
        target.parent.mkdir(parents=True)
        shutil.copy2(price, target)
        count += 1
    return count


@dataclass(frozen=True)
class Clean:
    """The same files loaded by one run and built once: what every raced warehouse must equal."""

    files: Path
    count: int
    address: WarehouseAddress
    raw: object
    marts: object


@pytest.fixture(scope="module")
def clean(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clean]:
    workdir = tmp_path_factory.mktemp("clean")
    files = workdir / "files"
    count = _write_files(files)
    landing = workdir / "landing"
    shutil.copytree(files, landing)
    with fresh_database(server) as address:
        loaded = run_extract(address, "--landing", str(landing), "--workers", "1")
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        built = run_dbt(address, workdir, "build")
        assert built.returncode == 0, built.stdout[-5000:]
        yield Clean(files, count, address, raw_fingerprint(address), marts_fingerprint(address))


def _start_runs(address: WarehouseAddress, landing: str, **env: str) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "extract", "--landing", landing, "--workers", "1"],
            env=extract_env(address, **env),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(RUNS)
    ]


def _assert_each_file_loaded_once(address: WarehouseAddress, count: int) -> None:
    applied = query(
        address,
        "select landing_key, count(*) from raw.load_ledger where status in ('loaded', 'released') group by 1",
    )
    assert len(applied) == count, f"{len(applied)} of {count} files applied"
    assert [key for key, times in applied if times != 1] == []
    assert query(address, "select count(*) from raw.load_ledger where status not in ('loaded', 'skipped')") == [(0,)]


def test_four_runs_and_builds_at_once_equal_one_clean_run(
    clean: Clean, warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(clean.files, landing)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_extract(warehouse, "--landing", str(empty)).returncode == 0  # the raw tables dbt checks for
    first = run_dbt(warehouse, tmp_path, "build")  # parsed once: the builds below start within seconds
    assert first.returncode == 0, first.stdout[-5000:]
    # The runs stop at a feed half-way (its landing key locked here) while a build records the feeds before it;
    # then they go on while the build types them, and builds follow until the runs end.
    half_way = "vehicles/corporate=12/source=DMS_A/stock-20.xml"
    blocker = connect(warehouse)
    blocker.autocommit = True
    try:
        with blocker.cursor() as cur:
            cur.execute("select pg_advisory_lock(hashtextextended(%s, 0))", (half_way,))
        runs = _start_runs(warehouse, str(landing))
        wait_until(  # every run waits for that key (while one loads a file, the others wait for that one)
            warehouse,
            f"select count(*) = {RUNS} from pg_stat_activity where application_name like 'extract%%' "
            "and wait_event = 'advisory'",
        )
        build = start_dbt(warehouse, tmp_path, "build")
        # the build has recorded the feeds committed so far; its next models type them while the runs go on
        wait_until(warehouse, "select exists (select 1 from intermediate.int_vehicle_feeds)")
        with blocker.cursor() as cur:
            cur.execute("select pg_advisory_unlock_all()")
    finally:
        blocker.close()
    out, _ = build.communicate(timeout=600)
    assert build.returncode == 0, out[-5000:]
    recorded = query(warehouse, "select count(*) from intermediate.int_vehicle_feeds")[0][0]
    assert 0 < recorded < len(CORPORATES) * DAYS  # the build folded in the feeds before the half-way one only
    while any(run.poll() is None for run in runs):
        built = run_dbt(warehouse, tmp_path, "build")
        assert built.returncode == 0, built.stdout[-5000:]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [0] * RUNS, outputs
    built = run_dbt(warehouse, tmp_path, "build")
    assert built.returncode == 0, built.stdout[-5000:]

    _assert_each_file_loaded_once(warehouse, clean.count)
    assert sorted(p.relative_to(landing).parts[0] for p in landing.rglob("*") if p.is_file()) == ["imported"] * (
        clean.count
    )
    assert differences(clean.raw, raw_fingerprint(warehouse)) == ""
    assert differences(clean.marts, marts_fingerprint(warehouse)) == ""


def test_four_runs_at_once_on_s3_load_each_object_once(
    clean: Clean, warehouse: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str
) -> None:
    name, client = bucket
    for path in sorted(clean.files.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), name, f"feeds/{path.relative_to(clean.files).as_posix()}")  # type: ignore[attr-defined]
    env = {"AWS_ENDPOINT_URL": aws_endpoint, **AWS_CREDENTIALS}
    runs = _start_runs(warehouse, f"s3://{name}/feeds", **env)
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0] * RUNS, outputs

    _assert_each_file_loaded_once(warehouse, clean.count)
    listing = client.get_paginator("list_objects_v2").paginate(Bucket=name)  # type: ignore[attr-defined]
    keys = [item["Key"] for page in listing for item in page.get("Contents", [])]
    assert len(keys) == clean.count and all(key.startswith("feeds/imported/") for key in keys)
    loaded = "select landing_key, rows_loaded from raw.load_ledger where status = 'loaded' order by 1"
    assert query(warehouse, loaded) == query(clean.address, loaded)
    records = "select landing_key, record_index, record_hash from raw.vehicle_records order by 1, 2"
    assert query(warehouse, records) == query(clean.address, records)
