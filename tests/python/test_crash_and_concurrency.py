"""A process killed between commit and move loses nothing; two runs at once load each file once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import PROJECT_ROOT, extract_env, query, run_extract
from test_load_ledger import land_lab_samples

from extract.warehouse import WarehouseAddress

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
