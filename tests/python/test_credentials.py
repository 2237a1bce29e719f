"""Warehouse passwords from Secrets Manager or SSM Parameter Store (extract.credentials), against moto's
server over HTTP and the real PostgreSQL, with a login role that must prove its password."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import aws_client
from support import AWS_CREDENTIALS, PROJECT_ROOT, query

from extract import credentials
from extract.credentials import CredentialsError, resolved_environment
from extract.warehouse import WarehouseAddress, connect

LAB_FILE = PROJECT_ROOT / "sample_data" / "lab" / "unificado" / "unificado_2026-11-09.csv"


@dataclass(frozen=True)
class LoginRole:
    address: WarehouseAddress  # as the role, without its password
    password: str


@pytest.fixture
def login_role(warehouse: WarehouseAddress) -> Iterator[LoginRole]:
    """A role that logs in with a password and may create schemas in the test's database."""
    name, password = f"loader_{uuid.uuid4().hex[:8]}", f"pw-{secrets.token_hex(12)}"
    admin = connect(warehouse)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"create role {name} login password %s", (password,))
        cur.execute(f'grant create on database "{warehouse.dbname}" to {name}')
    try:
        yield LoginRole(replace(warehouse, user=name, password=None), password)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"drop owned by {name}")
            cur.execute(f"drop role {name}")
        admin.close()


def rds_secret(role: LoginRole, password: str | None = None) -> str:
    """The JSON secret RDS keeps for a database login."""
    address = role.address
    return json.dumps(
        {
            "engine": "postgres",
            "username": address.user,
            "password": role.password if password is None else password,
            "host": address.host,
            "port": address.port,  # a number, as RDS writes it
            "dbname": address.dbname,
        }
    )


def put_secret(endpoint: str, text: str) -> str:
    name = f"warehouse/{uuid.uuid4().hex[:8]}"
    aws_client(endpoint, "secretsmanager").create_secret(Name=name, SecretString=text)  # type: ignore[attr-defined]
    return name


def put_parameter(endpoint: str, value: str) -> str:
    name = f"/warehouse/{uuid.uuid4().hex[:8]}/password"
    client = aws_client(endpoint, "ssm")
    client.put_parameter(Name=name, Value=value, Type="SecureString")  # type: ignore[attr-defined]
    return name


def child_env(endpoint: str, **variables: str) -> dict[str, str]:
    """This process's environment without any PG* variable, pointed at moto, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "REDSHIFT_"))}
    env.update(AWS_CREDENTIALS, AWS_ENDPOINT_URL=endpoint, **variables)
    return env


def extract(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extract", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip


def lab_landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "lab" / "unificado").mkdir(parents=True)
    shutil.copy(LAB_FILE, landing / "lab" / "unificado" / LAB_FILE.name)
    return landing


def files_containing(folder: Path, text: str) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and text.encode() in path.read_bytes()]


@pytest.fixture
def aws_env(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """This process's boto3 pointed at moto (for resolved_environment called in-process)."""
    for name, value in {**AWS_CREDENTIALS, "AWS_ENDPOINT_URL": aws_endpoint}.items():
        monkeypatch.setenv(name, value)
    return aws_endpoint


def test_a_secret_gives_the_extract_and_dbt_the_role_and_its_password(
    login_role: LoginRole, aws_endpoint: str, tmp_path: Path
) -> None:
    secret_id = put_secret(aws_endpoint, rds_secret(login_role))
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    env = child_env(
        aws_endpoint,
        PG_SECRET_ID=secret_id,  # host, port, user, database and password: all from the secret
        DBT_PROFILES_DIR=str(profiles),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )

    done = extract("run", "--landing", str(lab_landing(tmp_path)), env=env)

    assert done.returncode == 0, done.stderr[-4000:]
    superuser = replace(login_role.address, user="postgres")
    owner = query(superuser, "select tableowner from pg_tables where schemaname = 'marts' and tablename = 'unificado'")
    assert owner == [(login_role.address.user,)], "dbt built the marts as the secret's role"
    assert query(superuser, "select count(*) from marts.unificado")[0][0] > 0
    assert login_role.password not in done.stdout + done.stderr
    assert files_containing(tmp_path / "target", login_role.password) == []
    assert files_containing(tmp_path / "logs", login_role.password) == []
    assert (tmp_path / "logs").is_dir() and any((tmp_path / "target").iterdir()), "dbt wrote where the test said"


def test_an_ssm_parameter_gives_the_extract_and_dbt_its_password(
    login_role: LoginRole, aws_endpoint: str, tmp_path: Path
) -> None:
    parameter = put_parameter(aws_endpoint, login_role.password)
    address = login_role.address
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    env = child_env(aws_endpoint, PG_SSM_PARAMETER=parameter, PGHOST=address.host, PGPORT=str(address.port),
                    PGUSER=address.user, PGDATABASE=address.dbname, DBT_PROFILES_DIR=str(profiles),
                    DBT_TARGET_PATH=str(tmp_path / "target"), DBT_LOG_PATH=str(tmp_path / "logs"))  # fmt: skip

    done = extract("run", "--landing", str(lab_landing(tmp_path)), env=env)
    shown = extract("warehouse", "env", env=env)

    assert done.returncode == 0, done.stderr[-4000:]
    superuser = replace(address, user="postgres")
    assert query(superuser, "select status, count(*) from raw.load_ledger group by 1") == [("loaded", 1)]
    owner = query(superuser, "select tableowner from pg_tables where schemaname = 'marts' and tablename = 'unificado'")
    assert owner == [(address.user,)], "dbt built the marts as the role whose password is in SSM"
    assert login_role.password not in done.stdout + done.stderr
    assert files_containing(tmp_path / "target", login_role.password) == []
    assert files_containing(tmp_path / "logs", login_role.password) == []
    assert "# PGPASSWORD comes from PG_SSM_PARAMETER, not printed" in shown.stdout
    assert login_role.password not in shown.stdout + shown.stderr
    assert f"export PGUSER={address.user}" in shown.stdout


