"""Where the warehouse is, decided in one place for the extractor, the tests and dbt.

The standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) point at any
PostgreSQL 15 or newer. When neither PGHOST nor PGPORT is set, the project's embedded
PostgreSQL is used (and started on demand); PGUSER / PGDATABASE still choose user and database.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection

from extract import embedded_warehouse

MIN_SERVER_VERSION = 150000


class WarehouseUnreachable(RuntimeError):
    """The warehouse cannot be used; the message is one sentence naming host and port."""


@dataclass(frozen=True)
class WarehouseAddress:
    host: str
    port: int
    user: str
    password: str | None
    dbname: str
    embedded: bool

    def describe(self) -> str:
        kind = "embedded PostgreSQL" if self.embedded else "PostgreSQL"
        return f"{kind} {self.user}@{self.host}:{self.port}/{self.dbname}"

    def as_env(self) -> dict[str, str]:
        """PG* variables that make dbt (and psql) reach the same database."""
        env = {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGDATABASE": self.dbname}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def resolve_address(env: Mapping[str, str] | None = None) -> WarehouseAddress:
    env = os.environ if env is None else env
    embedded = not env.get("PGHOST") and not env.get("PGPORT")
    if embedded:
        return WarehouseAddress(
            host="127.0.0.1",
            port=embedded_warehouse.port(),
            user=env.get("PGUSER") or embedded_warehouse.SUPERUSER,
            password=env.get("PGPASSWORD") or None,
            dbname=env.get("PGDATABASE") or embedded_warehouse.DEFAULT_DATABASE,
            embedded=True,
        )
    try:
        port = int(env.get("PGPORT") or 5432)
    except ValueError as exc:
        raise WarehouseUnreachable(f"PGPORT must be a number, got {env.get('PGPORT')!r}.") from exc
    return WarehouseAddress(
        host=env.get("PGHOST") or "localhost",
        port=port,
        user=env.get("PGUSER") or os.environ.get("USER", "postgres"),
        password=env.get("PGPASSWORD") or None,
        dbname=env.get("PGDATABASE") or env.get("PGUSER") or "postgres",
        embedded=False,
    )


def ensure_running(address: WarehouseAddress) -> None:
    """Start the embedded warehouse when it is the one in use; a remote one is the operator's business."""
    if not address.embedded:
        return
    try:
        embedded_warehouse.start(address.dbname)
    except embedded_warehouse.EmbeddedWarehouseError as exc:
        raise WarehouseUnreachable(
            f"Cannot start the embedded warehouse on {address.host}:{address.port}: {exc}."
        ) from exc


def open_connection(
    what: str,
    host: str,
    port: int,
    user: str,
    password: str | None,
    dbname: str,
    application_name: str,
    default_timeout: int = 5,
    **options: str,
) -> Connection:
    """psycopg2.connect, or WarehouseUnreachable: one sentence naming `what`, host, port, database and user
    (never the password). PGCONNECT_TIMEOUT overrides the timeout in seconds."""
    try:
        return psycopg2.connect(
            host=host,
            port=port,
            user=user,
            password=password,
            dbname=dbname,
            connect_timeout=int(os.environ.get("PGCONNECT_TIMEOUT", str(default_timeout))),
            application_name=application_name,
            **options,
        )
    except psycopg2.OperationalError as exc:
        reason = " ".join(str(exc).split()) or "no answer"
        raise WarehouseUnreachable(
            f"Cannot reach {what} at {host}:{port} (database {dbname!r}, user {user!r}): {reason}"
        ) from exc


def connect(address: WarehouseAddress, application_name: str = "extract") -> Connection:
    """Open a connection, or raise WarehouseUnreachable with one sentence naming host and port."""
    a = address
    conn = open_connection("the warehouse", a.host, a.port, a.user, a.password, a.dbname, application_name)
    if conn.server_version < MIN_SERVER_VERSION:
        version = conn.server_version
        conn.close()
        raise WarehouseUnreachable(
            f"The warehouse at {address.host}:{address.port} runs PostgreSQL {version // 10000}; "
            "version 15 or newer is required."
        )
    return conn
