"""Bad vehicle feeds (tests/python/bad_vehicle_feeds.py) in ONE extract run with two good feeds: each case ends
with its reason (file and position), nothing half-loaded, the file moved aside when refused, and exit code 1."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bad_vehicle_feeds import CASES, GOOD_FEEDS, HELD, RECORD_REJECTED, REJECTED, RUN_ENV, SLIP_NAMES, BadFeed
from conftest import fresh_database
from support import query, run_extract

from extract.domain import REJECTED_CONTENT_CHARS
from extract.redshift_sql import check_statement
from extract.vehicle_repeats import CONFLICTING_REPEATS, DELETE_RECORDS, RECOUNT_FEED
from extract.warehouse import WarehouseAddress

SLIP_TARGETS = (Path("/etc/x.xml"), Path("/x.xml"))  # where a naive extractor would have written the slip members


@dataclass(frozen=True)
class BadRun:
    address: WarehouseAddress
    landing: Path
    done: subprocess.CompletedProcess[str]
    slip_targets_before: tuple[bool, ...]

    def ledger(self, key: str) -> tuple[str, int, int, str | None]:
        sql = "select status, rows_loaded, rows_rejected, error from raw.load_ledger where landing_key = %s"
        [row] = query(self.address, sql, (key,))
        return row

    def stock_ids(self, key: str) -> list[str]:
        sql = "select stock_id from raw.vehicle_records where landing_key = %s order by record_index"
        return [stock_id for (stock_id,) in query(self.address, sql, (key,))]

    def rejected_records(self, key: str) -> list[tuple[int, str, str | None]]:
        return query(
            self.address,
            "select record_index, reason, content from raw.rejected_records where landing_key = %s order by 1",
            (key,),
        )

    def archived(self, area: str, key: str, suffix: str = "") -> list[Path]:
        folder, name = key.rsplit("/", 1)
        return sorted((self.landing / area / folder).rglob(name + suffix))


@pytest.fixture(scope="module")
def bad_run(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BadRun]:
    landing = tmp_path_factory.mktemp("bad-vehicle-feeds") / "landing"
    for case in CASES:
        case.write(landing / case.key)
    for key, write, _ in GOOD_FEEDS:
        write(landing / key)
    before = tuple(target.exists() for target in SLIP_TARGETS)
    with fresh_database(server) as address:
        done = run_extract(address, "--landing", str(landing), "--domain", "vehicles", **RUN_ENV)
        yield BadRun(address, landing, done, before)


@pytest.mark.parametrize("case", CASES, ids=[f"{case.id}-{case.outcome.replace(' ', '_')}" for case in CASES])
def test_bad_feed_ends_with_its_reason_and_nothing_half_loaded(bad_run: BadRun, case: BadFeed) -> None:
    status, rows_loaded, rows_rejected, error = bad_run.ledger(case.key)
    if case.outcome == REJECTED:
        assert status == "rejected", error
        assert re.search(case.reason, error or ""), error
        assert (rows_loaded, bad_run.stock_ids(case.key), bad_run.rejected_records(case.key)) == (0, [], [])
        assert query(bad_run.address, "select count(*) from raw.vehicle_feeds where landing_key = %s", (case.key,)) == [
            (0,)
        ]
        [reason_file] = bad_run.archived("rejected", case.key, ".reason.txt")
        assert reason_file.read_text().strip() == error
        assert len(bad_run.archived("rejected", case.key)) == 1 and not bad_run.archived("imported", case.key)
        assert error in bad_run.done.stdout  # the summary's "Not loaded" list
    elif case.outcome == RECORD_REJECTED:
        assert status == "loaded", error
        assert bad_run.stock_ids(case.key) == list(case.loaded_stock_ids)
        rejected = bad_run.rejected_records(case.key)
        assert [index for index, _, _ in rejected] == list(case.rejected_indexes)
        for _, reason, content in rejected:
            assert re.search(case.reason, reason), reason
            assert content and len(content) <= REJECTED_CONTENT_CHARS  # a prefix, never a whole huge record
        assert (rows_loaded, rows_rejected) == (len(case.loaded_stock_ids), len(case.rejected_indexes))
        assert query(
            bad_run.address, "select record_count, rejected_count from raw.vehicle_feeds where landing_key = %s",
            (case.key,),
        ) == [(rows_loaded, rows_rejected)]  # fmt: skip
        assert len(bad_run.archived("imported", case.key)) == 1 and not bad_run.archived("rejected", case.key)
        assert re.search(rf"{re.escape(case.key)} \(load \d+\): {rows_rejected} record\(s\)", bad_run.done.stdout)
    else:
        assert case.outcome == HELD
        assert status == "held", error
        lines = bad_run.done.stdout.splitlines()
        held_line = next((line for line in lines if case.key in line and "held:" in line), "")
        assert re.search(case.reason, held_line), bad_run.done.stdout
        assert len(bad_run.archived("imported", case.key)) == 1 and not bad_run.archived("rejected", case.key)


def test_good_feeds_of_the_same_run_load_whole_and_the_run_exits_1(bad_run: BadRun) -> None:
    assert bad_run.done.returncode == 1, bad_run.done.stdout + bad_run.done.stderr
    for key, _, stock_ids in GOOD_FEEDS:
        assert bad_run.ledger(key) == ("loaded", len(stock_ids), 0, None)
        assert bad_run.stock_ids(key) == list(stock_ids)
    assert query(bad_run.address, "select count(*) from raw.load_ledger") == [(len(CASES) + len(GOOD_FEEDS),)]
    assert not [path for path in (bad_run.landing / "vehicles").rglob("*") if path.is_file()]  # nothing left pending
    for case in CASES:  # the summary (stdout) and the progress lines (stderr) name each file that failed
        assert case.key in bad_run.done.stdout, case.key
        assert case.key in bad_run.done.stderr, case.key


def test_zip_member_names_are_never_used_as_paths(bad_run: BadRun) -> None:
    assert tuple(target.exists() for target in SLIP_TARGETS) == bad_run.slip_targets_before
    written = [path for path in bad_run.landing.parent.rglob("x.xml")]
    assert written == []
    for case in CASES:
        if case.id.startswith("zip_slip"):  # refused whole, and kept intact in rejected/ for a person to look at
            [archive] = bad_run.archived("rejected", case.key)
            assert any(name in archive.read_bytes() for name in (n.encode() for n in SLIP_NAMES))


def test_no_entity_was_expanded_or_fetched(bad_run: BadRun) -> None:
    expanded = "select count(*) from raw.{} where strpos({}, 'root:') > 0 or strpos({}, 'lollol') > 0"
    assert query(bad_run.address, expanded.format("vehicle_records", "record::text", "record::text")) == [(0,)]
    assert query(bad_run.address, expanded.format("rejected_records", "content", "content")) == [(0,)]


def test_the_repeats_statements_are_redshift_sql() -> None:
    """They run in the file's transaction on both targets (the Redshift writer's loads run the same domain code)."""
    assert check_statement(CONFLICTING_REPEATS % {"load_id": 7}) == []
    assert check_statement(DELETE_RECORDS % (7, "(5, 9)")) == []
    assert check_statement(RECOUNT_FEED % (2, 2, 7)) == []
