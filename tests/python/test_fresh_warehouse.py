"""`dbt build` on a warehouse the extractor has never loaded: the embedded one comes with empty raw
tables (and a locale whose upper() knows Cyrillic); on any other, dbt stops with one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import PROJECT_ROOT, free_port, query, run_dbt, run_extract

from extract.warehouse import WarehouseAddress

RAW_TABLES = ["crypto_rows", "load_ledger", "rejected_records", "unificado_rows", "vehicle_feeds", "vehicle_records"]


def raw_tables(address: WarehouseAddress) -> list[str]:
    rows = query(address, "select table_name from information_schema.tables where table_schema = 'raw' order by 1")
    return [name for (name,) in rows]


def test_warehouse_start_creates_empty_raw_tables_and_a_unicode_aware_locale(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "wh"), EMBEDDED_PG_PORT=str(free_port()))
    address = WarehouseAddress("127.0.0.1", int(env["EMBEDDED_PG_PORT"]), "postgres", None, "warehouse", embedded=True)

    def warehouse(action: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "extract", "warehouse", action], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    try:
        started = warehouse("start")
        assert started.returncode == 0, started.stderr
        assert set(RAW_TABLES) <= set(raw_tables(address)), "every domain's raw tables"
        assert query(address, "select upper('бензин'), lower('ДИЗЕЛЬ')") == [("БЕНЗИН", "дизель")]

        built = run_dbt(address, tmp_path, "build")  # the step `make demo` runs, before any extract

        assert built.returncode == 0, built.stdout[-4000:]
    finally:
        warehouse("stop")


def test_dbt_before_the_first_extract_says_to_run_it(warehouse: WarehouseAddress, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()

    before = run_dbt(warehouse, tmp_path, "build")

    assert before.returncode != 0
    [sentence] = [line.strip() for line in before.stdout.splitlines() if "The raw tables" in line]
    assert sentence.endswith(
        f"do not exist in database {warehouse.dbname}: run `python -m extract` once to create them"
        " (an empty landing zone is enough), then run dbt again."
    )
    assert all(f"raw.{name}" in sentence for name in RAW_TABLES), sentence
    assert 'relation "raw.' not in before.stdout and "START sql" not in before.stdout, "nothing was built"

    # the lab job (`extract --domain lab`, then `dbt build --select +unificado ...`) needs only its tables
    assert run_extract(warehouse, "--landing", str(landing), "--domain", "lab").returncode == 0
    lab = run_dbt(warehouse, tmp_path, "build", "--select", "+unificado", "+unificado_rejected", "+unificado_load_log")
    assert lab.returncode == 0, lab.stdout[-4000:]

    extracted = run_extract(warehouse, "--landing", str(landing))  # nothing to load: creates the tables
    after = run_dbt(warehouse, tmp_path, "build")

    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    assert set(RAW_TABLES) <= set(raw_tables(warehouse))
    assert after.returncode == 0, after.stdout[-4000:]
