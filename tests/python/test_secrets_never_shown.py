"""No password, secret or URL with its password ever shows: not in what a failing command prints, the ledger, a
reason file, the fetch's state file, nor dbt's logs. Every secret is distinctive, so any copy of it is found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import aws_client
from support import AWS_CREDENTIALS, PROJECT_ROOT, free_port, query, run_dbt

from extract import redact
from extract.warehouse import WarehouseAddress

SECRETS = {
    "PGPASSWORD": "PgPw-never-shown-1a2b",
    "REDSHIFT_PASSWORD": "RsPw-never-shown-3c4d",
    "AWS_SECRET_ACCESS_KEY": "AwsKey-never-shown-5e6f",
    "the Secrets Manager secret": "SmPw-never-shown-7a8b",
    "AWS_ENDPOINT_URL's password": "S3Pw-never-shown-9c0d",
    "UNIFICADO_URL's password": "UrlPw-never-shown-1e2f",
}
ENDPOINT_PASSWORD, URL_PASSWORD = SECRETS["AWS_ENDPOINT_URL's password"], SECRETS["UNIFICADO_URL's password"]
STANDIN = PROJECT_ROOT / "tests" / "python" / "redshift_standin.py"
LAB_CSV = (PROJECT_ROOT / "sample_data" / "lab" / "unificado" / "unificado_2026-11-09.csv").read_bytes()
ROLE_ARN = "arn:aws:iam::123456789012:role/warehouse-copy"


def leaks(shown: dict[str, str]) -> list[tuple[str, str]]:
    """(where, which secret) for every secret found in `shown` ({where: text})."""
    return [(where, name) for where, text in shown.items() for name, secret in SECRETS.items() if secret in text]


def files_under(*folders: Path) -> dict[str, str]:
    """Every file's text under `folders` (reason files, the fetch's state, dbt's logs), by path."""
    return {
        str(path): path.read_bytes().decode("utf-8", "replace")
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file()
    }


def base_env(aws_endpoint: str) -> dict[str, str]:
    """This process's environment without a warehouse, with AWS (moto) and every secret variable set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "REDSHIFT_", "AWS_"))}
    env.update(AWS_CREDENTIALS, AWS_ENDPOINT_URL=aws_endpoint, AWS_MAX_ATTEMPTS="1")
    env.update(AWS_SECRET_ACCESS_KEY=SECRETS["AWS_SECRET_ACCESS_KEY"], PGCONNECT_TIMEOUT="5")
    return env


def pg_env(address: WarehouseAddress, **extra: str) -> dict[str, str]:
    """PG* variables for `address` with the distinctive password (the server trusts `postgres` and ignores it)."""
    env = {k: v for k, v in address.as_env().items() if k != "PGPASSWORD"}
    return {**env, "PGPASSWORD": SECRETS["PGPASSWORD"], **extra}


def extract(*args: str, env: dict[str, str], script: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(script)] if script else [sys.executable, "-m", "extract"]
    return subprocess.run([*command, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


def lab_landing(root: Path) -> Path:
    """A landing zone with a good lab file, one whose header is not the lab's and one outside every domain."""
    landing = root / "landing"
    folder = landing / "lab" / "unificado"
    folder.mkdir(parents=True)
    (folder / "good.csv").write_bytes(LAB_CSV)
    (folder / "bad_header.csv").write_text("not,the,lab,header\n1,2,3,4\n")
    (landing / "elsewhere").mkdir()
    (landing / "elsewhere" / "stray.csv").write_text("a,b\n")
    return landing


def ledger_text(address: WarehouseAddress) -> dict[str, str]:
    """Every ledger row and rejected record as JSON text (all their text columns)."""
    rows = query(address, "select 'raw.load_ledger', row_to_json(l)::text from raw.load_ledger l union all "
                 "select 'raw.rejected_records', row_to_json(r)::text from raw.rejected_records r")  # fmt: skip
    return {f"{table} row {number}": text for number, (table, text) in enumerate(rows)}


def redshift_env(host: str, port: int, bucket: str) -> dict[str, str]:
    """The prod target's variables, with the distinctive Redshift password."""
    return {
        "REDSHIFT_HOST": host,
        "REDSHIFT_PORT": str(port),
        "REDSHIFT_USER": "loader",
        "REDSHIFT_PASSWORD": SECRETS["REDSHIFT_PASSWORD"],
        "REDSHIFT_DATABASE": "warehouse",
        "REDSHIFT_COPY_ROLE_ARN": ROLE_ARN,
        "EXTRACT_STAGING": f"s3://{bucket}/staging",
    }


def put_secret(endpoint: str, content: dict[str, object]) -> str:
    name = f"warehouse/secrets-test-{uuid.uuid4().hex[:8]}"
    client = aws_client(endpoint, "secretsmanager")
    client.create_secret(Name=name, SecretString=json.dumps(content))  # type: ignore[attr-defined]
    return name


