"""Helpers shared by the tests: queries, and running the extractor as a real subprocess."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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


# dbt's parsed project handed from one test's dbt to the next test's, as a user's checkout keeps it between
# commands (target/partial_parse.msgpack). Each test gives dbt its own target folder, so each test's first
# command used to parse the whole project: about 7 s of CPU more than a partial parse. dbt takes a saved
# parse only for the same connection (host, port, database, user), target and --vars, and reads again every
# file changed since; the tests' databases reuse their names (conftest.fresh_database) to make that so.
_PARSES = Path(tempfile.mkdtemp(prefix="dbt-parses-"))
atexit.register(shutil.rmtree, _PARSES, True)


def _saved_parse(address: WarehouseAddress, args: tuple[str, ...], project_dir: Path) -> Path | None:
    """Where the bundled project's parse for `address` is kept; None for commands that parse otherwise."""
    if project_dir != PROJECT_ROOT or "--vars" in args or "--no-partial-parse" in args:
        return None
    return _PARSES / f"{address.host}_{address.port}_{address.dbname}_{address.user}.msgpack"


def run_dbt(
    address: WarehouseAddress, workdir: Path, *args: str, project_dir: Path = PROJECT_ROOT
) -> subprocess.CompletedProcess[str]:
    """Run dbt as a user would, against `address`, with its own profile, target and log folders."""
    saved = _saved_parse(address, args, project_dir)
    parse = workdir / "target" / "partial_parse.msgpack"
    if saved is not None and saved.exists() and not parse.exists():
        parse.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, parse)
    result = subprocess.run(
        _dbt_command(workdir, *args), env=extract_env(address, DBT_TARGET="dev"), cwd=project_dir,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if saved is not None and not saved.exists() and parse.exists():
        shutil.copyfile(parse, saved)
    return result


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
