"""The Redshift writer (target prod): S3 staging on moto's server over HTTP, and the file's transaction on the
Redshift stand-in (tests/python/redshift_standin.py: PostgreSQL behind a connection that runs COPY ... MANIFEST
from the staged parts; no cluster is reachable from here)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support import AWS_CREDENTIALS, PROJECT_ROOT, extract_env, query, run_extract

from extract import redshift_ddl
from extract.redshift_copy import copy_statement
from extract.redshift_sql import check_statement
from extract.warehouse import WarehouseAddress, connect

STANDIN = PROJECT_ROOT / "tests" / "python" / "redshift_standin.py"
GOLDEN = PROJECT_ROOT / "tests" / "golden"
ROLE = "arn:aws:iam::123456789012:role/warehouse-copy"
RAW_TABLES = ("vehicle_records", "vehicle_feeds", "crypto_rows", "unificado_rows", "rejected_records")


def run_standin(address: WarehouseAddress, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m extract --target prod ...` with the Redshift stand-in in place of the cluster."""
    return subprocess.run(
        [sys.executable, str(STANDIN), *args, "--target", "prod", "--workers", "1"],
        env=extract_env(address, **env),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def prod_env(aws_endpoint: str, bucket: tuple[str, object], tmp_path: Path) -> dict[str, str]:
    name, _ = bucket
    return {
        **AWS_CREDENTIALS,
        "AWS_ENDPOINT_URL": aws_endpoint,
        "REDSHIFT_HOST": "standin.invalid",
        "REDSHIFT_USER": "loader",
        "REDSHIFT_PASSWORD": "unused-by-the-stand-in",
        "REDSHIFT_DATABASE": "warehouse",
        "REDSHIFT_COPY_ROLE_ARN": ROLE,
        "EXTRACT_STAGING": f"s3://{name}/staging",
        "REDSHIFT_STANDIN_LOG": str(tmp_path / "statements.jsonl"),
    }


def staged_keys(bucket: tuple[str, object]) -> list[str]:
    name, client = bucket
    listing = client.list_objects_v2(Bucket=name, Prefix="staging/")  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listing.get("Contents", []))


def sample_landing(tmp_path: Path, address: WarehouseAddress, *domains: str) -> Path:
    landing = tmp_path / "landing"
    copied = run_extract(address, "sample-data", "--landing", str(landing), "--broken-feed")
    assert copied.returncode == 0, copied.stderr
    for folder in ("vehicles", "crypto", "lab"):
        if domains and folder not in domains:
            subprocess.run(["rm", "-rf", str(landing / folder)], check=True)
    return landing


def raw_content(address: WarehouseAddress) -> dict[str, list[tuple]]:
    """Every raw row but the JSON document and compaction time (the PostgreSQL path compacts repeats)."""
    content = {}
    for table in RAW_TABLES:
        columns = [
            name
            for (name,) in query(
                address,
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = %s "
                "and column_name not in ('record', 'compacted_at') order by column_name",
                (table,),
            )
        ]
        content[table] = query(address, f"select {', '.join(columns)} from raw.{table} order by 1, 2, 3, 4")
    content["load_ledger"] = query(
        address, "select load_id, domain, landing_key, sha256, status, rows_loaded, rows_rejected, error, warnings "
        "from raw.load_ledger order by load_id"
    )  # fmt: skip
    return content


