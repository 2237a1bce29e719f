"""The three logins of `python -m extract warehouse roles` on the real PostgreSQL: the extractor runs as
loader, dbt as transformer, and bi_reader reads marts and market_data (tables, views, the per-ticker views)
and nothing else, writes nowhere. Redshift: every statement the command and the grant hooks would send,
rendered without a cluster, passes extract.redshift_sql's check."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import psycopg2
import pytest
from conftest import aws_client
from psycopg2.extensions import connection as Connection
from support import AWS_CREDENTIALS, PROJECT_ROOT, query, run_dbt, run_extract

from extract import redshift_ddl, warehouse_roles
from extract.credentials import resolved_environment
from extract.redshift_check import OFFLINE_REDSHIFT_ENV
from extract.redshift_sql import check_statement, split_statements
from extract.warehouse import WarehouseAddress, connect
from extract.warehouse_roles import LOGINS, POSTGRES, REDSHIFT, WarehouseState

PASSWORDS = {login.password_variable: login.local_password for login in LOGINS}
BI_SCHEMAS = ("marts", "market_data")
CLOSED_SCHEMAS = ("raw", "staging", "intermediate", "snapshots", "seeds")
DENIED = "42501"  # insufficient_privilege


def as_login(address: WarehouseAddress, name: str) -> WarehouseAddress:
    login = next(login for login in LOGINS if login.name == name)
    return replace(address, user=login.name, password=login.local_password)


@pytest.fixture
def session(warehouse: WarehouseAddress) -> Iterator[Callable[[str], Connection]]:
    """session(login) -> an open connection as that login; all closed at the end."""
    opened: list[Connection] = []

    def open_as(name: str) -> Connection:
        opened.append(connect(as_login(warehouse, name)))
        return opened[-1]

    yield open_as
    for conn in opened:
        conn.close()


def refused(conn: Connection, sql: str) -> str | None:
    """The SQLSTATE the statement fails with, or None when it runs; nothing it does is kept."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    except psycopg2.Error as exc:
        return exc.pgcode
    finally:
        conn.rollback()
    return None


def relations(address: WarehouseAddress, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(schema, name, relkind) of every table and view in the schemas, as the superuser sees them."""
    return query(
        address,
        """select n.nspname, c.relname, c.relkind from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm') order by 1, 2""",
        (list(schemas),),
    )


