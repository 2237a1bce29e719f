"""The extractor and dbt killed with SIGKILL at every named point (extract/fault_points.py), then rerun.

One journey per landing kind on one database: each day lands new small files (two corporates' vehicle
feeds, most of whose records repeat the previous day's, so that raw compaction works; a lab CSV), the
extractor is killed at that day's point (EXTRACT_KILL_AT) and rerun. After each rerun the ledger holds
one landed row per file (plus `skipped` rows for files seen again), every record is in raw exactly once
and every file is in imported/ exactly once. Then `dbt build` is killed in an incremental model and in
the snapshot, and rerun. At the end raw, the ledger, the marts and the snapshot's current rows are those
of a clean database where the same days were loaded without a kill and built once (warehouse_compare).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import fresh_database
from support import AWS_CREDENTIALS, PROJECT_ROOT, extract_env, query, run_extract
from vehicle_feeds import Ad, document, write_feed
from warehouse_compare import (
    differences,
    marts_fingerprint,
    raw_fingerprint,
    skipped_deliveries,
    snapshot_fingerprint,
)

from dms_feeds import vin
from extract import fault_points
from extract.ledger import LANDED_STATUSES
from extract.warehouse import WarehouseAddress, connect

pytestmark = pytest.mark.faults
T = TypeVar("T")

FIRST_DAY = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
CORPORATES = ("101", "202")
STOCK = 12  # vehicles per corporate; each day one is away and a quarter change price: most records repeat
HELD_STOCK = 4  # a feed that lists only these would remove most of the stock: it is held
LAB_ROWS = 5
LAB_HEADER = "CHROM,POS,ID,REF,ALT,QUAL,FILTER,INFO,FORMAT,MUESTRA,VALOR,ORIGEN,FECHA_COPIA,RESULTADO"
SAMPLE_CRYPTO = PROJECT_ROOT / "sample_data" / "crypto"
DBT_OUTPUT = "dbt-output.log"
RAW_TABLES = ("vehicle_records", "unificado_rows", "crypto_rows")
_NUMBERED = re.compile(r"-\d+$")  # name-2.ext: a second archive of the name in the same hour
_ARCHIVED = re.compile(r"^imported/(?P<folder>.+)/\d{4}/\d\d/\d\d/\d\d/(?P<name>[^/]+)$")


# --- the files of a day ---------------------------------------------------------------------------------------


def stock(corporate: str, day: int, only: int | None = None) -> list[Ad]:
    """A corporate's stock on `day`: vehicle `day % STOCK` is away, and each vehicle's price rises every
    fourth day (a quarter of them a day), so about two thirds of a feed repeat the previous day's records."""
    ads = []
    for number in range(STOCK):
        if number == day % STOCK:
            continue
        price = 10000 + 100 * number + 10 * ((day + 3 - number % 4) // 4)
        serial = int(corporate) * 1000 + number
        ads.append(
            Ad(
                f"{corporate}-{number:02d}",
                vin=vin.build("ZFA", "31200", 2022, "J", serial),
                model=f"Model {number % 3}",
                list_price=f"{price}.00",
                mileage=str(1000 * number + 7),
            )
        )
    return ads[:only] if only else ads


def vehicle_key(corporate: str, day: int) -> str:
    extension = ".xml" if corporate == CORPORATES[0] else ".xml.zip"
    return f"vehicles/corporate={corporate}/source=DMS_A/stock_{day:02d}{extension}"


def lab_key(day: int) -> str:
    return f"lab/unificado/results_{day:02d}.csv"


def lab_text(day: int, rows: int = LAB_ROWS) -> str:
    lines = [
        f"chr{n + 1},{10000 * day + n},rs{day}{n:02d},A,C,{60 + n},PASS,AC=1;AF=0.5;DP=30,GT:AD:DP,M{day:03d},"
        f'"0/1:15,15:30",HOSPITAL_NORTE,,{"POSITIVO" if n % 2 else "NEGATIVO"}'
        for n in range(rows)
    ]
    return "\n".join([LAB_HEADER, *lines]) + "\n"


@dataclass(frozen=True)
class DayFile:
    key: str
    content: bytes
    at: datetime  # modification time: the feed time, and the order in which a run loads the day's files
    rows: tuple[tuple[str, int], ...] = ()  # (raw table, rows) it lands; () when only a clean load tells


def day_files(day: int, first: str, held: bool = False) -> list[DayFile]:
    """The day's lab CSV and two vehicle feeds; `first` ("lab", or a corporate) gets the earliest time, so a
    kill at a load's point hits it. `held`: corporate 202 delivers only HELD_STOCK vehicles (a broken export)."""
    start = FIRST_DAY + timedelta(days=day)
    contents = {"lab": (lab_key(day), lab_text(day).encode(), (("unificado_rows", LAB_ROWS),))}
    with tempfile.TemporaryDirectory() as scratch:
        for corporate in CORPORATES:
            ads = stock(corporate, day, HELD_STOCK if held and corporate == CORPORATES[1] else None)
            key = vehicle_key(corporate, day)
            # through the DMS writers, as a DMS exports it (a zip member's date is the feed time)
            written = write_feed(Path(scratch), corporate, "DMS_A", Path(key).name, document(ads), feed_at=start)
            contents[corporate] = (key, written.read_bytes(), (("vehicle_records", len(ads)),))
    order = [first, *sorted(set(contents) - {first})]
    return [
        DayFile(key, content, start + timedelta(minutes=10 * rank), rows)
        for rank, (key, content, rows) in enumerate(contents[name] for name in order)
    ]


def crypto_files() -> list[DayFile]:
    """The bundled price and trend files, at fixed times (a feed time is the file's)."""
    paths = sorted(p for p in SAMPLE_CRYPTO.rglob("*.csv"))
    return [
        DayFile(p.relative_to(SAMPLE_CRYPTO.parent).as_posix(), p.read_bytes(), FIRST_DAY + timedelta(minutes=n))
        for n, p in enumerate(paths)
    ]


# --- landing zones: a folder, or an S3 prefix on moto's server --------------------------------------------------


class LocalZone:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.uri = str(root)
        self.env: dict[str, str] = {}

    def land(self, files: Iterable[DayFile]) -> None:
        for file in files:
            path = self.root / file.key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.content)
            os.utime(path, (file.at.timestamp(), file.at.timestamp()))

    def listed(self) -> list[str]:
        return [p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()]

    def objects(self) -> dict[str, bytes]:
        return {key: (self.root / key).read_bytes() for key in self.listed()}