def test_a_wrong_password_in_the_store_exits_2_with_one_sentence(
    login_role: LoginRole, aws_endpoint: str, tmp_path: Path
) -> None:
    wrong = f"wrong-{secrets.token_hex(8)}"
    env = child_env(aws_endpoint, PG_SECRET_ID=put_secret(aws_endpoint, rds_secret(login_role, password=wrong)))

    done = extract("--landing", str(lab_landing(tmp_path)), env=env)

    assert done.returncode == 2
    [sentence] = done.stderr.strip().splitlines()
    assert "password authentication failed" in sentence and login_role.address.user in sentence, sentence
    assert wrong not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("variable", "name", "says"),
    [
        ("PG_SECRET_ID", "warehouse/does-not-exist", "Secrets Manager has no such secret"),
        ("PG_SSM_PARAMETER", "/warehouse/does-not-exist", "Parameter Store has no such parameter"),
    ],
)
def test_a_missing_secret_or_parameter_exits_2_naming_it(
    aws_endpoint: str, tmp_path: Path, variable: str, name: str, says: str
) -> None:
    done = extract("--landing", str(tmp_path), env=child_env(aws_endpoint, **{variable: name}))

    kind = "secret" if variable == "PG_SECRET_ID" else "parameter"
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"extract: {variable} ({kind} {name!r}) cannot be read: {says} (check the name and region)."
    )


def test_a_password_and_a_store_for_the_same_login_are_refused_before_any_aws_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: a call would fail otherwise

    with pytest.raises(CredentialsError, match=r"^PGPASSWORD and PG_SECRET_ID are both set: keep one"):
        resolved_environment({"PGPASSWORD": "x", "PG_SECRET_ID": "warehouse/a"})
    with pytest.raises(CredentialsError, match=r"^REDSHIFT_SECRET_ID and REDSHIFT_SSM_PARAMETER are both set"):
        resolved_environment({"REDSHIFT_SECRET_ID": "a", "REDSHIFT_SSM_PARAMETER": "/b"})


def test_without_a_store_variable_nothing_asks_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("no AWS client without a store variable")

    monkeypatch.setattr(boto3, "client", no_client)
    env = {"PGHOST": "db", "PGPASSWORD": "own", "REDSHIFT_USER": "u"}

    assert resolved_environment(env) == env


def test_a_secret_fills_only_what_the_environment_does_not_set(aws_env: str) -> None:
    secret = {"username": "loader", "password": "s3cr3t", "host": "db.example", "port": 5433, "dbname": "wh"}
    secret_id = put_secret(aws_env, json.dumps(secret))
    redshift = {"username": "etl", "password": "rs-pw", "engine": "redshift", "host": "rs.example", "port": 5439}
    redshift_id = put_secret(aws_env, json.dumps(redshift))

    resolved = resolved_environment(
        {"PG_SECRET_ID": secret_id, "PGUSER": "someone_else", "REDSHIFT_SECRET_ID": redshift_id, "HOME": "/h"}
    )

    assert resolved == {
        "PGUSER": "someone_else",  # set explicitly: kept
        "PGPASSWORD": "s3cr3t",
        "PGHOST": "db.example",
        "PGPORT": "5433",
        "PGDATABASE": "wh",
        "REDSHIFT_USER": "etl",
        "REDSHIFT_PASSWORD": "rs-pw",
        "REDSHIFT_HOST": "rs.example",
        "REDSHIFT_PORT": "5439",  # no dbname in a Redshift admin secret: REDSHIFT_DATABASE stays unset
        "HOME": "/h",
    }, "resolved, the store variables are gone: a child process neither asks again nor sees both"
    assert resolved_environment(resolved) == resolved


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("password=hunter2-not-json", "is not a JSON object"),
        ('{"username": "u", "pass": "hunter2-no-key"}', 'has no "password" field'),
    ],
)
def test_an_unusable_secret_is_named_and_its_content_never_shown(aws_env: str, text: str, says: str) -> None:
    secret_id = put_secret(aws_env, text)

    with pytest.raises(CredentialsError) as refused:
        resolved_environment({"PG_SECRET_ID": secret_id})

    assert str(refused.value).startswith(f"PG_SECRET_ID (secret {secret_id!r}) {says}")
    assert "hunter2" not in str(refused.value)
    assert refused.value.__context__ is None, "no chained exception quotes the secret either"


def test_a_secret_arn_is_read_in_its_own_region() -> None:
    assert credentials._arn_region("arn:aws:secretsmanager:eu-west-1:123456789012:secret:wh-AbCd") == "eu-west-1"
    assert credentials._arn_region("warehouse/loader") is None
