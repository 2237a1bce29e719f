"""Which warehouse the extractor writes to: the same switch that picks dbt's target.

`--target` (or DBT_TARGET) `dev` is PostgreSQL (extract.postgres_target: PG* variables, or the embedded one);
`prod` is Amazon Redshift through S3 (extract.redshift_target: REDSHIFT_*, EXTRACT_STAGING,
REDSHIFT_COPY_ROLE_ARN). The loader (extract.load_run) asks a target for the few things that differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from extract.domain import RawWriter

TARGETS = ("dev", "prod")  # the outputs of profiles.yml.example


class ConfigurationError(RuntimeError):
    """The target cannot be used as configured; the message names the variable to set."""


class WarehouseTarget(Protocol):
    name: str  # dbt's target name

    def describe(self) -> str:
        """Where the rows go, without any secret."""
        ...

    def connect(self, application_name: str = "extract") -> Connection: ...

    def prepare(self, conn: Connection, domains: Iterable[str]) -> None:
        """Create the raw schema, the ledger and the domains' raw tables (idempotent); commits."""
        ...

    def start_run(self, conn: Connection) -> list[str]:
        """Housekeeping before a run's first file (Redshift: orphaned staged parts); what was done, in words."""
        ...

    def reserve_load_id(self, conn: Connection) -> int:
        """A new load id, reserved before the file's transaction (the rows carry it); commits."""
        ...

    def reserve_load_ids(self, conn: Connection, count: int) -> list[int]:
        """`count` new load ids, increasing, in one round trip (a run numbers its files in landing order); commits."""
        ...

    def lock_landing_key(self, cur: Cursor, key: str) -> None:
        """Make a concurrent load of the same landing path wait for this one's commit, then see its ledger row."""
        ...

    def lock(self, cur: Cursor, name: str) -> None:
        """Serialise the decisions on `name` (a held feed's corporate + DMS) until the transaction ends."""
        ...

    def raw_writer(self, load_id: int) -> RawWriter: ...

    def is_retryable(self, exc: BaseException) -> bool:
        """A conflict between concurrent transactions, not the file's fault: the whole file is tried again."""
        ...


def target_name(cli_target: str | None, env: Mapping[str, str]) -> str:
    name = cli_target or env.get("DBT_TARGET") or "dev"
    if name not in TARGETS:
        raise ConfigurationError(
            f"unknown target {name!r} (from {'--target' if cli_target else 'DBT_TARGET'}); "
            "expected dev (PostgreSQL) or prod (Redshift), the outputs of profiles.yml"
        )
    return name


def choose_target(cli_target: str | None, env: Mapping[str, str]) -> WarehouseTarget:
    """The target named by --target or DBT_TARGET (default dev), configured from `env`."""
    if target_name(cli_target, env) == "prod":
        from extract.redshift_target import RedshiftTarget

        return RedshiftTarget.from_env(env)
    from extract.postgres_target import PostgresTarget

    return PostgresTarget.from_env(env)
