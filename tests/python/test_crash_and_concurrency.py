"""A process killed between commit and move loses nothing; two runs at once load each file once; a feed committed
out of load-id order beside a running build keeps the JSON the build needs."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support import PROJECT_ROOT, extract_env, query, run_dbt, run_extract, wait_until
from test_load_ledger import land_lab_samples
from test_vehicle_catalogue import CATALOGUE_BUILD
from vehicle_feeds import Ad, document, write_feed

from dms_feeds import vin
from extract.warehouse import WarehouseAddress, connect

# Kills the process right after the first file's transaction committed, before the file is moved.
KILL_AFTER_COMMIT = """
import os, sys
import extract.landing as landing
def killed(*args, **kwargs):
    os._exit(9)
landing.mark_imported = killed
from extract.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_killed_between_commit_and_move_loses_nothing(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    land_lab_samples(landing_dir)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_COMMIT, "--landing", str(landing_dir), "--workers", "1"],
        env=extract_env(warehouse),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9
    assert query(warehouse, "select count(*) from raw.load_ledger where status = 'loaded'") == [(1,)]
    assert len(list((landing_dir / "lab").rglob("*.csv"))) == 2  # nothing moved yet

    rerun = run_extract(warehouse, "--landing", str(landing_dir))

    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    ledger = query(
        warehouse,
        "select string_agg(status, ',' order by load_id) from raw.load_ledger group by landing_key order by 1",
    )
    assert ledger == [("loaded",), ("loaded,skipped",)]  # the committed file was skipped, not loaded again
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(10,)]
    assert not list((landing_dir / "lab").rglob("*.csv"))
    assert len(list((landing_dir / "imported").rglob("*.csv"))) == 2


def test_two_concurrent_runs_load_each_file_once(warehouse: WarehouseAddress, landing_dir: Path) -> None:
    template = (PROJECT_ROOT / "sample_data/lab/unificado/unificado_2026-11-09.csv").read_text()
    folder = landing_dir / "lab" / "unificado"
    folder.mkdir(parents=True)
    for week in range(12):
        # distinct content per file: one extra row naming the week
        (folder / f"week_{week:02d}.csv").write_text(
            template + f"chr9,{week},rs{week},A,C,1,PASS,X,GT,W{week},0/1,O,,POS\n"
        )
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "extract", "--landing", str(landing_dir), "--workers", "2"],
            env=extract_env(warehouse),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    loaded = query(
        warehouse,
        "select landing_key, count(*) from raw.load_ledger where status = 'loaded' group by landing_key",
    )
    assert len(loaded) == 12 and all(count == 1 for _, count in loaded)
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(12 * 7,)]
    assert len(list((landing_dir / "imported").rglob("*.csv"))) == 12