def raw_columns(address: WarehouseAddress) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {}
    for table, column in query(
        address, "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ):
        if table != "load_ids":  # Redshift's load id counter (PostgreSQL has the ledger's sequence)
            columns.setdefault(table, set()).add(column)
    return columns


def statement_findings(log: Path) -> dict[str, list[str]]:
    """Every distinct statement the stand-in received, checked as Redshift SQL: {statement: findings}."""
    sent = {json.loads(line)["sql"].strip() for line in log.read_text().splitlines()}
    assert any(statement.startswith("copy raw.") for statement in sent)
    implicit_commits = [s for s in sent if s.lower().startswith(("truncate", "alter table", "vacuum", "analyze"))]
    assert implicit_commits == []  # nothing in a file's transaction commits by itself on Redshift
    checked = {statement: check_statement(statement) for statement in sent if statement not in ("commit", "rollback")}
    return {statement: [f.construct for f in found] for statement, found in checked.items() if found}


def test_prod_target_lands_what_the_postgres_path_lands(
    warehouse: WarehouseAddress, server: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path
) -> None:
    from conftest import fresh_database

    landing = sample_landing(tmp_path / "prod", warehouse)
    done = run_standin(warehouse, "--landing", str(landing), **prod_env)
    assert done.returncode == 1, done.stdout + done.stderr  # the sample's misfiled export is held
    with fresh_database(server) as reference:
        reference_landing = sample_landing(tmp_path / "dev", reference)
        loaded = run_extract(reference, "--landing", str(reference_landing), "--workers", "1")
        assert loaded.returncode == 1, loaded.stderr
        expected = raw_content(reference)
        reference_columns = raw_columns(reference)
        documents = query(reference, "select load_id, record_index, record from raw.vehicle_records")
    actual = raw_content(warehouse)
    for table, rows in expected.items():
        assert Counter(actual[table]) == Counter(rows), table
    landed = {(load_id, index): record for load_id, index, record in query(
        warehouse, "select load_id, record_index, record from raw.vehicle_records")}  # fmt: skip
    assert all(landed[(load_id, index)] == record for load_id, index, record in documents if record is not None)
    assert staged_keys(bucket) == []  # every staged part and manifest deleted after its commit
    assert raw_columns(warehouse) == reference_columns  # Redshift's DDL has the same raw columns
    findings = statement_findings(Path(prod_env["REDSHIFT_STANDIN_LOG"]))
    assert findings == {}, findings  # every statement sent to "Redshift" is Redshift SQL


def write_vehicle_feed(landing: Path, records: list[str], name: str = "feed.xml") -> Path:
    """A GestionaleAuto export (tracks/gestionaleauto.sql: <car id="...">) of the given records."""
    folder = landing / "vehicles" / "corporate=7" / "source=GESTIONALEAUTO"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><export_gestionaleauto>{"".join(records)}'
                    "</export_gestionaleauto>", encoding="utf-8")  # fmt: skip
    return path


def car(stock_id: int, inside: str = "") -> str:
    return f'<car id="{stock_id}"><model><make>Fiat</make><model>Panda</model></model>{inside}</car>'


@pytest.mark.parametrize("point", ["after-staging", "after-copy", "after-commit"])
def test_killed_at_each_point_then_rerun_loads_every_record_exactly_once(
    warehouse: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path, point: str
) -> None:
    landing = tmp_path / "landing"
    write_vehicle_feed(landing, [car(n, f"<notes>{'x' * 300}</notes>") for n in range(1, 201)])
    small_parts = {**prod_env, "EXTRACT_STAGING_PART_MB": "0.02"}  # about 20 KB of JSON per part: several parts

    killed = run_standin(warehouse, "--landing", str(landing), EXTRACT_KILL_AT=point, **small_parts)
    assert killed.returncode == -9, killed.stderr
    staged = staged_keys(bucket)
    if point == "after-staging":  # what a COPY would read: parts and their manifest, named by table and load id
        name, client = bucket
        folder = "staging/vehicle_records/load_id=1/"
        parts = [key for key in staged if key.endswith(".jsonl.gz")]
        assert staged == sorted([*parts, folder + "manifest.json"]) and len(parts) >= 3
        assert parts == [f"{folder}part-{n:05d}.jsonl.gz" for n in range(1, len(parts) + 1)]
        manifest = json.loads(client.get_object(Bucket=name, Key=folder + "manifest.json")["Body"].read())
        lines = []
        for entry, key in zip(manifest["entries"], parts, strict=True):
            body = client.get_object(Bucket=name, Key=key)["Body"].read()
            assert entry == {"url": f"s3://{name}/{key}", "mandatory": True, "meta": {"content_length": len(body)}}
            text = gzip.decompress(body)
            assert len(text) <= 0.02 * 1024 * 1024
            lines += text.decode().splitlines()
        assert len(lines) == 200
        first = json.loads(lines[0])
        assert lines[0].startswith('{"record_index":1,')  # a COPY error's raw line names the record
        assert first["load_id"] == 1 and first["stock_id"] == "1" and first["record"]["model"]["make"] == "Fiat"
        assert first["feed_at"].count(":") == 2 and "+" not in first["feed_at"]  # UTC, as TIMESTAMPTZ reads it
    assert query(warehouse, "select count(*) from raw.vehicle_records") == [(200 if point == "after-commit" else 0,)]

    rerun = run_standin(warehouse, "--landing", str(landing), EXTRACT_STAGING_ORPHAN_MINUTES="0", **small_parts)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert query(warehouse, "select count(*), count(distinct stock_id) from raw.vehicle_records") == [(200, 200)]
    statuses = query(warehouse, "select status from raw.load_ledger order by load_id")
    assert statuses == ([("loaded",), ("skipped",)] if point == "after-commit" else [("loaded",)])
    assert query(warehouse, "select count(*) from raw.vehicle_feeds") == [(1,)]
    assert staged_keys(bucket) == []  # the killed run's parts are swept, the rerun's deleted after its commit
    assert list((landing / "imported").rglob("feed.xml")) and not list((landing / "vehicles").rglob("*.xml"))


