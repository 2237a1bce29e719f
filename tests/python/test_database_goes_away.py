"""The warehouse goes away: unreachable when a run starts (exit 2, one sentence, the landing zone untouched), or
restarted in the middle of one (the files in flight stay pending, the workers reconnect and go on, and a rerun
loads every file exactly once). The restart test runs its own embedded PostgreSQL, so other tests never see it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg2
import pytest
from support import PROJECT_ROOT, extract_env, free_port, query, run_extract
from vehicle_feeds import Ad, write_feed

from dms_feeds import dms_a
from extract.warehouse import WarehouseAddress

LAB_TEMPLATE = (PROJECT_ROOT / "sample_data" / "lab" / "unificado" / "unificado_2026-11-09.csv").read_text()
LAB_FILES, FEEDS, ADS_PER_FEED = 240, 60, 3
# The advisory locks the test holds so that a worker waits inside a file's transaction: a lab file's landing key
# (before its rows), a vehicle feed's corporate + DMS (after its rows are copied: extract.held_feeds).
BLOCKED_LAB_FILE = "lab/unificado/week_120.csv"
BLOCKED_FEED = "vehicles/corporate=1030/source=DMS_A/feed.xml"
LOCK_OF = {BLOCKED_LAB_FILE: BLOCKED_LAB_FILE, BLOCKED_FEED: "extract:vehicle-feeds:1030/DMS_A"}
PASSWORD = "Pw-never-shown-7c1e"


def land_small_files(landing: Path) -> list[str]:
    """LAB_FILES lab CSVs (7 rows each, distinct content) and FEEDS DMS_A feeds of ADS_PER_FEED vehicles, each its
    own corporate (no feed holds another's), written in this order; their landing keys."""
    folder = landing / "lab" / "unificado"
    folder.mkdir(parents=True, exist_ok=True)
    keys = []
    for week in range(LAB_FILES):
        (folder / f"week_{week:03d}.csv").write_text(
            LAB_TEMPLATE + f"chr9,{week},rs{week},A,C,1,PASS,X,GT,W{week},0/1,O,,POS\n"
        )
        keys.append(f"lab/unificado/week_{week:03d}.csv")
    for number in range(FEEDS):
        corporate = str(1000 + number)
        ads = [Ad(stock_id=f"{corporate}-{index}").values() for index in range(ADS_PER_FEED)]
        codes = {"ModelCode": "PAN", "VersionCode": "PAN12"}  # every mapped path present: no findings to report
        write_feed(landing, corporate, "DMS_A", "feed.xml", dms_a.FORMAT.document([{**ad, **codes} for ad in ads]))
        keys.append(f"vehicles/corporate={corporate}/source=DMS_A/feed.xml")
    return keys


# --- unreachable when the run starts ---


def landing_snapshot(landing: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(landing)): (p.stat().st_size, p.stat().st_mtime_ns) for p in landing.rglob("*")}


@pytest.mark.parametrize(
    ("cause", "says", "advice"),
    [
        ("nothing listens", "connection refused", "check that the server is running and that PGHOST and PGPORT"),
        ("wrong password", "password authentication failed", "check PGPASSWORD"),
        ("unknown host", "unknown host", "check PGHOST"),
    ],
)
def test_an_unreachable_warehouse_exits_2_with_one_sentence_and_touches_no_file(
    server: WarehouseAddress, tmp_path: Path, cause: str, says: str, advice: str
) -> None:
    landing = tmp_path / "landing"
    land_small_files(landing)
    before = landing_snapshot(landing)
    address = {
        "nothing listens": replace(server, port=free_port(), password=PASSWORD, embedded=False),
        "wrong password": replace(server, user="loader", password=PASSWORD, embedded=False),
        "unknown host": replace(server, host="warehouse.does-not-exist.invalid", password=PASSWORD, embedded=False),
    }[cause]

    done = run_extract(address, "--landing", str(landing), PGCONNECT_TIMEOUT="5")

    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    [sentence] = done.stderr.strip().splitlines()
    assert sentence.startswith(f"extract: Cannot reach the warehouse at {address.host}:{address.port} "), sentence
    assert f"database {address.dbname!r}" in sentence and f"user {address.user!r}" in sentence, sentence
    assert says in sentence.lower() and advice in sentence, sentence
    assert PASSWORD not in done.stdout + done.stderr
    assert landing_snapshot(landing) == before, "no file moved, written or removed"