# --- failing commands ---


def failing_commands(server: WarehouseAddress, endpoint: str, tmp_path: Path) -> dict[str, tuple[list[str], dict]]:
    """{what: (arguments, extra environment)}: each a way for a command to fail, with secrets set."""
    landing = str(lab_landing(tmp_path))
    wrong = pg_env(replace(server, user="loader"))  # a login that proves its password: this one is wrong
    nowhere = free_port()
    stored = put_secret(endpoint, {"username": "loader", "password": SECRETS["the Secrets Manager secret"],
                                   "host": server.host, "port": server.port, "dbname": server.dbname})  # fmt: skip
    leaky_endpoint = f"http://s3user:{ENDPOINT_PASSWORD}@127.0.0.1:{nowhere}"
    return {
        "wrong password": (["--landing", landing], wrong),
        "wrong password from Secrets Manager": (["--landing", landing], {"PG_SECRET_ID": stored}),
        "unknown host": (["--landing", landing], pg_env(replace(server, host="warehouse.does-not-exist.invalid"))),
        "nothing listens": (["--landing", landing], pg_env(replace(server, port=nowhere))),
        "unreachable S3 endpoint": (
            ["--landing", "s3://landing-bucket/feeds"],
            {**pg_env(server), "AWS_ENDPOINT_URL": leaky_endpoint},
        ),
        "unreachable Redshift": (
            ["--landing", landing, "--target", "prod"],
            {**pg_env(server), **redshift_env("127.0.0.1", nowhere, "staging-bucket")},
        ),
        "release with a wrong password": (["release"], wrong),
        "scheduled run with a wrong password": (["run", "--landing", landing], wrong),
    }


def test_failing_commands_never_show_a_secret(server: WarehouseAddress, aws_endpoint: str, tmp_path: Path) -> None:
    shown: dict[str, str] = {}
    for what, (args, extra) in failing_commands(server, aws_endpoint, tmp_path).items():
        done = extract(*args, env={**base_env(aws_endpoint), **extra})
        assert done.returncode == 2, f"{what}: {done.stdout}{done.stderr}"
        assert "Traceback" not in done.stderr, f"{what}: {done.stderr}"
        shown[f"{what}: stdout"], shown[f"{what}: stderr"] = done.stdout, done.stderr
    shown.update(files_under(tmp_path / "landing"))

    assert leaks(shown) == []
    assert "s3user:***@127.0.0.1" in shown["unreachable S3 endpoint: stderr"], "the endpoint shows, its password not"


def test_warehouse_status_shows_no_password(server: WarehouseAddress, aws_endpoint: str) -> None:
    env = {**base_env(aws_endpoint), "PGPASSWORD": SECRETS["PGPASSWORD"]}  # the embedded warehouse: no PGHOST

    done = extract("warehouse", "status", env=env)

    assert done.returncode == 0, done.stderr
    assert "embedded warehouse: running" in done.stdout and "(no password)" in done.stdout
    assert leaks({"stdout": done.stdout, "stderr": done.stderr}) == []


# --- runs that reach the warehouse: the ledger and the reason files ---


def test_a_postgres_run_keeps_secrets_out_of_the_ledger_and_reason_files(
    warehouse: WarehouseAddress, aws_endpoint: str, tmp_path: Path
) -> None:
    landing = lab_landing(tmp_path)

    done = extract("--landing", str(landing), env={**base_env(aws_endpoint), **pg_env(warehouse)})

    assert done.returncode == 1, done.stdout + done.stderr  # two files rejected, one loaded
    assert len(list((landing / "rejected").rglob("*.reason.txt"))) == 2
    shown = {"stdout": done.stdout, "stderr": done.stderr, **files_under(landing), **ledger_text(warehouse)}
    assert leaks(shown) == []