def write_lab_file(landing: Path, lines: list[str], name: str = "week.csv") -> Path:
    folder = landing / "lab" / "unificado"
    folder.mkdir(parents=True, exist_ok=True)
    header = "CHROM,POS,ID,REF,ALT,QUAL,FILTER,INFO,FORMAT,MUESTRA,VALOR,ORIGEN,FECHA_COPIA,RESULTADO"
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def lab_line(sample: int, info: str = "DP=10") -> str:
    return f"chr1,{100 + sample},rs{sample},A,G,50,PASS,{info},GT,M{sample},0/1,lab,,POSITIVO"


def test_a_copy_that_loads_fewer_rows_than_staged_rejects_the_file(
    warehouse: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    write_lab_file(landing, [lab_line(n) for n in range(1, 6)])
    done = run_standin(warehouse, "--landing", str(landing), REDSHIFT_STANDIN_SKIP_LINES="1", **prod_env)
    assert done.returncode == 1, done.stdout + done.stderr
    [(status, error)] = query(warehouse, "select status, error from raw.load_ledger")
    assert status == "rejected"
    assert error == (
        "lab/unificado/week.csv: Redshift's COPY into raw.unificado_rows loaded 4 rows of the 5 staged; "
        "nothing of the file is kept"
    )
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(0,)]
    assert (landing / "rejected" / "lab" / "unificado").is_dir() and staged_keys(bucket) == []