# --- restarted in the middle of a run ---


@dataclass(frozen=True)
class OwnServer:
    """An embedded PostgreSQL only this test uses (its own folder and port), reached as a remote one."""

    address: WarehouseAddress
    control_env: dict[str, str]

    def control(self, action: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "extract", "warehouse", action], env=self.control_env, cwd=PROJECT_ROOT,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, f"warehouse {action}: {done.stdout}{done.stderr}"


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "EMBEDDED_PG_"))}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "own-pg"), EMBEDDED_PG_PORT=str(port))
    server = OwnServer(WarehouseAddress("127.0.0.1", port, "postgres", None, "warehouse", embedded=False), env)
    server.control("start")
    try:
        yield server
    finally:
        server.control("stop")


def hold_locks(address: WarehouseAddress, names: tuple[str, ...]) -> psycopg2.extensions.connection:
    """A session holding the advisory locks the extractor takes for `names` (until the server goes away)."""
    conn = psycopg2.connect(host=address.host, port=address.port, user=address.user, dbname=address.dbname)
    conn.autocommit = True
    with conn.cursor() as cur:
        for name in names:
            cur.execute("select pg_advisory_lock(hashtextextended(%s, 0))", (name,))
    return conn


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.1)


def waiting_loads(address: WarehouseAddress) -> int:
    return query(address, "select count(*) from pg_locks where locktype = 'advisory' and not granted")[0][0]


def copied_and_waiting(address: WarehouseAddress) -> int:
    """Loads waiting on a lock whose transaction wrote already (it has a transaction id)."""
    sql = "select count(*) from pg_stat_activity where wait_event = 'advisory' and backend_xid is not null"
    return query(address, sql)[0][0]


def raw_counts(address: WarehouseAddress) -> dict[str, int]:
    tables = ("unificado_rows", "vehicle_records", "vehicle_feeds", "rejected_records")
    return {table: query(address, f"select count(*) from raw.{table}")[0][0] for table in tables}


def rows_without_a_load(address: WarehouseAddress) -> dict[str, int]:
    """Raw rows whose load has no loaded ledger row: what a transaction the restart cut would leave, were it kept."""
    loaded = "select load_id from raw.load_ledger where status = 'loaded'"
    tables = ("unificado_rows", "vehicle_records")
    return {t: query(address, f"select count(*) from raw.{t} where load_id not in ({loaded})")[0][0] for t in tables}


def rows_per_key(address: WarehouseAddress) -> dict[str, int]:
    return dict(query(address, "select landing_key, rows_loaded from raw.load_ledger where status = 'loaded'"))


def create_database(address: WarehouseAddress, name: str) -> WarehouseAddress:
    admin = psycopg2.connect(host=address.host, port=address.port, user=address.user, dbname=address.dbname)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    admin.close()
    return replace(address, dbname=name)


def run_through_outage(
    server: OwnServer, landing: Path, blocked: tuple[str, ...], comes_back: bool
) -> subprocess.CompletedProcess[str]:
    """`python -m extract` with a worker per `blocked` file, the server stopped while each worker is inside that
    file's transaction, and started again a second later when it `comes_back`, else after the run."""
    address = server.address
    locks = hold_locks(address, tuple(LOCK_OF[key] for key in blocked))
    env = extract_env(address, EXTRACT_RECONNECT_SECONDS="30" if comes_back else "2")
    command = [sys.executable, "-m", "extract", "--landing", str(landing), "--workers", str(len(blocked))]
    run = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)  # fmt: skip
    try:
        in_flight = len(blocked)
        wait_for(lambda: waiting_loads(address) == in_flight or run.poll() is not None, 60, "every worker to wait")
        assert run.poll() is None, "the run ended before the restart"
        assert copied_and_waiting(address) == 1, "the feed's rows are copied in its open transaction"
        server.control("stop")  # -m fast: every session ends, the two open transactions roll back
        if comes_back:
            time.sleep(1)  # the workers find nothing listening for a while
            server.control("start")
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        locks.close()
    if not comes_back:
        server.control("start")
    return subprocess.CompletedProcess(command, run.returncode, stdout, stderr)