class S3Zone:
    """An S3 landing zone; S3 sets LastModified itself, so the first file of a day is uploaded a second earlier."""

    def __init__(self, bucket: tuple[str, object], endpoint: str) -> None:
        self.name, self.client = bucket
        self.uri = f"s3://{self.name}/landing"
        self.env = {"AWS_ENDPOINT_URL": endpoint, **AWS_CREDENTIALS}

    def land(self, files: Iterable[DayFile]) -> None:
        for rank, file in enumerate(sorted(files, key=lambda f: f.at)):
            self.client.put_object(Bucket=self.name, Key=f"landing/{file.key}", Body=file.content)  # type: ignore[attr-defined]
            if rank == 0:
                time.sleep(1.1)  # LastModified has whole seconds: the others sort after it

    def listed(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix="landing/")  # type: ignore[attr-defined]
        return [item["Key"][len("landing/") :] for page in pages for item in page.get("Contents", [])]

    def objects(self) -> dict[str, bytes]:
        get = self.client.get_object  # type: ignore[attr-defined]
        return {key: get(Bucket=self.name, Key=f"landing/{key}")["Body"].read() for key in self.listed()}


Zone = LocalZone | S3Zone


def pending_keys(zone: Zone) -> list[str]:
    return sorted(key for key in zone.listed() if not key.startswith(("imported/", "rejected/")))


def archived(zone: Zone) -> Counter[str]:
    """How many archives each landing key has in imported/ (`name-2.ext`: the same name again in one hour)."""
    counted: Counter[str] = Counter()
    for key in zone.listed():
        match = _ARCHIVED.match(key)
        if match:
            stem, dot, extensions = match["name"].partition(".")
            original = _NUMBERED.sub("", stem)
            counted[f"{match['folder']}/{original}{dot}{extensions}"] += 1
    return counted


# --- running the extractor and dbt ------------------------------------------------------------------------------