def test_a_copy_error_rejects_the_file_with_record_column_and_reason_from_stl_load_errors(
    warehouse: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    write_lab_file(landing, [lab_line(n) for n in range(1, 6)])
    done = run_standin(warehouse, "--landing", str(landing), REDSHIFT_STANDIN_FAIL_LINE="3", **prod_env)
    assert done.returncode == 1, done.stdout + done.stderr
    [(status, error)] = query(warehouse, "select status, error from raw.load_ledger")
    assert status == "rejected"
    assert error == (
        "lab/unificado/week.csv: Redshift's COPY into raw.unificado_rows refused line 4 (part-00001.jsonl.gz "
        "line 3), column value_text: Invalid digit, Value '?', Pos 0"
    )  # line 4 of the CSV (its header is line 1) is the 3rd staged line
    assert query(warehouse, "select count(*) from raw.unificado_rows") == [(0,)]
    assert "Invalid digit" in done.stdout + done.stderr


def test_values_redshift_cannot_hold_are_rejected_records_never_truncated(
    warehouse: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    write_lab_file(landing, [lab_line(1), lab_line(2, info="I" * 70_000), lab_line(3)])
    long_string = car(2, f"<notes>{'é' * 40_000}</notes>")  # 80,000 bytes of UTF-8 in one string
    big_object = car(3, "".join(f"<o{n}>{'x' * 60_000}</o{n}>" for n in range(75)))  # 4.5 MB of JSON
    write_vehicle_feed(landing, [car(1), long_string, big_object, car(4)])
    done = run_standin(warehouse, "--landing", str(landing), **prod_env)
    assert done.returncode == 1, done.stdout + done.stderr  # 1: the vehicle feed set records aside
    assert query(warehouse, "select line_number from raw.unificado_rows order by 1") == [(2,), (4,)]
    assert query(warehouse, "select stock_id from raw.vehicle_records order by 1") == [("1",), ("4",)]
    reasons = query(warehouse, "select landing_key, record_index, reason from raw.rejected_records order by 1, 2")
    feed = "vehicles/corporate=7/source=GESTIONALEAUTO/feed.xml"
    assert reasons[:2] == [
        ("lab/unificado/week.csv", 3, "lab/unificado/week.csv line 3: column info is 70,000 bytes; Redshift holds "
         "at most 65,535 bytes in a VARCHAR; not loaded"),
        (feed, 2, f"{feed} record 2: the value at /notes is 80,000 bytes; Redshift holds at most 65,535 bytes in "
         "a string; not loaded"),
    ]  # fmt: skip
    [(key, index, reason)] = reasons[2:]
    assert (key, index) == (feed, 3)  # set aside by the vehicle domain, whose record limit is COPY's (both targets)
    assert reason.startswith(f"{feed} record 3 (<car> at line 1): its JSON is 4,5") and (
        " bytes, over the 4,194,304 bytes a record may have (Redshift's COPY reads no larger object" in reason
    )
    assert query(warehouse, "select rows_loaded, rows_rejected from raw.load_ledger order by domain") == [
        (2, 1),
        (2, 2),
    ]


def test_redshift_ddl_and_copy_match_their_golden_files_and_are_redshift_sql() -> None:
    """What the writer sends that only a cluster would run, as reviewed text. After an intended change:
    UPDATE_GOLDEN=1 pytest tests/python/test_redshift_writer.py, then review the diff."""
    statements = [*redshift_ddl.statements(list(redshift_ddl.DOMAIN_STATEMENTS)), redshift_ddl.SEED_LOAD_IDS]
    copy = copy_statement(
        "vehicle_records", ["record_index", "load_id", "record"], "s3://bucket/staging/vehicle_records/"
        "load_id=7/manifest.json", ROLE,
    )  # fmt: skip
    for name, text in (("redshift_raw_ddl.sql", ";\n\n".join(statements) + ";\n"), ("redshift_copy.sql", copy + ";\n")):
        if os.environ.get("UPDATE_GOLDEN"):
            (GOLDEN / name).write_text(text)
        assert text == (GOLDEN / name).read_text(), f"{name} changed: review it, then UPDATE_GOLDEN=1"
    assert {statement: check_statement(statement) for statement in [*statements, copy]} == {
        statement: [] for statement in [*statements, copy]
    }
    assert "truncatecolumns" not in copy.lower() and "maxerror 0" in copy  # nothing is ever loaded truncated


def test_two_runs_at_once_load_each_file_once(
    warehouse: WarehouseAddress, prod_env: dict[str, str], bucket, tmp_path: Path
) -> None:
    """No lock serialises two loads of one file on Redshift: its serializable isolation makes the second fail
    (error 1023; 40001 on the stand-in), which is tried again and then skips the file the first one loaded."""
    landing = tmp_path / "landing"
    for week in range(12):
        write_lab_file(landing, [lab_line(100 * week + n) for n in range(1, 4)], name=f"week{week:02d}.csv")
    command = [sys.executable, str(STANDIN), "--landing", str(landing), "--target", "prod", "--workers", "2"]
    env = extract_env(warehouse, **prod_env)
    runs = [subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]  # fmt: skip
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(out + err for out, err in outputs)
    assert query(warehouse, "select count(*), count(distinct (landing_key, line_number)) from raw.unificado_rows") == [
        (36, 36)
    ]
    loaded = query(warehouse, "select landing_key, count(*) from raw.load_ledger where status = 'loaded' group by 1")
    assert len(loaded) == 12 and {count for _, count in loaded} == {1}
    assert staged_keys(bucket) == []


def test_redshift_smoke_without_a_cluster_says_so_and_runs_nothing(warehouse: WarehouseAddress) -> None:
    env = {k: "" for k in ("REDSHIFT_SMOKE_DATABASE", "REDSHIFT_HOST", "REDSHIFT_PASSWORD", "REDSHIFT_SECRET_ID")}
    done = subprocess.run(
        [sys.executable, "-m", "extract.redshift_smoke"], env=extract_env(warehouse, **env), cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("redshift-smoke: no Redshift configured, nothing run (set REDSHIFT_SMOKE_DATABASE")


def test_a_raw_table_of_an_older_extractor_gets_the_columns_added_since(
    warehouse: WarehouseAddress, prod_env: dict[str, str], tmp_path: Path
) -> None:
    """Redshift has no `add column if not exists`: a vehicle_feeds table made before compaction_base_load_id
    existed gets it when a run prepares the raw schema, instead of every vehicle feed being rejected."""
    first, second = tmp_path / "first", tmp_path / "second"
    write_vehicle_feed(first, [car(n) for n in range(1, 4)])
    assert run_standin(warehouse, "--landing", str(first), **prod_env).returncode == 0
    conn = connect(warehouse)
    with conn, conn.cursor() as cur:
        cur.execute("alter table raw.vehicle_feeds drop column compaction_base_load_id")  # as an older one made it
    conn.close()
    write_vehicle_feed(second, [car(n) for n in range(1, 5)])

    done = run_standin(warehouse, "--landing", str(second), **prod_env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert query(warehouse, "select status from raw.load_ledger order by load_id") == [("loaded",), ("loaded",)]
    assert query(warehouse, "select load_id, compaction_base_load_id from raw.vehicle_feeds order by 1") == [
        (1, None),
        (2, 1),
    ]
