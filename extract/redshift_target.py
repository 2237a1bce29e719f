"""The Redshift warehouse (dbt target prod), fed through an S3 staging prefix.

Variables: REDSHIFT_HOST, REDSHIFT_PORT (5439), REDSHIFT_USER, REDSHIFT_PASSWORD, REDSHIFT_DATABASE (the
same as dbt's prod output), REDSHIFT_COPY_ROLE_ARN (the IAM role Redshift assumes to read the staging prefix)
and EXTRACT_STAGING (s3://bucket/prefix). Optional: EXTRACT_STAGING_PART_MB (128), REDSHIFT_SSLMODE (require).

Redshift has no advisory locks and no sequences: load ids are reserved in raw.load_ids, named locks are a
`lock` on the ledger, and two transactions that conflict anyway fail with error 1023 (serializable
isolation violation): the file is then tried again from the start.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import psycopg2
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from extract import redshift_ddl
from extract.domain import RawWriter
from extract.ledger import RAW_SCHEMA
from extract.redshift_copy import RedshiftRawWriter
from extract.redshift_staging import StagingArea, s3_client, sweep_orphans
from extract.warehouse import open_connection
from extract.warehouse_target import ConfigurationError

ADDRESS_VARIABLES = ("REDSHIFT_HOST", "REDSHIFT_USER", "REDSHIFT_PASSWORD", "REDSHIFT_DATABASE")
ORPHAN_AGE = timedelta(hours=1)  # staged parts of a load the ledger does not know, older than this, are orphans


@dataclass(frozen=True)
class RedshiftAddress:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    sslmode: str = "require"

    @classmethod
    def from_env(cls, env: Mapping[str, str], needed: tuple[str, ...] = ()) -> RedshiftAddress:
        """The address of the REDSHIFT_* variables; ConfigurationError naming what is missing, with `needed`
        (other variables the caller requires) checked in the same sentence."""
        missing = [name for name in (*ADDRESS_VARIABLES, *needed) if not env.get(name)]
        if missing:
            raise ConfigurationError(
                f"the prod target (Redshift) needs {', '.join(missing)}; see the README's production section "
                "(a password may come from REDSHIFT_SECRET_ID or REDSHIFT_SSM_PARAMETER instead)"
            )
        try:
            port = int(env.get("REDSHIFT_PORT") or 5439)
        except ValueError as exc:
            raise ConfigurationError(f"REDSHIFT_PORT must be a number: {exc}") from exc
        return cls(
            env["REDSHIFT_HOST"], port, env["REDSHIFT_USER"], env["REDSHIFT_PASSWORD"], env["REDSHIFT_DATABASE"],
            env.get("REDSHIFT_SSLMODE") or "require",
        )  # fmt: skip

    def describe(self) -> str:
        return f"Redshift {self.user}@{self.host}:{self.port}/{self.dbname}"


def connect_redshift(address: RedshiftAddress, application_name: str) -> Connection:
    """A connection to the cluster or workgroup, or WarehouseUnreachable naming host and port."""
    a = address
    return open_connection(
        "Redshift",
        a.host,
        a.port,
        a.user,
        a.password,
        a.dbname,
        application_name,
        10,
        variables="REDSHIFT",
        sslmode=a.sslmode,
    )


@dataclass(frozen=True)
class RedshiftTarget:
    address: RedshiftAddress
    staging: StagingArea
    copy_role_arn: str
    part_bytes: int
    name: str = "prod"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RedshiftTarget:
        address = RedshiftAddress.from_env(env, needed=("REDSHIFT_COPY_ROLE_ARN", "EXTRACT_STAGING"))
        staging = StagingArea.parse(env["EXTRACT_STAGING"])
        if staging is None:
            raise ConfigurationError(
                f"EXTRACT_STAGING={env['EXTRACT_STAGING']!r} is not an S3 prefix; expected s3://bucket/prefix"
            )
        try:
            part_mb = float(env.get("EXTRACT_STAGING_PART_MB") or 128)
        except ValueError as exc:
            raise ConfigurationError(f"EXTRACT_STAGING_PART_MB must be a number: {exc}") from exc
        return cls(address, staging, env["REDSHIFT_COPY_ROLE_ARN"], max(int(part_mb * 1024 * 1024), 1024))

    def describe(self) -> str:
        return f"{self.address.describe()}, staging {self.staging.uri}"

    def connect(self, application_name: str = "extract") -> Connection:
        return connect_redshift(self.address, application_name)

    def prepare(self, conn: Connection, domains: Iterable[str]) -> None:
        names = list(domains)
        for attempt in range(1, 4):
            try:
                with conn.cursor() as cur:
                    cur.execute("select 1 from pg_namespace where nspname = %s", (RAW_SCHEMA,))
                    create_schema = cur.fetchone() is None  # the loader user owns raw, without CREATE on the database
                    for statement in redshift_ddl.statements(names, create_schema):
                        cur.execute(statement)
                    _add_missing_columns(cur, names)
                    cur.execute(f"lock {RAW_SCHEMA}.load_ids")
                    cur.execute(redshift_ddl.SEED_LOAD_IDS)
                conn.commit()
                return
            except psycopg2.Error as exc:
                conn.rollback()
                # Two runs creating the same schema, table or added column at once: the loser sees it made on the
                # next try (its snapshot predates the winner's commit, so it tried to make it too).
                concurrent = self.is_retryable(exc) or getattr(exc, "pgcode", None) in _ALREADY_MADE
                if not concurrent or attempt == 3:
                    raise
                time.sleep(0.5 * attempt)

    def start_run(self, conn: Connection) -> list[str]:
        def ledger_knows(load_ids: list[int]) -> set[int]:
            with conn.cursor() as cur:
                cur.execute(f"select load_id from {RAW_SCHEMA}.load_ledger where load_id in %s", (tuple(load_ids),))
                known = {int(row[0]) for row in cur.fetchall()}
            conn.commit()
            return known

        age = timedelta(minutes=float(os.environ.get("EXTRACT_STAGING_ORPHAN_MINUTES", ORPHAN_AGE.seconds / 60)))
        loads, objects = sweep_orphans(self.staging, s3_client(), ledger_knows, age)
        return [f"deleted {objects} orphaned staged objects of {loads} loads in {self.staging.uri}"] if loads else []

    def reserve_load_id(self, conn: Connection) -> int:
        with conn.cursor() as cur:
            cur.execute(f"lock {RAW_SCHEMA}.load_ids")
            cur.execute(f"update {RAW_SCHEMA}.load_ids set last_load_id = last_load_id + 1")
            cur.execute(f"select last_load_id from {RAW_SCHEMA}.load_ids")
            load_id = int(cur.fetchone()[0])
        conn.commit()
        return load_id

    def reserve_load_ids(self, conn: Connection, count: int) -> list[int]:
        with conn.cursor() as cur:
            cur.execute(f"lock {RAW_SCHEMA}.load_ids")
            cur.execute(f"update {RAW_SCHEMA}.load_ids set last_load_id = last_load_id + %s", (count,))
            cur.execute(f"select last_load_id from {RAW_SCHEMA}.load_ids")
            last = int(cur.fetchone()[0])
        conn.commit()
        return list(range(last - count + 1, last + 1))

    def lock_landing_key(self, cur: Cursor, key: str) -> None:
        # Nothing to take: Redshift runs every transaction serializable, so the second of two loads of one file
        # fails at its COPY or commit with error 1023, is tried again (is_retryable) and sees the first's row.
        # A lock here would also serialise the parsing and staging of every file.
        return None

    def lock(self, cur: Cursor, name: str) -> None:
        # No named locks on Redshift: one table lock serialises these decisions until commit or rollback.
        cur.execute(f"lock {RAW_SCHEMA}.vehicle_feeds")

    def raw_writer(self, load_id: int) -> RawWriter:
        return RedshiftRawWriter(self.staging, self.copy_role_arn, load_id, self.part_bytes)

    def is_retryable(self, exc: BaseException) -> bool:
        text = str(exc)
        return getattr(exc, "pgcode", None) == "40001" or ("1023" in text and "Serializable isolation" in text)


# unique_violation (a catalogue row written by the other run), duplicate column, schema, table, object
_ALREADY_MADE = frozenset({"23505", "42701", "42P06", "42P07", "42710"})


def _add_missing_columns(cur: Cursor, domains: list[str]) -> None:
    """Give a raw table made by an older extractor the columns added since (redshift_ddl.ADDED_COLUMNS)."""
    for table, column, sql_type in (added for name in domains for added in redshift_ddl.ADDED_COLUMNS.get(name, ())):
        cur.execute(
            "select 1 from information_schema.columns where table_schema = %s and table_name = %s and column_name = %s",
            (RAW_SCHEMA, table, column),
        )
        if cur.fetchone() is None:
            cur.execute(f"alter table {RAW_SCHEMA}.{table} add column {column} {sql_type}")