def test_a_redshift_run_on_moto_keeps_secrets_out_of_everything(
    warehouse: WarehouseAddress, aws_endpoint: str, bucket: tuple[str, object], tmp_path: Path
) -> None:
    name, _ = bucket
    landing = lab_landing(tmp_path)
    prod = {**base_env(aws_endpoint), **pg_env(warehouse), **redshift_env("standin.invalid", 5439, name)}
    port = free_port()
    unreachable = {**prod, "AWS_ENDPOINT_URL": f"http://s3user:{ENDPOINT_PASSWORD}@127.0.0.1:{port}"}

    loaded = extract("--landing", str(landing), "--target", "prod", "--workers", "1", env=prod, script=STANDIN)
    staging_down = extract("--landing", str(lab_landing(tmp_path / "again")), "--target", "prod", env=unreachable,
                           script=STANDIN)  # fmt: skip

    assert loaded.returncode == 1, loaded.stdout + loaded.stderr  # two files rejected, one loaded
    assert query(warehouse, "select status, count(*) from raw.load_ledger group by 1 order by 1") == [
        ("loaded", 1),
        ("rejected", 2),
    ]
    assert staging_down.returncode == 2, staging_down.stdout + staging_down.stderr
    assert f"cannot list the staging area s3://{name}/staging" in staging_down.stderr, staging_down.stderr
    assert f"s3user:***@127.0.0.1:{port}" in staging_down.stderr, "the endpoint shows, its password not"
    shown = {
        "loaded: stdout": loaded.stdout,
        "loaded: stderr": loaded.stderr,
        "staging down: stdout": staging_down.stdout,
        "staging down: stderr": staging_down.stderr,
        **files_under(tmp_path),
        **ledger_text(warehouse),
    }
    assert leaks(shown) == []


# --- the lab fetch: a URL with user:password@ ---


@pytest.fixture
def lab_site() -> Iterator[str]:
    """A local HTTP server: /unificado.csv is the lab's CSV, any other path 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = LAB_CSV if self.path == "/unificado.csv" else b"not found"
            self.send_response(200 if self.path == "/unificado.csv" else 404)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def test_fetch_shows_a_url_without_its_password(lab_site: str, aws_endpoint: str, tmp_path: Path) -> None:
    credentials = f"labuser:{URL_PASSWORD}@"
    landing = tmp_path / "landing"
    env = base_env(aws_endpoint)

    def fetch(url: str) -> subprocess.CompletedProcess[str]:
        return extract("fetch", "unificado", "--url", url, "--landing", str(landing), "--attempts", "1", env=env)

    landed = fetch(f"http://{credentials}{lab_site}/unificado.csv")
    unchanged = fetch(f"http://{credentials}{lab_site}/unificado.csv")
    missing = fetch(f"http://{credentials}{lab_site}/gone.csv")
    unreachable = fetch(f"http://{credentials}127.0.0.1:{free_port()}/unificado.csv")

    assert [landed.returncode, unchanged.returncode, missing.returncode, unreachable.returncode] == [0, 0, 1, 1]
    assert f"unchanged: http://labuser:***@{lab_site}/unificado.csv has the same content" in unchanged.stdout
    assert missing.stderr.startswith(f"extract fetch: http://labuser:***@{lab_site}/gone.csv answered 404")
    state = json.loads((landing / "lab" / "unificado" / ".last-download.json").read_text())
    assert state["url"] == f"http://labuser:***@{lab_site}/unificado.csv"
    shown = {
        f"{name}: {stream}": getattr(done, stream)
        for name, done in (("landed", landed), ("unchanged", unchanged), ("missing", missing), ("down", unreachable))
        for stream in ("stdout", "stderr")
    }
    assert leaks({**shown, **files_under(landing)}) == []


# --- dbt with a wrong password ---


def test_dbt_with_a_wrong_password_never_shows_it(server: WarehouseAddress, tmp_path: Path) -> None:
    wrong = replace(server, user="loader", password=SECRETS["PGPASSWORD"])

    done = run_dbt(wrong, tmp_path, "run", "--select", "unificado")

    assert done.returncode != 0 and "password authentication failed" in done.stdout, done.stdout[-3000:]
    shown = {"stdout": done.stdout, "stderr": done.stderr, **files_under(tmp_path / "logs", tmp_path / "target")}
    assert any(path.endswith("dbt.log") for path in shown), "dbt wrote its log where the test looks"
    assert leaks(shown) == []


# --- the helper ---


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("GET https://u:p4ss@example.com/a.csv failed", "GET https://u:***@example.com/a.csv failed"),
        ('endpoint "http://s3:k3y-x@127.0.0.1:9/b?x=1"', 'endpoint "http://s3:***@127.0.0.1:9/b?x=1"'),
        ("host=db user=u password=s3cr3t dbname=w", "host=db user=u password=*** dbname=w"),
        ("password='it\\'s' dbname=w", "password=*** dbname=w"),
        ('{"username": "u", "password": "s3cr3t"}', '{"username": "u", "password": "***"}'),
        ("s3://bucket/prefix and http://example.com:8080/x", "s3://bucket/prefix and http://example.com:8080/x"),
    ],
)
def test_redact_hides_passwords_and_keeps_the_rest(message: str, expected: str) -> None:
    assert redact.text(message) == expected


def test_redact_hides_the_values_of_secret_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDSHIFT_PASSWORD", SECRETS["REDSHIFT_PASSWORD"])

    assert redact.text(f"login failed with {SECRETS['REDSHIFT_PASSWORD']}") == "login failed with ***"
    assert redact.text("a message", ["abc"]) == "a message", "too short to be told from ordinary words"
