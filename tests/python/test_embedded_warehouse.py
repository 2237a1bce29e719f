"""The embedded warehouse's access rules: `postgres` from this machine without a password, every other role
with its password, also in a data folder initialised when every local user was trusted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from support import PROJECT_ROOT, free_port

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
