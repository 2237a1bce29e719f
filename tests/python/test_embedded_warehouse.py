"""The embedded warehouse's access rules: `postgres` from this machine without a password, every other role
with its password, also in a data folder initialised when every local user was trusted; and its server
settings, which reach a data folder initialised by an older version; and its data checksums, off (switched
off at the start of a folder that has them)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from support import PROJECT_ROOT, free_port

from extract import embedded_warehouse

TRUST_EVERYONE = "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"


def test_only_the_superuser_connects_without_a_password_even_in_an_older_data_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "wh"), EMBEDDED_PG_PORT=str(free_port()))
    port = int(env["EMBEDDED_PG_PORT"])

    def warehouse(action: str) -> None:
        done = subprocess.run([sys.executable, "-m", "extract", "warehouse", action], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr

    def login(user: str, password: str | None = None) -> None:
        psycopg2.connect(host="127.0.0.1", port=port, user=user, password=password, dbname="warehouse").close()

    try:
        warehouse("start")
        (tmp_path / "wh" / "pgdata" / "pg_hba.conf").write_text(TRUST_EVERYONE)  # as an older version left it
        superuser = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="warehouse")
        superuser.autocommit = True
        with superuser.cursor() as cur:
            cur.execute("create role analyst login password 'right-one'")  # not a project login
        superuser.close()

        warehouse("start")  # running already: rewrites the rules and reloads them

        deadline = time.monotonic() + 5  # a reload is a signal: the server applies it a moment later
        while True:
            try:
                login("analyst", "wrong-one")
            except psycopg2.OperationalError as exc:
                assert 'password authentication failed for user "analyst"' in str(exc)
                break
            assert time.monotonic() < deadline, "a wrong password was let in"
            time.sleep(0.1)
        with pytest.raises(psycopg2.OperationalError, match="no password supplied"):
            login("analyst")
        login("analyst", "right-one")
        for user in ("loader", "transformer", "bi_reader"):  # the project's logins, made at the first start
            login(user, f"{user}_local")
        login("postgres")
    finally:
        warehouse("stop")


def test_the_projects_server_settings_reach_a_data_folder_initialised_before_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "wh"), EMBEDDED_PG_PORT=str(free_port()))
    data = tmp_path / "wh" / "pgdata"

    def warehouse(action: str) -> None:
        done = subprocess.run([sys.executable, "-m", "extract", "warehouse", action], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr

    def setting(name: str) -> str:
        conn = psycopg2.connect(host="127.0.0.1", port=int(env["EMBEDDED_PG_PORT"]), user="postgres", dbname="postgres")
        try:
            with conn.cursor() as cur:
                cur.execute("select current_setting(%s)", (name,))
                return cur.fetchone()[0]
        finally:
            conn.close()

    try:
        warehouse("start")
        assert setting("max_parallel_workers_per_gather") == "0"
        # as a version before the settings file left the folder: its settings at the end of postgresql.conf,
        # without the ones added since, and no settings file
        conf = data / "postgresql.conf"
        conf.write_text(
            conf.read_text().replace("include_if_exists = 'dealer_warehouse.conf'", "")
            + "\nmax_parallel_workers_per_gather = 2\nrandom_page_cost = 4\n"
        )
        (data / "dealer_warehouse.conf").unlink()
        warehouse("stop")
        warehouse("start")
        assert (setting("max_parallel_workers_per_gather"), setting("random_page_cost")) == ("0", "1.1")

        (data / "dealer_warehouse.conf").write_text("max_parallel_workers_per_gather = 3\n")  # an edit there
        warehouse("start")  # running already: rewrites the file and reloads it
        deadline = time.monotonic() + 5  # a reload is a signal: the server applies it a moment later
        while setting("max_parallel_workers_per_gather") != "0":
            assert time.monotonic() < deadline, "the rewritten settings were not reloaded"
            time.sleep(0.1)
    finally:
        warehouse("stop")


def test_data_checksums_are_off_and_switched_off_in_a_folder_that_has_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "wh"), EMBEDDED_PG_PORT=str(free_port()))
    data = tmp_path / "wh" / "pgdata"
    as_server = {"user": "embedded_postgres"} if os.geteuid() == 0 else {}

    def warehouse(action: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "extract", "warehouse", action], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    def pg(tool: str, *args: str) -> None:
        command = [str(embedded_warehouse._pg_bin() / tool), *args]
        subprocess.run(command, check=True, capture_output=True, cwd="/", timeout=120, **as_server)

    def checksums() -> str:
        conn = psycopg2.connect(host="127.0.0.1", port=int(env["EMBEDDED_PG_PORT"]), user="postgres", dbname="postgres")
        try:
            with conn.cursor() as cur:
                cur.execute("show data_checksums")
                return cur.fetchone()[0]
        finally:
            conn.close()

    try:
        warehouse("start")
        assert checksums() == "off"  # a new folder
        warehouse("stop")
        pg("pg_checksums", "--enable", "-D", str(data))  # as PostgreSQL 18's initdb left older folders
        warehouse("start")
        assert checksums() == "off"

        # a folder with checksums whose server stopped without a clean shutdown: started as it is, with a notice
        warehouse("stop")
        pg("pg_checksums", "--enable", "-D", str(data))
        pg("pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-w", "start")
        pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        started = warehouse("start")
        assert checksums() == "on"
        assert "data checksums stay on until a start after a clean stop" in started.stderr
        warehouse("stop")  # a clean stop: the next start switches them off
        warehouse("start")
        assert checksums() == "off"
    finally:
        warehouse("stop")
