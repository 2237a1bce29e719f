"""Fixtures: a real PostgreSQL (the embedded one in a throwaway folder, or the one PGHOST/PGPORT name),
a fresh database per test, and a local landing folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from support import AWS_CREDENTIALS, free_port

from extract import embedded_warehouse
from extract.warehouse import WarehouseAddress, connect, resolve_address


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseAddress]:
    """The PostgreSQL server the tests use; an embedded one is started and stopped by the session."""
    if os.environ.get("PGHOST") or os.environ.get("PGPORT"):
        yield resolve_address()
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


@contextmanager
def fresh_database(server: WarehouseAddress, options: str = "") -> Iterator[WarehouseAddress]:
    """A new, empty database on the server (created with `options`), dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = connect(server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}" {options}')
    try:
        yield replace(server, dbname=name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


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
