"""Fixtures: a real PostgreSQL (the embedded one in a throwaway folder, or the one PGHOST/PGPORT name),
a fresh database per test, and a local landing folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from support import AWS_CREDENTIALS, free_port, query, run_dbt, run_extract

from extract import embedded_warehouse
from extract.warehouse import WarehouseAddress, connect, resolve_address
from extract.warehouse_roles import create_missing_logins


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseAddress]:
    """The PostgreSQL server the tests use; an embedded one is started and stopped by the session."""
    if os.environ.get("PGHOST") or os.environ.get("PGPORT"):
        address = resolve_address()
        conn = connect(address)  # the logins the embedded one has (dbt grants the marts to bi_reader)
        try:
            create_missing_logins(conn)
        finally:
            conn.close()
        yield address
        return
    saved = {k: os.environ.get(k) for k in ("EMBEDDED_PG_DIR", "EMBEDDED_PG_PORT")}
    os.environ["EMBEDDED_PG_DIR"] = str(tmp_path_factory.mktemp("embedded-pg"))
    os.environ["EMBEDDED_PG_PORT"] = str(free_port())
    embedded_warehouse.start("postgres")
    try:
        yield replace(resolve_address({}), dbname="postgres")
    finally:
        embedded_warehouse.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_DATABASES_IN_USE: set[str] = set()


def _database_name() -> str:
    """The first free name of this test process (pytest-xdist's worker id in it: a shared server serves all).
    Names are reused from test to test so that dbt's saved parse of the project serves the next test's dbt
    (support.run_dbt)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    slot = 0
    while f"test_{worker}_{slot}" in _DATABASES_IN_USE:
        slot += 1
    return f"test_{worker}_{slot}"


@contextmanager
def fresh_database(server: WarehouseAddress, options: str = "") -> Iterator[WarehouseAddress]:
    """A new, empty database on the server (created with `options`), dropped afterwards."""
    name = _database_name()
    _DATABASES_IN_USE.add(name)
    admin = connect(server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')  # left by a test process that was killed
        cur.execute(f'create database "{name}" {options}')
    try:
        yield replace(server, dbname=name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()
        _DATABASES_IN_USE.discard(name)


@pytest.fixture
def warehouse(server: WarehouseAddress) -> Iterator[WarehouseAddress]:
    """A fresh, empty database for one test."""
    with fresh_database(server) as address:
        yield address


@pytest.fixture
def c_locale_warehouse(server: WarehouseAddress) -> Iterator[WarehouseAddress]:
    """A fresh database created with the C locale, as many users' servers are: upper() ignores non-ASCII."""
    with fresh_database(server, "template template0 encoding 'UTF8' locale 'C'") as address:
        yield address


@pytest.fixture
def landing_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """moto's server over real HTTP: S3, Secrets Manager and SSM for every test that talks to AWS."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def aws_client(endpoint: str, service: str) -> object:
    """A boto3 client of `service` on the moto server, with the tests' fake credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=AWS_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=AWS_CREDENTIALS["AWS_DEFAULT_REGION"],
    )


@pytest.fixture
def bucket(aws_endpoint: str) -> Iterator[tuple[str, object]]:
    """A new, empty bucket on the moto server, and an S3 client."""
    client = aws_client(aws_endpoint, "s3")
    name = f"bucket-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)  # type: ignore[attr-defined]
    yield name, client


@dataclass(frozen=True)
class SampleWarehouse:
    """A database with the bundled sample data extracted and built; its dbt target/ is in `workdir`."""

    address: WarehouseAddress
    workdir: Path

    def dashboard_env(self) -> dict[str, str]:
        """DASHBOARD_PG* variables that point the dashboard at this database as the BI role bi_reader. A server
        without that role (one PGHOST names, made before the project's roles) gets the superuser instead."""
        has_bi_reader = query(self.address, "select 1 from pg_roles where rolname = 'bi_reader'")
        env = {
            "DASHBOARD_PGHOST": self.address.host,
            "DASHBOARD_PGPORT": str(self.address.port),
            "DASHBOARD_PGDATABASE": self.address.dbname,
            "DASHBOARD_PGUSER": "bi_reader" if has_bi_reader else self.address.user,
        }
        password = os.environ.get("BI_READER_PASSWORD", "bi_reader_local") if has_bi_reader else self.address.password
        if password:
            env["DASHBOARD_PGPASSWORD"] = password
        return env


@pytest.fixture(scope="session")
def sample_warehouse(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleWarehouse]:
    """The bundled sample data with its misfiled export (`sample-data --broken-feed`: held), extracted and built
    once for the whole session, for the tests that only read the marts (the dashboard's)."""
    workdir = tmp_path_factory.mktemp("sample-warehouse")
    landing = workdir / "landing"
    with fresh_database(server) as address:
        landed = run_extract(address, "sample-data", "--landing", str(landing), "--broken-feed")
        assert landed.returncode == 0, landed.stderr
        extracted = run_extract(address, "--landing", str(landing))
        assert extracted.returncode == 1, extracted.stdout + extracted.stderr  # 1: the misfiled export is held
        built = run_dbt(address, workdir, "build")
        assert built.returncode == 0, built.stdout[-5000:]
        yield SampleWarehouse(address, workdir)
