"""The scratch database `bench` on the embedded warehouse: recreate it, and read sizes and counts.

Only the database named BENCH_DATABASE is ever dropped. The extractor and dbt reach it through the
environment from `subprocess_env()`: no PGHOST/PGPORT (so the embedded warehouse is used) and
PGDATABASE=bench.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from psycopg2 import sql
from psycopg2.extensions import connection as Connection

from extract.domains import DOMAINS
from extract.postgres_target import prepare_raw_schema
from extract.warehouse import WarehouseAddress, connect, ensure_running, resolve_address

BENCH_DATABASE = "bench"
_DROPPED_VARIABLES = ("EXTRACT_LANDING", "EXTRACT_WORKERS", "DBT_TARGET")


def subprocess_env() -> dict[str, str]:
    """The environment for the extractor and dbt: the embedded warehouse, database `bench`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k not in _DROPPED_VARIABLES}
    env.update(PGDATABASE=BENCH_DATABASE, DBT_TARGET="dev")
    return env


def bench_address() -> WarehouseAddress:
    """The embedded warehouse (started when it is not running), database `bench`."""
    address = resolve_address({k: v for k, v in subprocess_env().items() if k.startswith("PG")})
    ensure_running(replace(address, dbname="postgres"))
    return address


@contextmanager
def connection(address: WarehouseAddress) -> Iterator[Connection]:
    conn = connect(address, application_name="bench")
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def recreate(address: WarehouseAddress) -> None:
    """Drop and create the bench database, then the extractor's raw schema for every domain (empty).

    Creating every domain's raw tables up front is what a warehouse looks like after its first full
    extract run; without it, the full `dbt build` would fail on the sources of domains not loaded yet.
    """
    name = sql.Identifier(address.dbname)
    with connection(replace(address, dbname="postgres")) as admin, admin.cursor() as cur:
        cur.execute(sql.SQL("drop database if exists {} with (force)").format(name))
        cur.execute(sql.SQL("create database {}").format(name))
    conn = connect(address, application_name="bench")
    try:
        prepare_raw_schema(conn, tuple(DOMAINS))
    finally:
        conn.close()


def drop(address: WarehouseAddress) -> None:
    """Drop the scratch database `address` names (never the bench database itself)."""
    if address.dbname == BENCH_DATABASE:
        raise ValueError(f"drop: {address.dbname} is the bench database")
    with connection(replace(address, dbname="postgres")) as admin, admin.cursor() as cur:
        cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(address.dbname)))


def scalar(address: WarehouseAddress, query: str, params: tuple[object, ...] = ()) -> object:
    with connection(address) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        row = cur.fetchone()
        return row[0] if row else None


def database_bytes(address: WarehouseAddress) -> int:
    return int(scalar(address, "select pg_database_size(current_database())"))  # type: ignore[arg-type]


def relation_bytes(address: WarehouseAddress, relation: str) -> int:
    """Total size (table, TOAST, indexes) of `relation`, 0 when it does not exist."""
    size = scalar(address, "select pg_total_relation_size(to_regclass(%s))", (relation,))
    return int(size or 0)  # type: ignore[call-overload]


def json_bytes(address: WarehouseAddress, relation: str, column: str) -> int:
    """Stored bytes (compressed, TOAST included) of `column`'s values in `relation`; 0 when it does not exist."""
    if scalar(address, "select to_regclass(%s)", (relation,)) is None:
        return 0
    return int(scalar(address, f"select coalesce(sum(pg_column_size({column})), 0) from {relation}"))  # type: ignore[arg-type]


def row_count(address: WarehouseAddress, relation: str, where: str = "true") -> int:
    """Rows of `relation` (a trusted name from this package) matching `where`; 0 when it does not exist."""
    if scalar(address, "select to_regclass(%s)", (relation,)) is None:
        return 0
    return int(scalar(address, f"select count(*) from {relation} where {where}"))  # type: ignore[arg-type]


def terminate_sessions(address: WarehouseAddress) -> None:
    """End every other session on the bench database (a killed client's statement may still be running)."""
    with connection(replace(address, dbname="postgres")) as conn, conn.cursor() as cur:
        cur.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (address.dbname,),
        )


def vacuum(address: WarehouseAddress) -> None:
    """VACUUM every table of the database (what autovacuum gets through in the day between two builds)."""
    with connection(address) as conn, conn.cursor() as cur:
        cur.execute("vacuum")


def server_version(address: WarehouseAddress) -> str:
    return str(scalar(address, "select version()"))