def test_loader_loads_transformer_builds_and_bi_reader_reads_only_the_bi_schemas(
    warehouse: WarehouseAddress, session: Callable[[str], Connection], tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    roles = run_extract(warehouse, "warehouse", "roles", **PASSWORDS)
    again = run_extract(warehouse, "warehouse", "roles")  # no password variables: the logins keep theirs
    assert roles.returncode == 0, roles.stderr
    assert again.returncode == 0, again.stderr
    assert "password" not in again.stdout and "loader_local" not in roles.stdout + roles.stderr
    assert "create schema if not exists raw authorization loader" in roles.stdout
    assert run_extract(warehouse, "sample-data", "--landing", str(landing)).returncode == 0

    loaded = run_extract(as_login(warehouse, "loader"), "--landing", str(landing))
    built = run_dbt(as_login(warehouse, "transformer"), tmp_path, "build")

    assert loaded.returncode == 0, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    assert built.returncode == 0, built.stdout[-4000:]
    owners = query(warehouse, "select distinct tableowner from pg_tables where schemaname = 'raw'")
    assert owners == [("loader",)], "the extractor created the raw tables as loader"
    owners = query(warehouse, "select distinct tableowner from pg_tables where schemaname in ('marts', 'market_data')")
    assert owners == [("transformer",)]

    readable = relations(warehouse, BI_SCHEMAS)
    closed = relations(warehouse, CLOSED_SCHEMAS)
    assert {schema for schema, _, _ in closed} == set(CLOSED_SCHEMAS)
    assert ("market_data", "btc", "v") in readable, "the per-ticker views"
    assert ("marts", "vehicle_layer", "v") in readable and ("marts", "vehicle", "r") in readable
    bi_reader, loader, transformer = session("bi_reader"), session("loader"), session("transformer")

    def bi_reader_reads_every_bi_relation_and_nothing_else() -> None:
        for schema, name, _ in readable:
            assert refused(bi_reader, f'select count(*) from {schema}."{name}"') is None, f"{schema}.{name}"
        for schema, name, _ in closed:
            assert refused(bi_reader, f'select count(*) from {schema}."{name}"') == DENIED, f"{schema}.{name}"

    bi_reader_reads_every_bi_relation_and_nothing_else()
    for schema in (*BI_SCHEMAS, "public"):
        assert refused(bi_reader, f"create table {schema}.bi_scratch (a int)") == DENIED, schema
    for sql in (
        "insert into marts.vehicle select * from marts.vehicle where false",
        "update market_data.crypto_daily set price = price",
        "delete from marts.unificado",
        "drop view market_data.btc",
        "truncate marts.vehicle_conflict",
    ):
        assert refused(bi_reader, sql) == DENIED, sql
    assert refused(loader, "select count(*) from marts.vehicle") == DENIED
    assert refused(loader, "select count(*) from staging.stg_extract__loads") == DENIED
    assert refused(loader, "create table marts.loader_scratch (a int)") == DENIED
    assert refused(transformer, "delete from raw.load_ledger") == DENIED, "transformer only reads raw"
    assert refused(transformer, "select count(*) from raw.vehicle_records") is None

    rebuilt = run_dbt(as_login(warehouse, "transformer"), tmp_path, "build")  # the incremental branch

    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    assert relations(warehouse, BI_SCHEMAS) == readable
    bi_reader_reads_every_bi_relation_and_nothing_else()


def test_a_build_granting_to_a_missing_role_stops_and_an_empty_role_builds_without_grants(
    warehouse: WarehouseAddress, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    assert run_extract(warehouse, "--landing", str(landing), "--domain", "lab").returncode == 0
    lab = ("build", "--select", "+unificado")

    missing = run_dbt(warehouse, tmp_path, *lab, "--vars", "{bi_reader_role: no_such_reader}")
    without = run_dbt(warehouse, tmp_path, *lab, "--vars", '{bi_reader_role: ""}')

    assert missing.returncode != 0
    [sentence] = [line.strip() for line in missing.stdout.splitlines() if "no_such_reader" in line]
    assert sentence == (
        f"dbt grants the BI relations to no_such_reader (var bi_reader_role), which does not exist in database "
        f"{warehouse.dbname}: run `python -m extract warehouse roles` once as its superuser (with --target prod "
        "on Redshift), or build without grants: --vars '{bi_reader_role: \"\"}'."
    )
    assert "START sql" not in missing.stdout, "nothing was built"
    assert without.returncode == 0, without.stdout[-4000:]
    assert query(
        warehouse,
        "select has_table_privilege('bi_reader', 'marts.unificado', 'select'), "
        "has_schema_privilege('bi_reader', 'marts', 'usage')",
    ) == [(False, False)]


def redshift_states() -> list[WarehouseState]:
    raw_tables = sorted(
        statement.split()[5].split(".")[1]
        for statement in redshift_ddl.statements(list(redshift_ddl.DOMAIN_STATEMENTS))
        if statement.startswith("create table")
    )
    return [
        WarehouseState("warehouse", frozenset(), None),  # a new cluster
        WarehouseState(  # the extractor and dbt ran as the admin user before
            "dev-warehouse",
            frozenset(login.name for login in LOGINS),
            "admin",
            tuple(("table", name) for name in raw_tables),
            foreign_dbt_schemas=(("marts", "admin"),),
        ),
    ]


@pytest.mark.parametrize("state", redshift_states(), ids=["new cluster", "built by the admin user"])
def test_every_redshift_statement_of_warehouse_roles_passes_the_check(state: WarehouseState) -> None:
    passwords = {login.name: f"Example-{login.name}-Passw0rd" for login in LOGINS}

    sent = warehouse_roles.statements(REDSHIFT, state, passwords)

    texts = [statement.shown() for statement in sent]
    for text in texts:
        assert check_statement(text) == [], text
    assert not any(password in text for text in texts for password in passwords.values())
    assert ("create user bi_reader password '********'" in texts) == (not state.logins)
    assert "alter default privileges for user loader in schema raw grant select on tables to transformer" in texts
    assert not any(text.startswith("grant connect") for text in texts), "Redshift has no CONNECT privilege"
    if state.raw_owner:
        assert "alter schema raw owner to loader" in texts and "alter table raw.load_ledger owner to loader" in texts
    on_postgres = warehouse_roles.statements(POSTGRES, state, passwords)
    assert on_postgres[0].sql.startswith("create role ") != bool(state.logins)


def test_the_grant_hooks_render_for_redshift_and_pass_the_check(tmp_path: Path) -> None:
    inline = """{{ schema_usage_sql({'marts': ['bi_reader'], 'market_data': ['bi_reader', 'group bi']}) }};
{{ grant_select_sql(api.Relation.create(database='wh', schema='market_data', identifier='btc'), ['bi_reader']) }};
{{ grantee_exists_sql('user', 'bi_reader') }};
{{ grantee_exists_sql('role', 'analysts') }};
{{ grantee_exists_sql('group', 'bi') }}"""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text((PROJECT_ROOT / "profiles.yml.example").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "REDSHIFT_"))} | OFFLINE_REDSHIFT_ENV

    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--inline", inline, "--target", "prod", "--quiet",
         "--profiles-dir", str(profiles), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path),
         "--no-populate-cache", "--no-introspect"],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    rendered = [statement.sql.strip() for statement in split_statements(done.stdout)]
    assert rendered == [
        "grant usage on schema market_data to bi_reader, group bi",
        "grant usage on schema marts to bi_reader",
        'grant select on "wh"."market_data"."btc" to bi_reader',
        "select count(*) from pg_catalog.pg_user where usename = 'bi_reader'",
        "select count(*) from svv_roles where role_name = 'analysts'",
        "select count(*) from pg_catalog.pg_group where groname = 'bi'",
    ]
    for statement in rendered:
        assert check_statement(statement) == [], statement


def test_a_login_password_may_come_from_a_secret_store(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**AWS_CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint}.items():
        monkeypatch.setenv(name, value)
    parameter = f"/warehouse/{uuid.uuid4().hex[:8]}/bi_reader"
    ssm = aws_client(aws_endpoint, "ssm")
    ssm.put_parameter(Name=parameter, Value="from-the-store", Type="SecureString")  # type: ignore[attr-defined]

    env = resolved_environment({"BI_READER_SSM_PARAMETER": parameter, "LOADER_PASSWORD": "from-the-env"})
    passwords = warehouse_roles.resolve_passwords(env, frozenset({"transformer"}), embedded=False)

    assert passwords == {"loader": "from-the-env", "transformer": None, "bi_reader": "from-the-store"}
    with pytest.raises(warehouse_roles.RolesError, match="TRANSFORMER_PASSWORD \\(or TRANSFORMER_SECRET_ID"):
        warehouse_roles.resolve_passwords(env, frozenset(), embedded=False)
