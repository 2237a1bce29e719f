"""The command line: help, exit codes, and the embedded warehouse commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import PROJECT_ROOT, free_port, run_extract

from extract.warehouse import WarehouseAddress


def test_unreachable_database_exits_2_naming_host_and_port(landing_dir: Path) -> None:
    port = free_port()  # nothing listens there
    address = WarehouseAddress("127.0.0.1", port, "postgres", None, "warehouse", embedded=False)

    done = run_extract(address, "--landing", str(landing_dir))

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"Cannot reach the warehouse at 127.0.0.1:{port}" in lines[0]


def test_missing_landing_folder_exits_2(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    done = run_extract(warehouse, "--landing", str(tmp_path / "nowhere"))

    assert done.returncode == 2
    assert "landing folder" in done.stderr and "does not exist" in done.stderr


def test_help_reads_like_documentation() -> None:
    done = subprocess.run([sys.executable, "-m", "extract", "--help"], capture_output=True, text=True, cwd=PROJECT_ROOT)

    assert done.returncode == 0
    for expected in (
        "--landing",
        "--domain",
        "--workers",
        "exit codes",
        "EXTRACT_LANDING",
        "raw.load_ledger",
    ):
        assert expected in done.stdout


def test_embedded_warehouse_start_is_idempotent_and_stops(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "wh"), EMBEDDED_PG_PORT=str(free_port()))

    def warehouse(action: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "extract", "warehouse", action],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first, second = warehouse("start"), warehouse("start")
    status = warehouse("status")
    stopped = warehouse("stop")

    assert first.returncode == second.returncode == 0, first.stderr
    assert "running" in status.stdout and env["EMBEDDED_PG_PORT"] in status.stdout
    assert "embedded warehouse: stopped" in stopped.stdout
    assert (tmp_path / "wh" / "pgdata" / "PG_VERSION").is_file()
