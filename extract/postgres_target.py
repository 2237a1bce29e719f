"""The PostgreSQL warehouse (dbt target dev): the embedded one, or any PostgreSQL 17+ named by PG* variables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from extract import ledger
from extract.domain import REJECTED_RECORDS_DDL, RawWriter
from extract.raw_writer import PostgresRawWriter
from extract.warehouse import WarehouseAddress, connect, ensure_running, resolve_address

_RETRYABLE = ("40001", "40P01")  # serialization failure, deadlock


def prepare_raw_schema(conn: Connection, domains: Iterable[str]) -> None:
    """Create the raw schema, the ledger and the domains' raw tables (idempotent, serialised between runs)."""
    from extract.domains import DOMAINS

    with conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtextextended('extract:ddl', 0))")
        cur.execute(ledger.LEDGER_DDL)
        cur.execute(REJECTED_RECORDS_DDL)
        for name in domains:
            cur.execute(DOMAINS[name].ddl)
    conn.commit()


@dataclass(frozen=True)
class PostgresTarget:
    address: WarehouseAddress
    name: str = "dev"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PostgresTarget:
        return cls(resolve_address(env))

    def describe(self) -> str:
        return self.address.describe()

    def connect(self, application_name: str = "extract") -> Connection:
        ensure_running(self.address)
        return connect(self.address, application_name=application_name)

    def prepare(self, conn: Connection, domains: Iterable[str]) -> None:
        prepare_raw_schema(conn, domains)

    def start_run(self, conn: Connection) -> list[str]:
        return []

    def reserve_load_id(self, conn: Connection) -> int:
        with conn.cursor() as cur:
            cur.execute(f"select nextval(pg_get_serial_sequence('{ledger.RAW_SCHEMA}.load_ledger', 'load_id'))")
            load_id = int(cur.fetchone()[0])
        conn.commit()
        return load_id

    def reserve_load_ids(self, conn: Connection, count: int) -> list[int]:
        with conn.cursor() as cur:
            cur.execute(
                "select nextval(pg_get_serial_sequence(%s, 'load_id')) from generate_series(1, %s)",
                (f"{ledger.RAW_SCHEMA}.load_ledger", count),
            )
            load_ids = sorted(int(row[0]) for row in cur.fetchall())
        conn.commit()
        return load_ids

    def lock_landing_key(self, cur: Cursor, key: str) -> None:
        self.lock(cur, key)

    def lock(self, cur: Cursor, name: str) -> None:
        cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (name,))

    def raw_writer(self, load_id: int) -> RawWriter:
        return PostgresRawWriter()

    def is_retryable(self, exc: BaseException) -> bool:
        return getattr(exc, "pgcode", None) in _RETRYABLE
