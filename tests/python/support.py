"""Helpers shared by the tests: queries, and running the extractor as a real subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from extract.warehouse import WarehouseAddress, connect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Fake credentials for moto's server (the `aws_endpoint` fixture); AWS_ENDPOINT_URL points boto3 at it.
AWS_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


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


def run_extract(
    address: WarehouseAddress, *args: str, cwd: Path = PROJECT_ROOT, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract", *args],
        env=extract_env(address, **env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _dbt_command(workdir: Path, *args: str) -> list[str]:
    """dbt with its own profile, target and log folders in `workdir`."""
    profiles = workdir / "profiles"
    profiles.mkdir(exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    return [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(profiles),
            "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]  # fmt: skip


def run_dbt(
    address: WarehouseAddress, workdir: Path, *args: str, project_dir: Path = PROJECT_ROOT
) -> subprocess.CompletedProcess[str]:
    """Run dbt as a user would, against `address`, with its own profile, target and log folders."""
    return subprocess.run(
        _dbt_command(workdir, *args), env=extract_env(address, DBT_TARGET="dev"), cwd=project_dir,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def start_dbt(address: WarehouseAddress, workdir: Path, *args: str) -> subprocess.Popen[str]:
    """Start dbt as run_dbt runs it, without waiting: its output (stdout and stderr) comes with communicate()."""
    return subprocess.Popen(
        _dbt_command(workdir, *args), env=extract_env(address, DBT_TARGET="dev"), cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_until(address: WarehouseAddress, sql: str, timeout: float = 120.0) -> None:
    """Poll `sql` (one boolean) until it is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not query(address, sql)[0][0]:
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s in vain for: {sql}"
        time.sleep(0.1)