STAYS = "the file stays in the landing zone and the next run loads it"
# what psycopg2 says first when the server ends the session: its notice, or only that it closed the connection
LOST = re.compile(
    r"  failed: (?P<key>\S+): the connection to the warehouse was lost \((terminating connection due to "
    rf"administrator command|server closed the connection unexpectedly)\); {STAYS}"
)
NOT_TRIED = re.compile(
    r"  failed: (?P<key>\S+): not tried: the warehouse did not answer for \d+ s \(Cannot reach the warehouse at "
    r"127\.0\.0\.1:\d+ \(database 'warehouse', user 'postgres'\): connection refused; check that the server is "
    rf"running and that PGHOST and PGPORT name it\); {STAYS}"
)


@pytest.mark.faults
@pytest.mark.parametrize(
    ("blocked", "comes_back"),
    [
        ((BLOCKED_LAB_FILE, BLOCKED_FEED), True),  # two worker processes
        ((BLOCKED_LAB_FILE, BLOCKED_FEED), False),
        ((BLOCKED_FEED,), True),  # --workers 1: the files load in the run's own process
    ],
    ids=["2-workers-restarted", "2-workers-down-for-longer-than-the-wait", "1-worker-restarted"],
)
def test_the_warehouse_going_away_mid_run_loses_and_duplicates_nothing(
    own_server: OwnServer, tmp_path: Path, blocked: tuple[str, ...], comes_back: bool
) -> None:
    address = own_server.address
    landing = tmp_path / "landing"
    keys = land_small_files(landing)

    first = run_through_outage(own_server, landing, blocked, comes_back)

    assert first.returncode == 1, first.stdout + first.stderr
    assert "Traceback" not in first.stdout + first.stderr, first.stderr
    failed = [line for line in first.stdout.splitlines() if line.startswith("  failed: ")]
    lost = sorted(match["key"] for line in failed if (match := LOST.fullmatch(line)))
    assert lost == sorted(blocked), first.stdout  # the files in flight
    not_tried = [match["key"] for line in failed if (match := NOT_TRIED.fullmatch(line))]
    assert len(lost) + len(not_tried) == len(failed), "one sentence per failed file, saying why: " + first.stdout
    loaded = query(address, "select count(*) from raw.load_ledger where status = 'loaded'")[0][0]
    if comes_back:  # the workers reconnected and went on with every other file
        assert not_tried == [] and loaded == len(keys) - len(blocked)
    else:  # no more attempts once the warehouse stayed away for EXTRACT_RECONNECT_SECONDS: the rest waits
        assert not_tried and loaded + len(failed) == len(keys)
    assert all((landing / key).is_file() for key in lost + not_tried), "every failed file stays pending"
    assert rows_without_a_load(address) == {"unificado_rows": 0, "vehicle_records": 0}, "nothing half-loaded"

    rerun = run_extract(address, "--landing", str(landing), "--workers", "2")

    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    ledger = query(address, "select landing_key, count(*), count(*) filter (where status = 'loaded') "
                   "from raw.load_ledger group by 1")  # fmt: skip
    assert sorted(ledger) == sorted((key, 1, 1) for key in keys), "one ledger row per file, loaded"
    assert not [p for folder in ("lab", "vehicles", "rejected") for p in (landing / folder).rglob("*") if p.is_file()]
    assert len([p for p in (landing / "imported").rglob("*") if p.is_file()]) == len(keys)
    reference = create_database(address, "reference")
    clean_landing = tmp_path / "clean"
    land_small_files(clean_landing)
    clean = run_extract(reference, "--landing", str(clean_landing), "--workers", "2")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert raw_counts(address) == raw_counts(reference)
    assert rows_per_key(address) == rows_per_key(reference)
    assert raw_counts(address)["unificado_rows"] == LAB_FILES * 7
    assert raw_counts(address)["vehicle_records"] == FEEDS * ADS_PER_FEED
