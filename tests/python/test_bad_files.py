"""Bad CSV inputs and bad landing keys (tests/python/bad_files.py): one extract run over every case and two good
files. A rejected case leaves its ledger row with a reason naming the file and the position, no raw row, and the
file (the link itself, for a symlink) in rejected/ with its reason beside it; a legitimate strange name loads
under its verbatim key; the good files load and the run exits 1, its summary naming every rejected file."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from bad_files import ETC_PASSWD, LOCAL_CASES, REJECTED, S3_CASES, BadFile, lab_text, price_text
from conftest import fresh_database
from support import AWS_CREDENTIALS, query, run_extract

from extract.warehouse import WarehouseAddress

GOOD_LAB = "lab/unificado/good.csv"
GOOD_PRICES = "crypto/ticker=GOOD/prices.csv"
RAW_TABLES = ("raw.unificado_rows", "raw.crypto_rows")


@dataclass(frozen=True)
class BadRun:
    address: WarehouseAddress
    landing: Path
    outside: Path
    done: subprocess.CompletedProcess[str]
    outside_before: dict[Path, bytes]  # every file outside the landing zone a case points at, as it was


@pytest.fixture(scope="module")
def bad_run(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BadRun]:
    root = tmp_path_factory.mktemp("bad-files")
    landing, outside = root / "landing", root / "outside"
    outside.mkdir()
    for case in LOCAL_CASES:
        case.write(landing / case.key, outside)
    (landing / GOOD_LAB).write_text(lab_text(), encoding="utf-8")
    (landing / GOOD_PRICES).parent.mkdir(parents=True)
    (landing / GOOD_PRICES).write_text(price_text(), encoding="utf-8")
    before = {path: path.read_bytes() for path in [ETC_PASSWD, *outside.rglob("*")] if path.is_file()}
    with fresh_database(server) as address:
        done = run_extract(address, "--landing", str(landing))
        yield BadRun(address, landing, outside, done, before)


def ledger_rows(run: BadRun, key: str) -> list[tuple[str, str | None, int]]:
    return query(run.address, "select status, error, rows_loaded from raw.load_ledger where landing_key = %s", (key,))  # type: ignore[return-value]


def raw_rows(address: WarehouseAddress, key: str) -> int:
    return sum(query(address, f"select count(*) from {t} where landing_key = %s", (key,))[0][0] for t in RAW_TABLES)


def set_aside(address: WarehouseAddress, key: str) -> list[str]:
    return [r for (r,) in query(address, "select reason from raw.rejected_records where landing_key = %s", (key,))]


def archived(landing: Path, area: str, key: str) -> Path:
    """The one archive of `key` under `area`/<folders>/YYYY/MM/DD/HH/ (the entry itself: a link is not followed)."""
    path = PurePosixPath(key)
    folder = landing / area / path.parent
    found = [p for p in folder.glob("*/*/*/*/*") if p.name == path.name]
    assert len(found) == 1, (key, found)
    return found[0]


@pytest.mark.parametrize("case", LOCAL_CASES, ids=[f"{case.id}-{case.outcome}" for case in LOCAL_CASES])
def test_each_case_ends_as_decided(bad_run: BadRun, case: BadFile) -> None:
    [(status, error, rows)] = ledger_rows(bad_run, case.key)  # one row, under the verbatim key

    assert status == case.outcome, error
    assert not os.path.lexists(bad_run.landing / case.key)  # moved aside, whatever it was
    if case.outcome == REJECTED:
        assert error is not None and re.search(case.reason or "", error), error
        assert rows == 0 and raw_rows(bad_run.address, case.key) == 0  # nothing half-loaded
        assert set_aside(bad_run.address, case.key) == []
        entry = archived(bad_run.landing, "rejected", case.key)
        assert entry.with_name(entry.name + ".reason.txt").read_text(encoding="utf-8") == error + "\n"
        assert error in bad_run.done.stdout  # the run's summary says why
    else:
        assert error is None and rows == case.rows == raw_rows(bad_run.address, case.key)
        reasons = set_aside(bad_run.address, case.key)  # a line set aside names the file and its line
        assert any(re.search(case.reason, r) for r in reasons) if case.reason else reasons == [], reasons
        assert archived(bad_run.landing, "imported", case.key).is_file()


@pytest.mark.parametrize(
    "case", [c for c in LOCAL_CASES if c.id.startswith(("symlink", "named_pipe"))], ids=lambda c: c.id
)
def test_what_is_not_a_regular_file_moves_aside_itself_never_read(bad_run: BadRun, case: BadFile) -> None:
    entry = archived(bad_run.landing, "rejected", case.key)
    if case.id == "named_pipe":
        assert stat.S_ISFIFO(os.lstat(entry).st_mode)
        return
    assert entry.is_symlink()  # the link moved, not its target
    target = Path(os.readlink(entry))
    assert target == ETC_PASSWD or target.parent == bad_run.outside
    for path, content in bad_run.outside_before.items():  # every target is where it was, as it was
        assert path.read_bytes() == content
    if case.id == "symlinked_folder":  # not followed: the good file in it was never a landing file
        assert query(
            bad_run.address, "select count(*) from raw.load_ledger where landing_key like %s", (case.key + "/%",)
        ) == [(0,)]
        assert (target / "inside.csv").is_file()


def test_mixed_line_ends_count_each_line_end_once(bad_run: BadRun) -> None:
    lines = query(
        bad_run.address,
        "select line_number, muestra from raw.unificado_rows where landing_key = %s order by 1",
        ("lab/unificado/mixed_line_ends.csv",),
    )
    assert lines == [(2, "M1"), (3, "M2"), (4, "M3")]  # \r\n, \n, \r: one line each


def test_good_files_load_and_the_run_exits_1_naming_each_rejected_file(bad_run: BadRun) -> None:
    done = bad_run.done

    assert done.returncode == 1, done.stdout + done.stderr
    assert ledger_rows(bad_run, GOOD_LAB) == [("loaded", None, 2)]
    assert ledger_rows(bad_run, GOOD_PRICES) == [("loaded", None, 3)]
    not_loaded = done.stdout.split("\nNot loaded:\n", 1)[1].split("\n\n", 1)[0]  # the summary's list
    for case in LOCAL_CASES:
        assert (case.key in not_loaded) == (case.outcome == REJECTED), case.id
    keys = [k for (k,) in query(bad_run.address, "select landing_key from raw.load_ledger")]
    assert sorted(keys) == sorted([case.key for case in LOCAL_CASES] + [GOOD_LAB, GOOD_PRICES])  # one row each
    pending = [
        p for p in bad_run.landing.rglob("*") if p.parts[len(bad_run.landing.parts)] not in ("imported", "rejected")
    ]
    assert all(p.is_dir() and not p.is_symlink() for p in pending)  # every file was loaded or moved aside


def s3_keys(client: object, bucket: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listing.get("Contents", []))


def s3_archive(keys: list[str], area: str, key: str) -> str:
    """The one archive of `key` under feeds/`area`/<folders, '..' escaped>/YYYY/MM/DD/HH/."""
    path = PurePosixPath(key)
    folders = "/".join("%2E%2E" if part == ".." else part for part in path.parent.parts)
    shape = re.escape(f"feeds/{area}/{folders}/") + r"\d{4}/\d\d/\d\d/\d\d/" + re.escape(path.name)
    found = [k for k in keys if re.fullmatch(shape, k)]
    assert len(found) == 1, (key, keys)
    return found[0]


def test_s3_strange_names_load_verbatim_and_dotdot_keys_are_rejected_unresolved(
    warehouse: WarehouseAddress, bucket: tuple[str, object], aws_endpoint: str, tmp_path: Path
) -> None:
    name, client = bucket
    for case in S3_CASES:
        case.write(tmp_path / case.id, tmp_path)
        body = (tmp_path / case.id).read_bytes()
        client.put_object(Bucket=name, Key=f"feeds/{case.key}", Body=body)  # type: ignore[attr-defined]
    client.put_object(Bucket=name, Key="feeds/lab/unificado/", Body=b"")  # type: ignore[attr-defined]

    done = run_extract(warehouse, "--landing", f"s3://{name}/feeds", AWS_ENDPOINT_URL=aws_endpoint, **AWS_CREDENTIALS)

    assert done.returncode == 1, done.stdout + done.stderr
    keys = s3_keys(client, name)
    for case in S3_CASES:
        [(status, error, rows)] = query(
            warehouse, "select status, error, rows_loaded from raw.load_ledger where landing_key = %s", (case.key,)
        )
        assert status == case.outcome, error
        assert f"feeds/{case.key}" not in keys
        if case.outcome == REJECTED:
            assert re.search(case.reason or "", error), error
            assert rows == 0 and raw_rows(warehouse, case.key) == 0
            reason_key = s3_archive(keys, "rejected", case.key) + ".reason.txt"
            reason = client.get_object(Bucket=name, Key=reason_key)["Body"].read()  # type: ignore[attr-defined]
            assert reason.decode() == error + "\n"
        else:
            assert error is None and rows == case.rows == raw_rows(warehouse, case.key)
            s3_archive(keys, "imported", case.key)
    assert not [k for k in keys if ".." in k.split("/")]  # no archive key resolves anywhere
    assert "feeds/lab/unificado/" in keys  # a folder marker is no file: left alone, no ledger row
    assert query(warehouse, "select count(*) from raw.load_ledger") == [(len(S3_CASES),)]