def extract(
    address: WarehouseAddress, zone: Zone, *args: str, kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    killing = {fault_points.KILL_AT_VARIABLE: kill_at} if kill_at else {}
    if kill_at == fault_points.MID_COPY:
        killing[fault_points.KILL_AFTER_ROWS_VARIABLE] = "3"  # a COPY chunk of 3 rows: a feed takes several
    arguments = args or ("--landing", zone.uri, "--workers", "1")
    return run_extract(address, *arguments, **zone.env, **killing)


def killed(address: WarehouseAddress, zone: Zone, point: str, *args: str) -> None:
    done = extract(address, zone, *args, kill_at=point)
    assert done.returncode == -signal.SIGKILL, f"{point}: not killed there (exit {done.returncode})\n{done.stderr}"


def rerun(address: WarehouseAddress, zone: Zone, *args: str, expect: Iterable[int] = (0,)) -> None:
    done = extract(address, zone, *args)
    assert done.returncode in expect, done.stdout + done.stderr


def start_dbt(address: WarehouseAddress, workdir: Path, *args: str) -> subprocess.Popen[str]:
    """dbt as support.run_dbt runs it, in the background; its output goes to a file (dbt_output), not a pipe
    nobody reads while it runs."""
    profiles = workdir / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    log = open(workdir / DBT_OUTPUT, "a")  # noqa: SIM115 - the child writes it until it ends
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(profiles),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        env=extract_env(address, DBT_TARGET="dev"), cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def dbt_output(workdir: Path) -> str:
    return (workdir / DBT_OUTPUT).read_text()


def wait_until(check: Callable[[], T], what: str, timeout: float = 240.0) -> T:
    """Poll `check` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.05)
    return found


def build(address: WarehouseAddress, workdir: Path) -> None:
    finish(start_dbt(address, workdir, "build"), workdir)


def finish(build: subprocess.Popen[str], workdir: Path) -> None:
    assert build.wait(timeout=900) == 0, dbt_output(workdir)[-5000:]


def kill_dbt_in(address: WarehouseAddress, workdir: Path, relation: str) -> None:
    """`dbt build`, SIGKILLed while its statement on `relation` runs: the test holds the relation's lock, so the
    statement waits in pg_stat_activity until dbt is dead; then the server ends the orphaned session."""
    schema, name = relation.split(".")
    holder = connect(address)
    try:
        with holder.cursor() as cur:
            cur.execute(f"lock table {relation} in access exclusive mode")
        dbt = start_dbt(address, workdir, "build")
        try:
            blocked = wait_until(
                lambda: query(
                    address,
                    "select pid from pg_stat_activity where datname = current_database() and state = 'active'"
                    " and wait_event_type = 'Lock' and query like %s",
                    (f'%"{schema}"."{name}"%',),
                ),
                f"dbt build runs a statement on {relation}",
            )
        finally:
            dbt.kill()
        assert dbt.wait(timeout=60) == -signal.SIGKILL
    finally:
        holder.rollback()
        holder.close()
    orphans = tuple(pid for (pid,) in blocked)
    wait_until(
        lambda: not query(address, "select 1 from pg_stat_activity where pid in %s", (orphans,)),
        f"the killed dbt's session on {relation} ends",
    )


def relation_rows(address: WarehouseAddress, relation: str) -> Counter[str]:
    """The multiset of a relation's rows (as md5 of their text)."""
    return Counter(row for (row,) in query(address, f"select md5(t::text) from {relation} as t"))


# --- what a rerun must leave ------------------------------------------------------------------------------------


def rows_per_key(address: WarehouseAddress) -> Counter[tuple[str, str, int]]:
    """(raw table, landing key, load id) -> rows."""
    counted: Counter[tuple[str, str, int]] = Counter()
    for table in RAW_TABLES:
        for key, load_id, rows in query(
            address, f"select landing_key, load_id, count(*) from raw.{table} group by 1, 2"
        ):
            counted[(table, key, load_id)] = rows
    return counted


def assert_recovered(
    address: WarehouseAddress, zone: Zone, expected: dict[str, Counter[str]], deliveries: Counter[str]
) -> None:
    """Every landed file: one landed ledger row (the others `skipped`), its rows in raw exactly once and under that
    load, in imported/ once per delivery; nothing pending; no ledger row or raw row of anything else.
    `expected`: per landing key, the rows per raw table (the clean database's)."""
    ledger: dict[str, list[tuple[int, str, str]]] = {}
    for key, load_id, status, sha in query(address, "select landing_key, load_id, status, sha256 from raw.load_ledger"):
        ledger.setdefault(key, []).append((load_id, status, sha))
    assert set(ledger) == set(expected), f"ledger keys {sorted(set(ledger) ^ set(expected))}"
    landed_load: dict[str, int] = {}
    for key, rows in ledger.items():
        landed = [row for row in rows if row[1] in LANDED_STATUSES]
        assert len(landed) == 1 and all(row[1] == "skipped" for row in rows if row not in landed), (key, rows)
        landed_load[key] = landed[0][0]
    wanted = Counter(
        {(table, key, landed_load[key]): rows for key, tables in expected.items() for table, rows in tables.items()}
    )
    assert rows_per_key(address) == wanted  # exactly once, under the landed load: nothing of a killed attempt
    for table, position in (("vehicle_records", "record_index"), ("unificado_rows", "line_number")):
        twice = query(address, f"select landing_key, {position} from raw.{table} group by 1, 2 having count(*) > 1")
        assert twice == [], table
    feeds = query(address, "select landing_key, load_id from raw.vehicle_feeds")
    assert sorted(feeds) == sorted((key, landed_load[key]) for key in expected if key.startswith("vehicles/"))
    assert query(address, "select count(*) from raw.rejected_records") == [(0,)]
    assert pending_keys(zone) == [], "files left pending"
    assert archived(zone) == deliveries, "each delivery in imported/ exactly once"
    shas = {sha for rows in ledger.values() for _, _, sha in rows}
    for key, content in zone.objects().items():
        assert hashlib.sha256(content).hexdigest() in shas, f"{key}: an archive no ledger row knows"


def nothing_of(address: WarehouseAddress, keys: Iterable[str]) -> None:
    """No ledger row and no raw row of `keys`: what a kill before the commit leaves."""
    keys = list(keys)
    assert query(address, "select landing_key from raw.load_ledger where landing_key = any(%s)", (keys,)) == []
    for table in (*RAW_TABLES, "vehicle_feeds", "rejected_records"):
        found = query(address, f"select count(*) from raw.{table} where landing_key = any(%s)", (keys,))
        assert found == [(0,)], table


def raw_rows_by_key(address: WarehouseAddress) -> dict[str, Counter[str]]:
    """Landing key -> rows per raw table."""
    by_key: dict[str, Counter[str]] = {}
    for (table, key, _), rows in rows_per_key(address).items():
        by_key.setdefault(key, Counter())[table] += rows
    return by_key


def expected_rows(file: DayFile, clean: dict[str, Counter[str]]) -> Counter[str]:
    return Counter(dict(file.rows)) if file.rows else clean[file.key]


# --- the journeys -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    number: int
    point: str  # where the day's first run is killed (EXTRACT_KILL_AT)
    first: str  # which file the day's run loads first
    held: bool = False  # corporate 202's feed is a broken export: held, then released (killed once)


LOCAL_DAYS = (
    Day(1, fault_points.AFTER_LOAD_ID, "lab"),
    Day(2, fault_points.MID_COPY, CORPORATES[0]),  # 11 records, COPY chunks of 3 (EXTRACT_KILL_AFTER_ROWS)
    Day(3, fault_points.AFTER_COPY, CORPORATES[1]),
    Day(4, fault_points.AFTER_LEDGER_ROW, "lab"),
    Day(5, fault_points.AFTER_COMMIT, CORPORATES[0]),
    Day(6, fault_points.MID_MOVE, CORPORATES[1]),
    Day(7, fault_points.MID_COMPACTION, "lab", held=True),
    Day(8, fault_points.AFTER_COMPACTION, CORPORATES[0]),
)
EARLY_BUILD_AFTER = 5  # one build before the last days, so that the killed build's models are incremental


def files_of(day: Day) -> list[DayFile]:
    return [*(crypto_files() if day.number == 1 else []), *day_files(day.number, day.first, day.held)]


def held_load(address: WarehouseAddress) -> int:
    [(load_id,)] = query(address, "select load_id from raw.load_ledger where status = 'held'")
    return load_id


def status_of(address: WarehouseAddress, load_id: str) -> str:
    [(status,)] = query(address, "select status from raw.load_ledger where load_id = %s", (int(load_id),))
    return status


def load_clean(address: WarehouseAddress, zone: Zone, days: Iterable[Day]) -> None:
    """The same days, no kill: one run each (and the release of the held feed)."""
    for day in days:
        zone.land(files_of(day))
        rerun(address, zone, expect=(1,) if day.held else (0,))
        if day.held:
            rerun(address, zone, "release", str(held_load(address)))


def compacted(address: WarehouseAddress, keys: Iterable[str]) -> list[tuple[str, bool, int]]:
    """(feed, compacted, records without JSON) of the feeds at `keys`."""
    return query(
        address,
        """
        select feeds.landing_key, feeds.compacted_at is not null, count(*) filter (where records.record = 'null')
        from raw.vehicle_feeds as feeds
        inner join raw.vehicle_records as records on feeds.load_id = records.load_id
        where feeds.landing_key = any(%s)
        group by 1, 2 order by 1
        """,
        (list(keys),),
    )


def assert_what_the_kill_left(address: WarehouseAddress, zone: Zone, day: Day, files: list[DayFile]) -> None:
    keys = [f.key for f in files]
    first = files[0].key
    feeds = [key for key in keys if key.startswith("vehicles/")]
    if day.point in (fault_points.AFTER_LOAD_ID, fault_points.MID_COPY, fault_points.AFTER_COPY,
                     fault_points.AFTER_LEDGER_ROW):  # fmt: skip
        nothing_of(address, keys)  # the first file's transaction died with the process: nothing of it is visible
        assert pending_keys(zone) == sorted(keys)
    if day.point == fault_points.AFTER_LOAD_ID:
        [(reserved, ledger_max)] = query(
            address, "select last_value, (select max(load_id) from raw.load_ledger) from raw.load_ledger_load_id_seq"
        )
        assert reserved > (ledger_max or 0)  # the reserved id is a gap, nothing else
    if day.point in (fault_points.AFTER_COMMIT, fault_points.MID_MOVE):  # committed, not moved
        ledger = query(address, "select landing_key, status from raw.load_ledger where landing_key = any(%s)", (keys,))
        assert ledger == [(first, "loaded")]
        assert pending_keys(zone) == sorted(keys)
        copies = archived(zone)[first]
        assert copies == (1 if isinstance(zone, S3Zone) and day.point == fault_points.MID_MOVE else 0)
    if day.point == fault_points.MID_COMPACTION:  # loaded and moved; the compaction rolled back
        assert pending_keys(zone) == []
        assert compacted(address, feeds) == [(key, False, 0) for key in feeds]
    if day.point == fault_points.AFTER_COMPACTION:  # committed: the repeated records lost their JSON
        assert all(done and emptied > 0 for _, done, emptied in compacted(address, feeds)), compacted(address, feeds)


def journey(
    address: WarehouseAddress, zone: Zone, clean: dict[str, Counter[str]], days: Iterable[Day],
    workdir: Path | None = None,
) -> None:  # fmt: skip
    """Each day: land it, kill the run at the day's point, check what the kill left, rerun, check the recovery.
    With `workdir`, dbt builds once after EARLY_BUILD_AFTER."""
    expected: dict[str, Counter[str]] = {}
    deliveries: Counter[str] = Counter()
    for day in days:
        files = files_of(day)
        zone.land(files)
        killed(address, zone, day.point)
        assert_what_the_kill_left(address, zone, day, sorted(files, key=lambda f: (f.at, f.key)))
        rerun(address, zone)  # exit 0: day 7's held feed landed before its kill, so the rerun has no news
        if day.held:
            load_id = str(held_load(address))
            killed(address, zone, fault_points.MID_RELEASE, "release", load_id)
            assert status_of(address, load_id) == "held"  # the release rolled back
            rerun(address, zone, "release", load_id)
            assert status_of(address, load_id) == "released"
        for file in files:
            expected[file.key] = expected_rows(file, clean)
            deliveries[file.key] = 1
        feeds = [f.key for f in files if f.key.startswith("vehicles/")]
        assert all(done for _, done, _ in compacted(address, feeds)), "every feed compacted after the rerun"
        assert_recovered(address, zone, expected, deliveries)
        if workdir is not None and day.number == EARLY_BUILD_AFTER:
            build(address, workdir)


def test_killed_at_every_point_then_rerun_gives_the_clean_warehouse(server: WarehouseAddress, tmp_path: Path) -> None:
    with fresh_database(server) as clean, fresh_database(server) as crashed:
        load_clean(clean, LocalZone(tmp_path / "clean"), LOCAL_DAYS)
        clean_build = start_dbt(clean, tmp_path / "clean-dbt", "build")  # meanwhile, the journey
        journey(crashed, LocalZone(tmp_path / "landing"), raw_rows_by_key(clean), LOCAL_DAYS, tmp_path / "dbt")

        contents_before = relation_rows(crashed, "intermediate.int_vehicle_contents")
        kill_dbt_in(crashed, tmp_path / "dbt", "intermediate.int_vehicle_contents")
        assert relation_rows(crashed, "intermediate.int_vehicle_contents") == contents_before  # no half model
        snapshot_before = relation_rows(crashed, "snapshots.vehicle_snapshot")
        kill_dbt_in(crashed, tmp_path / "dbt", "snapshots.vehicle_snapshot")  # the rerun, killed in the snapshot
        assert relation_rows(crashed, "snapshots.vehicle_snapshot") == snapshot_before
        build(crashed, tmp_path / "dbt")
        finish(clean_build, tmp_path / "clean-dbt")

        assert differences(raw_fingerprint(clean), raw_fingerprint(crashed)) == ""
        assert differences(marts_fingerprint(clean), marts_fingerprint(crashed)) == ""
        assert differences(snapshot_fingerprint(clean), snapshot_fingerprint(crashed)) == ""
        assert set(skipped_deliveries(crashed)) == {  # a rerun after a commit skips the committed file
            (f.key, hashlib.sha256(f.content).hexdigest())
            for day in LOCAL_DAYS if day.point in (fault_points.AFTER_COMMIT, fault_points.MID_MOVE)
            for f in files_of(day)[:1]
        }  # fmt: skip


S3_DAYS = (
    Day(1, fault_points.AFTER_COMMIT, "lab"),
    Day(2, fault_points.MID_MOVE, "lab"),
    Day(3, fault_points.MID_MOVE, CORPORATES[1]),
)


def test_s3_landing_killed_between_commit_and_delete_archives_each_delivery_once(
    server: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str
) -> None:
    """S3 has no rename: a move is a copy, then a delete. Killed between the two, the rerun skips the file
    (the ledger has it) and deletes the original: the copy the killed run made is the archive. A second
    delivery of the same name (identical, skipped) still gets its own archive, and killed in its move too,
    its rerun tells its copy from the first delivery's by the delivery's LastModified."""
    with fresh_database(server) as address:
        zone = S3Zone(bucket, aws_endpoint)
        expected: dict[str, Counter[str]] = {}
        deliveries: Counter[str] = Counter()
        for day in S3_DAYS:
            files = day_files(day.number, day.first)
            if day.number == 3:  # day 2's lab file delivered again, identical, first: skipped, killed in its move
                files = [DayFile(lab_key(2), lab_text(2).encode(), files[0].at - timedelta(minutes=1)), *files]
            zone.land(files)
            first = files[0].key
            killed(address, zone, day.point)
            assert first in pending_keys(zone)
            assert archived(zone)[first] == deliveries[first] + (day.point == fault_points.MID_MOVE)
            rerun(address, zone)
            for file in files:
                deliveries[file.key] += 1
                expected.setdefault(file.key, Counter(dict(file.rows)))
            assert_recovered(address, zone, expected, deliveries)
        statuses = query(
            address, "select status from raw.load_ledger where landing_key = %s order by load_id", (lab_key(2),)
        )
        # day 2's file, its rerun after mid-move, its redelivery (killed in its move), the redelivery's rerun
        assert statuses == [("loaded",), ("skipped",), ("skipped",), ("skipped",)]
        assert archived(zone)[lab_key(2)] == 2  # two deliveries, two archives: the killed move made no third


def test_a_killed_runs_copy_of_an_s3_feed_is_removed_by_the_next_run(
    server: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str, tmp_path: Path
) -> None:
    """A run killed while it loads a file cannot remove its scratch folder, which holds its copy of the S3
    object (as large as the feed). The next run removes the folders of extractor processes that no longer
    run, and leaves those of a running one (here: this test's own process id)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    running = scratch / f"extract-{os.getpid()}-running"
    running.mkdir()
    with fresh_database(server) as address:
        zone = S3Zone(bucket, aws_endpoint)
        files = day_files(1, CORPORATES[0])
        zone.land(files)
        done = run_extract(address, "--landing", zone.uri, "--workers", "1", **zone.env, TMPDIR=str(scratch),
                           **{fault_points.KILL_AT_VARIABLE: fault_points.AFTER_COPY})  # fmt: skip
        assert done.returncode == -signal.SIGKILL, done.stderr
        left = [folder for folder in scratch.iterdir() if folder != running]
        assert [path.name for folder in left for path in folder.iterdir()] != [], "the killed run left its copy"

        done = run_extract(address, "--landing", zone.uri, "--workers", "1", **zone.env, TMPDIR=str(scratch))
        assert done.returncode == 0, done.stdout + done.stderr
        assert list(scratch.iterdir()) == [running]
        assert pending_keys(zone) == []
