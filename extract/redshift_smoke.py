"""`make redshift-smoke`: the whole pipeline on the sample data against a real Redshift, every mart compared
with the same pipeline on the embedded PostgreSQL. Only a cluster can show what the stand-in cannot (COPY's
real JSON parsing, SUPER navigation, the dispatch macros' Redshift SQL at run time, dbt-redshift's DDL).

It runs only in a database made for it, REDSHIFT_SMOKE_DATABASE (never the production one: its raw,
staging, intermediate, marts, market_data and snapshots schemas are dropped first), with the prod variables
(REDSHIFT_HOST, REDSHIFT_USER, a password or REDSHIFT_SECRET_ID / REDSHIFT_SSM_PARAMETER,
REDSHIFT_COPY_ROLE_ARN, EXTRACT_STAGING). Without them it says so and exits 0 without running anything.
It runs `python -m extract warehouse roles` on both targets, so on a cluster without the users loader,
transformer and bi_reader it needs their passwords once: LOADER_PASSWORD, TRANSFORMER_PASSWORD,
BI_READER_PASSWORD (or their stores; Redshift wants 8 to 64 characters with upper and lower case and a digit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from extract.embedded_warehouse import project_root
from extract.warehouse import connect, resolve_address

NEEDED = ("REDSHIFT_SMOKE_DATABASE", "REDSHIFT_HOST", "REDSHIFT_USER", "REDSHIFT_COPY_ROLE_ARN", "EXTRACT_STAGING")
SCHEMAS = ("raw", "staging", "intermediate", "marts", "market_data", "snapshots")
BI_SCHEMAS = ("marts", "market_data")
REFERENCE_DATABASE = "redshift_smoke_reference"
# Columns that hold the time or duration of the run itself, not a result of the data: never equal across runs.
RUN_COLUMNS = {"built_at", "batch_at", "fecha_copia", "load_seconds", "started_at", "finished_at", "seconds"}


def missing_settings(env: Mapping[str, str]) -> list[str]:
    missing = [name for name in NEEDED if not env.get(name)]
    if not any(env.get(name) for name in ("REDSHIFT_PASSWORD", "REDSHIFT_SECRET_ID", "REDSHIFT_SSM_PARAMETER")):
        missing.append("REDSHIFT_PASSWORD (or REDSHIFT_SECRET_ID / REDSHIFT_SSM_PARAMETER)")
    return missing


def _step(what: str, command: list[str], env: Mapping[str, str]) -> None:
    print(f"redshift-smoke: {what}", flush=True)
    done = subprocess.run(command, env=dict(env), cwd=project_root())
    if done.returncode not in (0, 1):  # 1: the sample's misfiled export is held, as in make demo
        raise SystemExit(f"redshift-smoke: {what} failed with exit {done.returncode}")


def _pipeline(target: str, env: Mapping[str, str]) -> None:
    python, dbt = sys.executable, str(Path(sys.executable).parent / "dbt")
    with tempfile.TemporaryDirectory(prefix=f"smoke-{target}-") as landing:
        sample = [python, "-m", "extract", "sample-data", "--landing", landing, "--broken-feed"]
        _step(f"{target}: sample data", sample, env)
        _step(f"{target}: warehouse roles", [python, "-m", "extract", "warehouse", "roles", "--target", target], env)
        _step(f"{target}: extract", [python, "-m", "extract", "--landing", landing, "--target", target], env)
    build = subprocess.run([dbt, "build", "--target", target], env=dict(env), cwd=project_root())
    if build.returncode != 0:
        raise SystemExit(f"redshift-smoke: dbt build --target {target} failed (exit {build.returncode})")


def _plain(value: Any) -> Any:
    if isinstance(value, float | Decimal):
        return round(float(value), 6)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _mart_rows(conn: Any, schema: str, table: str) -> Counter[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(f"select * from {schema}.{table}")
        keep = [i for i, column in enumerate(cur.description) if column.name not in RUN_COLUMNS]
        return Counter(tuple(_plain(row[i]) for i in keep) for row in cur.fetchall())


def compare_marts(reference: Any, redshift: Any) -> list[str]:
    """Each BI relation of the reference whose rows differ on Redshift, in words; empty when all agree."""
    with reference.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in %s order by 1, 2",
            (BI_SCHEMAS,),
        )
        relations = cur.fetchall()
    differences = []
    for schema, table in relations:
        expected, actual = _mart_rows(reference, schema, table), _mart_rows(redshift, schema, table)
        if expected != actual:
            extra, lacking = actual - expected, expected - actual
            example = next(iter(lacking or extra))
            differences.append(
                f"{schema}.{table}: {sum(expected.values())} rows on PostgreSQL, {sum(actual.values())} on Redshift; "
                f"{sum(lacking.values())} missing, {sum(extra.values())} unexpected (e.g. {example})"
            )
        else:
            print(f"  {schema}.{table}: {sum(expected.values())} rows, equal")
    return differences


def main() -> int:
    from extract.credentials import resolved_environment
    from extract.redshift_target import RedshiftTarget

    env = resolved_environment(os.environ)
    missing = missing_settings(env)
    if missing:
        print(f"redshift-smoke: no Redshift configured, nothing run (set {', '.join(missing)}; see docs/redshift.md)")
        return 0
    prod = {**env, "REDSHIFT_DATABASE": env["REDSHIFT_SMOKE_DATABASE"], "DBT_TARGET": "prod"}
    target = RedshiftTarget.from_env(prod)
    redshift = target.connect("redshift-smoke")
    redshift.autocommit = True
    with redshift.cursor() as cur:
        for schema in SCHEMAS:
            cur.execute(f"drop schema if exists {schema} cascade")
    _pipeline("prod", prod)

    address = resolve_address(env)
    admin = connect(address)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"drop database if exists {REFERENCE_DATABASE} with (force)")
        cur.execute(f"create database {REFERENCE_DATABASE}")
    admin.close()
    dev = {**{k: v for k, v in env.items() if not k.startswith("REDSHIFT_")}, "PGDATABASE": REFERENCE_DATABASE}
    _pipeline("dev", dev)
    reference = connect(replace(address, dbname=REFERENCE_DATABASE))
    differences = compare_marts(reference, redshift)
    for difference in differences:
        print(f"redshift-smoke: DIFFERENT {difference}")
    print(
        "redshift-smoke: every mart equal on Redshift and PostgreSQL" if not differences else "redshift-smoke: FAILED"
    )
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
