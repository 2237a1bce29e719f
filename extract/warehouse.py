"""Where the warehouse is, decided in one place for the extractor, the tests and dbt.

The standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) point at any
PostgreSQL 17 or newer. When neither PGHOST nor PGPORT is set, the project's embedded
PostgreSQL is used (and started on demand); PGUSER / PGDATABASE still choose user and database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg2
from psycopg2.extensions import connection as Connection

from extract import credentials, embedded_warehouse, redact

MIN_SERVER_VERSION = 170000  # the built-in collation pg_c_utf8 (vocabulary matching, macros/cross_db/text_matching.sql)


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
    *,
    variables: str = "PG",
    **options: str,
) -> Connection:
    """psycopg2.connect, or WarehouseUnreachable: one sentence naming `what`, host, port, database and user (never
    the password), what went wrong and what to check, by the `variables` that configure it (PG*: PGHOST, ...;
    REDSHIFT: REDSHIFT_HOST, ...). PGCONNECT_TIMEOUT overrides the timeout in seconds."""
    timeout = int(os.environ.get("PGCONNECT_TIMEOUT", str(default_timeout)))
    try:
        return psycopg2.connect(
            host=host,
            port=port,
            user=user,
            password=password,
            dbname=dbname,
            connect_timeout=timeout,
            application_name=application_name,
            **options,
        )
    except psycopg2.OperationalError as exc:
        reason = _libpq_reason(str(exc))
        advice = _advice(reason, _role(variables), port, timeout)
        sentence = f"Cannot reach {what} at {host}:{port} (database {dbname!r}, user {user!r}): {advice}."
        # libpq's message is in the sentence; a chained exception would only repeat it
        raise WarehouseUnreachable(redact.text(sentence, [password])) from None


_LIBPQ_ATTEMPT = re.compile(r'connection to server at "[^"]*"(?: \([^)]*\))?, port \d+ failed:')
_LIBPQ_HINT = "Is the server running on that host and accepting TCP/IP connections?"


def _libpq_reason(message: str) -> str:
    """libpq's message on one line, without what the sentence says already (host, port) and its severity; the
    distinct reasons when it tried several addresses (localhost: ::1, then 127.0.0.1)."""
    attempts = _LIBPQ_ATTEMPT.split(message.replace(_LIBPQ_HINT, ""))
    reasons = [" ".join(attempt.replace("FATAL:", "").split()) for attempt in attempts]
    return "; ".join(dict.fromkeys(reason for reason in reasons if reason)) or "no answer"


def _role(variables: str) -> credentials.Role:
    return next(role for role in credentials.ROLES if role.prefix == variables)


def _advice(reason: str, role: credentials.Role, port: int, timeout: int) -> str:
    """The reason as a person reads it, and what to check, naming the variables that configure the connection."""
    said = reason.lower()
    host, port_variable = role.host or "", role.port or ""
    store = credentials.from_store(role.password)
    password = f"{store} (it holds {role.password})" if store else role.password
    if "connection refused" in said:
        return f"connection refused; check that the server is running and that {host} and {port_variable} name it"
    if "timeout expired" in said or "timed out" in said:
        return (
            f"no answer within {timeout} s; check {host} and {port_variable}, and that no firewall or security group "
            f"blocks port {port} from this machine (PGCONNECT_TIMEOUT sets the wait)"
        )
    if "could not translate host name" in said:
        return f"unknown host ({reason}); check {host}"
    if "no password supplied" in said:
        return f"the server asks for a password and none is set; set {role.password} (or {role.secret_id})"
    if "password authentication failed" in said:
        return f"{reason}; check {password}"
    if "does not exist" in said and "database" in said:
        return f"{reason}; check {role.database}"
    if "does not exist" in said and "role" in said:
        return f"{reason}; check {role.user}"
    if "no pg_hba.conf entry" in said:
        return f"{reason}; the server does not let this user in from this machine: ask its administrator"
    if "too many clients" in said or "connection slots" in said:
        return f"{reason}; try again later, or run with fewer --workers"
    if "starting up" in said or "shutting down" in said or "recovery mode" in said:
        return f"{reason}; try again in a moment"
    return f"{reason}; check {host}, {port_variable}, {role.user}, {role.password} and {role.database}"


def connect(address: WarehouseAddress, application_name: str = "extract") -> Connection:
    """Open a connection, or raise WarehouseUnreachable with one sentence naming host and port."""
    a = address
    conn = open_connection("the warehouse", a.host, a.port, a.user, a.password, a.dbname, application_name)
    if conn.server_version < MIN_SERVER_VERSION:
        version = conn.server_version
        conn.close()
        raise WarehouseUnreachable(
            f"The warehouse at {address.host}:{address.port} runs PostgreSQL {version // 10000}; "
            "version 17 or newer is required."
        )
    return conn
