"""The extractor killed with SIGKILL at random moments, rerun until a run finishes, gives the clean warehouse.

A few hundred small files land in three waves (most lab CSVs, a vehicle feed per corporate per wave whose
records mostly repeat the previous wave's, and identical redeliveries of earlier files). Each wave is loaded by
runs of `python -m extract --workers 2` killed, process group and all, at random moments (Kills: seeded, the
seed is in every assertion's message and RANDOM_KILLS_SEED repeats it), at least 20 times in all, each wave's
runs until one finishes. The same waves are loaded
without a kill into another database; then one `dbt build` on each side, and raw, the ledger and the marts
must be the same (warehouse_compare), every file archived once per delivery and none left pending.

Within a wave every file is independent of the others (a corporate's feed and a lab file's rows appear in one
file per wave), so the outcome does not depend on which of the two workers commits first.
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import fresh_database
from support import PROJECT_ROOT, extract_env, query
from test_kill_points import LAB_HEADER, DayFile, LocalZone, archived, dbt_output, pending_keys, start_dbt
from vehicle_feeds import Ad, document
from warehouse_compare import differences, marts_fingerprint, raw_fingerprint, skipped_deliveries

from dms_feeds import vin
from extract.warehouse import WarehouseAddress

pytestmark = pytest.mark.faults

WAVES = 3
LAB_FILES = 75  # new lab CSVs per wave (fewer after the first: redeliveries take their place)
CORPORATES = 25  # one vehicle feed each per wave
REDELIVERED = (8, 2)  # per wave after the first: lab files and vehicle feeds of the wave before, identical
KILLS = 21  # at least 20
FIRST_WAVE = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


# --- the files ---------------------------------------------------------------------------------------------------


def lab_file(wave: int, number: int, at: datetime) -> DayFile:
    """A lab CSV whose rows no other file has (so the order of two files' loads changes nothing)."""
    lines = [
        f"chr{n + 1},{100000 * wave + 100 * number + n},rs{wave}{number:03d}{n},G,T,{40 + n},PASS,DP={20 + n},GT,"
        f"W{wave}N{number:03d},0/1,CLINICA_SUR,,{'POSITIVO' if (number + n) % 3 else 'NEGATIVO'}"
        for n in range(3)
    ]
    content = "\n".join([LAB_HEADER, *lines]) + "\n"
    return DayFile(f"lab/unificado/wave{wave}/results_{number:03d}.csv", content.encode(), at)


def vehicle_feed(corporate: int, wave: int, at: datetime) -> DayFile:
    """Four vehicles of a corporate: one of them changes price each wave, the others repeat."""
    ads = [
        Ad(
            f"C{corporate}-{n}",
            vin=vin.build("WVW", "ZZZ1K", 2021, "W", corporate * 100 + n),
            make="Volkswagen",
            model="Golf",
            list_price=f"{15000 + 1000 * n + (100 * wave if n == wave % 4 else 0)}.00",
        )
        for n in range(4)
    ]
    key = f"vehicles/corporate={corporate}/source=DMS_A/stock_wave{wave}.xml"
    return DayFile(key, document(ads).encode(), at)


def wave_files(wave: int) -> list[DayFile]:
    """About 100 files: new lab CSVs and feeds, and after the first wave identical redeliveries of the wave
    before (the same key, the same bytes, a new modification time)."""
    moments = iter([FIRST_WAVE + timedelta(days=wave, seconds=second) for second in range(LAB_FILES + CORPORATES)])
    lab_again, feeds_again = REDELIVERED if wave > 1 else (0, 0)
    again = range(feeds_again * (wave - 1) + 1, feeds_again * wave + 1)  # corporates whose feed comes again
    before = [*(lab_file(wave - 1, n, FIRST_WAVE) for n in range(lab_again)),
              *(vehicle_feed(c, wave - 1, FIRST_WAVE) for c in again)]  # fmt: skip
    files = [DayFile(f.key, f.content, next(moments)) for f in before]
    files += [lab_file(wave, number, next(moments)) for number in range(LAB_FILES - lab_again)]
    files += [vehicle_feed(c, wave, next(moments)) for c in range(1, CORPORATES + 1) if c not in again]
    return files


# --- runs -------------------------------------------------------------------------------------------------------


@dataclass
class Kills:
    """Random kill moments (seeded), and the kills so far. A moment is a random delay: either from the run's start
    (imports, connection, raw DDL), or after a random number of the pending files have moved (the next
    files' COPY, commit or move), or after the last one moved (the compaction, the summary). Counting
    moved files keeps the kills inside the work however fast the machine is."""

    seed: int
    startup: float  # seconds of a run with nothing to load
    done: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def message(self) -> str:
        return f"RANDOM_KILLS_SEED={self.seed} (startup {self.startup:.2f} s): {len(self.done)} kills: " + "; ".join(
            self.done
        )


def start_extract(address: WarehouseAddress, zone: LocalZone, log: Path) -> subprocess.Popen[bytes]:
    """`python -m extract` with two workers, in its own process group (a scheduler kills the group)."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "extract", "--landing", zone.uri, "--workers", "2"],
            env=extract_env(address), cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def timed_run(address: WarehouseAddress, zone: LocalZone, log: Path) -> float:
    """One run to its end (exit 0); its seconds."""
    started = time.perf_counter()
    run = start_extract(address, zone, log)
    assert run.wait(timeout=300) == 0, f"see {log}"
    return time.perf_counter() - started


def wait_for_moves(run: subprocess.Popen[bytes], zone: LocalZone, pending: int, moved: int) -> bool:
    """Wait until `moved` of the `pending` files left the landing folders; False when the run ended first."""
    while run.poll() is None:
        if len(pending_keys(zone)) <= pending - moved:
            return True
        time.sleep(0.002)
    return False


def kill_at_random(run: subprocess.Popen[bytes], zone: LocalZone, kills: Kills, last: bool) -> bool:
    """Kill the run (its process group) at a random moment; False when it ended before. `last`: after every
    pending file moved, in the compaction or the summary."""
    pending = len(pending_keys(zone))
    rng = kills.rng
    if last:
        moved = pending
    elif pending >= 10 and rng.random() > 0.3:  # at most 30% of the files: the next runs have work left
        moved = rng.randrange(1, pending * 3 // 10 + 1)
    else:  # in the startup, which a run with work left never finishes in
        moved = 0
    delay = rng.uniform(0.1, 0.8) * kills.startup if moved == 0 else rng.uniform(0, 0.04)
    if moved and not wait_for_moves(run, zone, pending, moved):
        return False
    try:
        run.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)  # the run and its workers, at once
    run.wait(timeout=60)
    kills.done.append(f"{delay:.3f} s after {'start' if moved == 0 else f'{moved} of {pending} files moved'}")
    return True


def load_wave_with_kills(address: WarehouseAddress, zone: LocalZone, kills: Kills, wanted: int, log: Path) -> None:
    """Kill `wanted` runs at random moments (and one more near its end, when it can), then let a run finish."""
    killed = 0
    while killed <= wanted and pending_keys(zone):
        run = start_extract(address, zone, log)
        if kill_at_random(run, zone, kills, last=killed == wanted):
            killed += 1
        else:
            assert run.wait(timeout=300) == 0, f"{kills.message()}; see {log}"  # it ended before its kill
    run = start_extract(address, zone, log)
    assert run.wait(timeout=300) == 0, f"{kills.message()}; see {log}"


def load_clean(address: WarehouseAddress, zone: LocalZone, log: Path) -> None:
    """Each wave in one run."""
    for wave in range(1, WAVES + 1):
        zone.land(wave_files(wave))
        timed_run(address, zone, log)


def build_both(*sides: tuple[WarehouseAddress, Path]) -> None:
    """`dbt build` on each side, at the same time (most of a small build is dbt's own work, not the server's)."""
    builds = [(start_dbt(address, workdir, "build"), workdir) for address, workdir in sides]
    for build, workdir in builds:
        assert build.wait(timeout=900) == 0, dbt_output(workdir)[-5000:]


def test_random_kills_then_reruns_give_the_clean_warehouse(server: WarehouseAddress, tmp_path: Path) -> None:
    seed = int(os.environ.get("RANDOM_KILLS_SEED") or random.randrange(2**32))
    deliveries: Counter[str] = Counter()
    with fresh_database(server) as clean, fresh_database(server) as crashed:
        load_clean(clean, LocalZone(tmp_path / "clean"), tmp_path / "clean.log")
        zone = LocalZone(tmp_path / "landing")
        startup = min(timed_run(crashed, zone, tmp_path / "crashed.log") for _ in range(2))  # nothing to load yet
        kills = Kills(seed, startup)
        for wave in range(1, WAVES + 1):
            files = wave_files(wave)
            deliveries.update(f.key for f in files)
            zone.land(files)
            wanted = math.ceil((KILLS - len(kills.done)) / (WAVES - wave + 1))
            load_wave_with_kills(crashed, zone, kills, wanted, tmp_path / "crashed.log")
        assert len(kills.done) >= 20, kills.message()
        build_both((clean, tmp_path / "clean-dbt"), (crashed, tmp_path / "dbt"))

        assert sum(deliveries.values()) == 300
        assert pending_keys(zone) == [], kills.message()
        assert archived(zone) == deliveries, kills.message()  # every delivery in imported/ once
        assert differences(raw_fingerprint(clean), raw_fingerprint(crashed)) == "", kills.message()
        assert differences(marts_fingerprint(clean), marts_fingerprint(crashed)) == "", kills.message()
        assert set(skipped_deliveries(clean)) <= set(skipped_deliveries(crashed)), kills.message()
        landed = query(crashed, "select count(*) from raw.load_ledger where status <> 'skipped'")
        assert landed == [(len(deliveries),)], kills.message()  # one landed row per distinct file
