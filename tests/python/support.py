"""Helpers shared by the tests: queries, and running the extractor as a real subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from extract.warehouse import WarehouseAddress, connect

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query(address: WarehouseAddress, sql: str, params: tuple = ()) -> list[tuple]:
    conn = connect(address)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def extract_env(address: WarehouseAddress, **extra: str) -> dict[str, str]:
    """Environment for running `python -m extract` (or dbt) against `address` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(address.as_env())
    env.update(extra)
    return env


def run_extract(address: WarehouseAddress, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract", *args],
        env=extract_env(address, **env),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