# The first file leaves the landing zone while this run handles it. `when`: after this run hashed it in place and
# before it reads it (on Redshift nothing serialises two runs' reads of one file), or before this run opened it.
# `loaded_elsewhere`: another run loaded it, and wrote its ledger row before moving it, as every run does; else a
# person or a process removed it and no run has it. The other run's row has a placeholder hash: with this content's,
# a run that hashed the file first would skip it as loaded before reading it (another path, tested elsewhere).
LEAVES_WHILE_HANDLED = """
import sys
from datetime import UTC, datetime
from pathlib import Path
import psycopg2
import extract.landing as landing
from extract import ledger
when, loaded_elsewhere = sys.argv[1], sys.argv[2] == "yes"
sys.argv[1:3] = []
handled = landing.LocalLanding.local_copy
def leaves(self, file, scratch):
    path = self._path(file.key)
    if not file.name.endswith("_2026-11-09.csv"):
        return handled(self, file, scratch)
    if loaded_elsewhere:
        with psycopg2.connect("") as conn, conn.cursor() as cur:
            cur.execute("select nextval(pg_get_serial_sequence('raw.load_ledger', 'load_id'))")
            started = datetime.now(UTC)
            entry = ledger.LedgerEntry("lab", self.uri, file.key, file.size, "0" * 64, file.modified_at, started)
            ledger.record(cur, cur.fetchone()[0], entry, ledger.LOADED, rows_loaded=5)
    copy = handled(self, file, scratch) if when == "after hashing" else None
    if loaded_elsewhere:
        moved = Path(sys.argv[2]) / "imported" / "elsewhere" / file.name
        moved.parent.mkdir(parents=True, exist_ok=True)
        path.rename(moved)
    else:
        path.unlink()
    return copy if copy is not None else handled(self, file, scratch)
landing.LocalLanding.local_copy = leaves
from extract.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_while_the_file_leaves(
    warehouse: WarehouseAddress, landing_dir: Path, when: str, loaded_elsewhere: bool
) -> tuple[subprocess.CompletedProcess[str], list[str], str]:
    names = land_lab_samples(landing_dir)
    done = subprocess.run(
        [
            sys.executable, "-c", LEAVES_WHILE_HANDLED, when, "yes" if loaded_elsewhere else "no",
            "--landing", str(landing_dir), "--workers", "1",
        ],
        env=extract_env(warehouse), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done, names, next(name for name in names if name.endswith("_2026-11-09.csv"))


@pytest.mark.parametrize("when", ["after hashing", "before reading"])
def test_a_file_another_run_loaded_and_moved_while_this_one_handled_it_is_gone_not_rejected(
    warehouse: WarehouseAddress, landing_dir: Path, when: str
) -> None:
    done, names, moved = run_while_the_file_leaves(warehouse, landing_dir, when, loaded_elsewhere=True)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"gone     {moved}" in done.stderr  # the progress lines
    assert query(warehouse, "select landing_key, status from raw.load_ledger order by load_id") == [
        (name, "loaded") for name in names
    ]  # the moved file's row is the other run's: this run left no trace of it
    assert not (landing_dir / "rejected").exists()


@pytest.mark.parametrize("when", ["after hashing", "before reading"])
def test_a_file_removed_before_any_run_loaded_it_fails_the_run_and_says_so(
    warehouse: WarehouseAddress, landing_dir: Path, when: str
) -> None:
    done, names, removed = run_while_the_file_leaves(warehouse, landing_dir, when, loaded_elsewhere=False)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"failed   {removed}" in done.stderr
    assert (
        f"failed: {removed}: removed from the landing zone before this run could read it, and no run loaded it"
        in done.stdout + done.stderr
    )  # the summary's "Not loaded" list
    assert query(warehouse, "select landing_key, status from raw.load_ledger order by load_id") == [
        (name, "loaded") for name in names if name != removed
    ]  # the other files loaded
    assert not (landing_dir / "rejected").exists()


VINS = [vin.build("ZFA", "31200", 2022, "J", 482900 + i) for i in range(4)]


@pytest.mark.faults
def test_a_feed_committed_out_of_load_id_order_never_loses_its_json_to_a_running_build(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    """The race of issue 15: feed A reserves load 1, feed B (the next day, same corporate + DMS, same
    records) reserves load 2 and commits first; a dbt build records B; then A commits, and a compaction
    covers both. Had it emptied B's repeated records against A, the build's next model would type B's
    contents from `null`, and the catalogue would show those vehicles without make, model or price."""
    ads = [Ad(f"S{i}", vin=VINS[i], make="Fiat", model=f"Model {i}", list_price=f"{10000 + i}.00") for i in range(4)]
    first, second = tmp_path / "landing-a", tmp_path / "landing-b"
    write_feed(first, "7", "DMS_A", "day-1.xml", document(ads), feed_at=datetime(2026, 11, 1, 6, tzinfo=UTC))
    write_feed(second, "7", "DMS_A", "day-2.xml", document(ads), feed_at=datetime(2026, 11, 2, 6, tzinfo=UTC))
    key = "vehicles/corporate=7/source=DMS_A/day-1.xml"
    blocker = connect(warehouse)
    blocker.autocommit = True
    try:
        with blocker.cursor() as cur:
            cur.execute("select pg_advisory_lock(hashtextextended(%s, 0))", (key,))  # A waits on its landing key
        feed_a = subprocess.Popen(
            [sys.executable, "-m", "extract", "--landing", str(first), "--workers", "1"],
            env=extract_env(warehouse), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # feed A has reserved its load id and waits for its landing key
        wait_until(warehouse, "select exists (select 1 from pg_locks where locktype = 'advisory' and not granted)")
        feed_b = run_extract(warehouse, "--landing", str(second), "--workers", "1", EXTRACT_KILL_AT="after-commit")
        assert feed_b.returncode == -9, feed_b.stderr  # committed as load 2, killed before its compaction
        recorded = run_dbt(warehouse, tmp_path, "run", "--select", "+int_vehicle_feeds", "stg_dms__vehicle_deliveries")
        assert recorded.returncode == 0, recorded.stdout[-3000:]  # the build's first model has recorded B
        with blocker.cursor() as cur:
            cur.execute("select pg_advisory_unlock_all()")
        out, err = feed_a.communicate(timeout=120)
        assert feed_a.returncode == 0, out + err  # A commits as load 1 and compacts every feed not compacted yet
    finally:
        blocker.close()
    assert query(warehouse, "select load_id, landing_key from raw.load_ledger where status = 'loaded' order by 1") == [
        (1, key),
        (2, key.replace("day-1", "day-2")),
    ]
    # the same build's next models: the new contents found, then typed from their JSON
    typed = run_dbt(warehouse, tmp_path, "run", "--select", "int_vehicle_content_deliveries", "int_vehicle_contents")
    assert typed.returncode == 0, typed.stdout[-3000:]
    assert run_extract(warehouse, "--landing", str(second)).returncode == 0  # B's file: skipped and moved
    built = run_dbt(warehouse, tmp_path, *CATALOGUE_BUILD)
    assert built.returncode == 0, built.stdout[-5000:]

    catalogue = query(warehouse, "select vin, make, model, list_price from marts.vehicle order by vin")
    assert catalogue == sorted((VINS[i], "Fiat", f"Model {i}", Decimal(f"{10000 + i}.00")) for i in range(4))
