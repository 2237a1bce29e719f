"""`python -m extract run`: the scheduled run (lock, extract, dbt build, dbt source freshness) as a
scheduler starts it, with its JSON lines on stdout, and the run lock on a local folder and on S3 (moto).
A run on the whole sample data, and what a run builds, are in test_scheduled_run_selection.py."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from support import AWS_CREDENTIALS, PROJECT_ROOT, query, run_extract

from extract import run_lock
from extract.warehouse import WarehouseAddress

LAB_FILE = PROJECT_ROOT / "sample_data" / "lab" / "unificado" / "unificado_2026-11-09.csv"


def dbt_env(workdir: Path) -> dict[str, str]:
    """dbt's profile, target and log folders inside the test's own folder."""
    profiles = workdir / "profiles"
    profiles.mkdir(exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    return {
        "DBT_PROFILES_DIR": str(profiles),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }


def scheduled_run(address: WarehouseAddress, workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_extract(address, "run", *args, **dbt_env(workdir), **env)


def steps(stdout: str) -> dict[str, dict]:
    lines = [json.loads(line) for line in stdout.splitlines()]
    return {line["step"]: line for line in lines}


def aws_env(endpoint: str) -> dict[str, str]:
    return {**AWS_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}


@pytest.fixture
def moto_env(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """moto for this process's boto3 (the lock taken in the test) and for the child's."""
    env = aws_env(aws_endpoint)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_a_run_with_a_bad_file_exits_1_and_still_builds_the_good_files(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    lab = landing_dir / "lab" / "unificado"
    lab.mkdir(parents=True)
    shutil.copy(LAB_FILE, lab / LAB_FILE.name)
    (lab / "unificado_2026-11-16.csv").write_text("not,a,lab\nfile\n")

    done = scheduled_run(warehouse, tmp_path, "--landing", str(landing_dir))

    assert done.returncode == 1, done.stderr[-4000:]
    lines = steps(done.stdout)
    assert lines["extract"]["status"] == "partial" and lines["extract"]["exit_code"] == 1
    assert lines["extract"]["counts"] | {"loaded": 1, "rejected": 1} == lines["extract"]["counts"]
    assert lines["dbt build"]["status"] == "ok", "dbt ran after the extract's exit 1"
    assert lines["run"]["exit_code"] == 1
    assert query(warehouse, "select count(*) from marts.unificado")[0][0] > 0


def test_a_second_run_on_a_locked_landing_folder_exits_2_naming_the_holder(
    warehouse: WarehouseAddress, landing_dir: Path, tmp_path: Path
) -> None:
    (landing_dir / "lab" / "unificado").mkdir(parents=True)
    shutil.copy(LAB_FILE, landing_dir / "lab" / "unificado" / LAB_FILE.name)

    with run_lock.hold(str(landing_dir)):
        done = scheduled_run(warehouse, tmp_path, "--landing", str(landing_dir))

    assert done.returncode == 2
    holder = f"a run on host {socket.gethostname()} (pid {os.getpid()}) since "
    assert f"the landing folder {landing_dir.resolve()} is locked by {holder}" in done.stderr
    [line] = [json.loads(line) for line in done.stdout.splitlines()]
    assert line["step"] == "run" and line["exit_code"] == 2 and holder in line["error"]
    assert (landing_dir / "lab" / "unificado" / LAB_FILE.name).is_file(), "nothing was loaded"


def test_a_second_run_on_a_locked_s3_landing_zone_exits_2_naming_the_holder(
    warehouse: WarehouseAddress, bucket: tuple[str, object], moto_env: dict[str, str], tmp_path: Path
) -> None:
    name, client = bucket
    landing = f"s3://{name}/feeds"

    with run_lock.hold(landing):
        lock = json.loads(client.get_object(Bucket=name, Key="feeds/.run.lock")["Body"].read())  # type: ignore[attr-defined]
        done = scheduled_run(warehouse, tmp_path, "--landing", landing, **moto_env)

    assert done.returncode == 2
    holder = f"a run on host {socket.gethostname()} (pid {os.getpid()}) since "
    assert f"the landing zone's lock s3://{name}/feeds/.run.lock is held by {holder}" in done.stderr
    assert lock["pid"] == os.getpid() and lock["expires_at"] > lock["started_at"]
    assert "Contents" not in client.list_objects_v2(Bucket=name), "released: the lock object is gone"  # type: ignore[attr-defined]


def test_an_expired_s3_lock_of_a_crashed_run_is_taken_over(
    warehouse: WarehouseAddress, bucket: tuple[str, object], moto_env: dict[str, str], tmp_path: Path
) -> None:
    name, client = bucket
    landing = f"s3://{name}/feeds"
    client.upload_file(str(LAB_FILE), name, f"feeds/lab/unificado/{LAB_FILE.name}")  # type: ignore[attr-defined]
    run_lock.S3RunLock(landing, timedelta(seconds=0)).acquire()  # a run that crashed: never released

    done = scheduled_run(warehouse, tmp_path, "--landing", landing, **moto_env)

    assert done.returncode == 0, done.stderr[-4000:]
    assert f"warning: took over the expired lock s3://{name}/feeds/.run.lock of a run on host " in done.stderr
    assert steps(done.stdout)["extract"]["counts"]["loaded"] == 1
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=name)["Contents"]]  # type: ignore[attr-defined]
    assert "feeds/.run.lock" not in keys and any(key.startswith("feeds/imported/lab/") for key in keys)


def test_the_s3_lock_is_held_once_and_released_only_by_its_holder(
    bucket: tuple[str, object], moto_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    name, client = bucket
    landing = f"s3://{name}"
    first = run_lock.S3RunLock(landing, timedelta(hours=6))
    first.acquire()

    with pytest.raises(run_lock.LockHeld, match=r"lock s3://.*/\.run\.lock is held by a run on host .* expires "):
        run_lock.S3RunLock(landing, timedelta(hours=6)).acquire()
    client.put_object(Bucket=name, Key=".run.lock", Body=b"{}")  # type: ignore[attr-defined]  # someone else's now
    first.release()

    assert "was taken over by another run before this one ended" in capsys.readouterr().err
    assert client.get_object(Bucket=name, Key=".run.lock")["Body"].read() == b"{}"  # type: ignore[attr-defined]


def test_a_local_lock_is_held_once(landing_dir: Path) -> None:
    second = run_lock.hold(str(landing_dir))
    with run_lock.hold(str(landing_dir)), pytest.raises(run_lock.LockHeld, match=f"pid {os.getpid()}"):
        second.__enter__()
    with run_lock.hold(str(landing_dir)):
        pass


@pytest.mark.parametrize(("text", "seconds"), [("", 6 * 3600), ("90m", 5400), ("3600", 3600), ("1.5h", 5400)])
def test_the_lock_ttl_reads_seconds_minutes_or_hours(monkeypatch: pytest.MonkeyPatch, text: str, seconds: int) -> None:
    monkeypatch.setenv("EXTRACT_RUN_LOCK_TTL", text)
    assert run_lock.ttl_from_environment() == timedelta(seconds=seconds)


def test_an_unknown_target_exits_2_before_anything_runs(landing_dir: Path) -> None:
    env = {**os.environ, "DBT_TARGET": "staging"}
    done = subprocess.run([sys.executable, "-m", "extract", "run", "--landing", str(landing_dir)], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "extract run: the dbt target must be one of dev, prod, got 'staging' (--target, DBT_TARGET)."
    )
    assert not (landing_dir / ".run.lock").exists()
