"""`python -m extract run` on the sample data, and what it builds: what can have changed since its last successful
build (extract.changed_build).

The scenarios share one warehouse and one copy of the dbt project (a seed is edited in it), built once by
a first run; they go in file order, each starting after a successful run and ending with one. The
selection rules themselves, on a small hand-made graph, are at the end (no warehouse)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import fresh_database
from support import PROJECT_ROOT, query, run_extract
from test_scheduled_run import dbt_env

from extract import run_lock
from extract.changed_build import PLAN_FILE, STATE_FOLDER, Graph, LedgerChange, close_over_views, data_nodes
from extract.warehouse import WarehouseAddress

SAMPLE_BTC = PROJECT_ROOT / "sample_data" / "crypto" / "ticker=BTC" / "BTC_EUR_Historical_Data.csv"


@dataclass(frozen=True)
class Run:
    done: subprocess.CompletedProcess[str]
    steps: dict[str, dict]  # the JSON line of each step, by step name
    plan: dict  # build_plan.json: what the build selected and why
    ran: dict[str, str]  # unique_id -> status of every node the build ran (run_results.json, hooks left out)
    manifest: dict

    @property
    def note(self) -> str:
        return self.steps["dbt build"]["note"]

    def paths(self, resource_type: str = "model") -> set[str]:
        """The files of the nodes of this type that ran, e.g. models/marts/operations/feed_health.sql."""
        nodes = {**self.manifest["nodes"], **self.manifest["unit_tests"]}
        return {nodes[uid]["original_file_path"] for uid in self.ran if nodes[uid]["resource_type"] == resource_type}

    def ran_under(self, *folders: str) -> set[str]:
        return {path for path in self.paths() | self.paths("snapshot") if path.startswith(folders)}


@dataclass(frozen=True)
class Pipeline:
    address: WarehouseAddress
    project: Path  # a copy of the dbt project
    landing: Path
    workdir: Path  # dbt's profile, target and logs
    first: Run

    def run(self) -> Run:
        env = dbt_env(self.workdir)
        return _read_run(run_extract(self.address, "run", "--landing", str(self.landing), cwd=self.project, **env),
                         self.workdir / "target")  # fmt: skip

    @property
    def state(self) -> Path:
        return self.workdir / "target" / STATE_FOLDER


def _read_run(done: subprocess.CompletedProcess[str], target: Path) -> Run:
    steps = {line["step"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert "dbt build" in steps, done.stderr[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results if not r["unique_id"].startswith("operation.")}
    plan = json.loads((target / PLAN_FILE).read_text())
    return Run(done, steps, plan, ran, json.loads((target / "manifest.json").read_text()))


def _copy_project(target: Path) -> Path:
    target.mkdir()
    for name in ("dbt_project.yml", "profiles.yml.example"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    for folder in ("models", "macros", "tracks", "seeds", "snapshots", "tests/dbt"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    return target


@pytest.fixture(scope="module")
def pipeline(server: WarehouseAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The bundled sample data with its misfiled export (held), extracted and built by a first scheduled run."""
    workdir = tmp_path_factory.mktemp("changed-build")
    project, landing = _copy_project(workdir / "project"), workdir / "landing"
    with fresh_database(server) as address:
        landed = run_extract(address, "sample-data", "--landing", str(landing), "--broken-feed")
        assert landed.returncode == 0, landed.stderr
        done = run_extract(address, "run", "--landing", str(landing), cwd=project, **dbt_env(workdir))
        first = _read_run(done, workdir / "target")
        assert first.steps["dbt build"]["exit_code"] == 0, done.stderr[-4000:]  # the rest: the first test
        yield Pipeline(address, project, landing, workdir, first)


def test_a_first_run_on_sample_data_builds_everything_and_prints_one_json_line_per_step(pipeline: Pipeline) -> None:
    first = pipeline.first
    lines, done = first.steps, first.done

    # everything loads but the misfiled export (held: extract exit 1) and builds; the sample's vehicle feeds
    # carry their feed times of 20-21 Nov 2026, so freshness says the vehicles are stale (error); the market
    # data and lab files were just copied: fresh
    assert done.returncode == 1
    assert list(lines) == ["extract", "dbt build", "dbt source freshness", "run"]  # JSON: stdout is not a terminal
    assert lines["extract"]["counts"] | {"loaded": 13, "held": 1} == lines["extract"]["counts"]
    assert lines["extract"]["status"] == "partial"
    assert lines["dbt build"]["counts"]["success"] > 0 and lines["dbt build"]["status"] == "ok"
    assert lines["dbt source freshness"] == lines["dbt source freshness"] | {
        "status": "failed",
        "exit_code": 1,
        "counts": {"pass": 2, "error": 1},
    }
    assert "ERROR STALE freshness of extract.load_ledger_vehicles" in done.stderr
    assert lines["run"] == lines["run"] | {"status": "failed", "exit_code": 1, "target": "dev"}
    assert all(isinstance(line["seconds"], float) for line in lines.values())
    assert query(pipeline.address, "select count(*) from marts.vehicle")[0][0] > 0
    assert "Done. PASS=" in done.stderr and "total " in done.stderr, "dbt's log and the extract summary"
    with run_lock.hold(str(pipeline.landing)):
        pass  # released at the end
    # no record of an earlier build: everything, as plain `dbt build`, unit tests included; then recorded
    assert first.note == "no record of a successful build yet: built everything"
    assert first.plan["everything"] and first.plan["dbt"] == ["dbt", "build", "--target", "<target>"]
    assert any(uid.startswith("unit_test.") for uid in first.ran)
    assert sorted(p.name for p in pipeline.state.iterdir()) == ["build_state.json", "manifest.json"]


def test_a_run_with_nothing_new_builds_feed_health_only_and_says_so(pipeline: Pipeline) -> None:
    again = pipeline.run()

    assert again.note.startswith("nothing new since the build of ")
    assert ": built feed health only (feed_health, feed_health_daily and their tests, " in again.note
    assert again.steps["extract"]["counts"] == {"files": 0}
    # the models that read the clock (feed health) and the views they are built on, nothing else
    assert {"models/marts/operations/feed_health.sql", "models/marts/operations/feed_health_daily.sql"} <= again.paths()
    assert all("/operations/" in path for path in again.paths()), again.paths()
    assert not again.paths("unit_test") and again.paths("test"), "its data tests run, no unit test"
    assert set(again.ran.values()) <= {"success", "pass"}
    # and it still checks something: the ledger's freshness per domain (the sample's vehicles are stale)
    assert again.steps["dbt source freshness"]["counts"] == {"pass": 2, "error": 1}
    assert again.done.returncode == 1


def test_a_new_crypto_file_builds_market_data_not_the_lab_nor_the_vehicles(pipeline: Pipeline) -> None:
    folder = pipeline.landing / "crypto" / "ticker=BTC"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE_BTC, folder / "BTC_EUR_Historical_Data (2).csv")  # a newer export of the same ticker

    run = pipeline.run()

    assert run.steps["extract"]["counts"]["loaded"] == 1
    assert "crypto: 1 new file" in run.note and run.note.startswith("since the build of ")
    assert "models/marts/market_data/crypto_daily.sql" in run.paths()
    assert "models/marts/operations/load_audit.sql" in run.paths(), "the ledger's own mart"
    assert not run.ran_under("models/marts/lab", "models/intermediate/lab", "models/marts/vehicles", "snapshots")
    assert not run.ran_under("models/intermediate/vehicles")
    assert set(run.ran.values()) <= {"success", "pass"}


def test_releasing_a_held_feed_rebuilds_the_vehicles(pipeline: Pipeline) -> None:
    [(load_id,)] = query(pipeline.address, "select load_id from raw.load_ledger where status = 'held'")
    removed_before = query(pipeline.address, "select count(removed_at) from marts.vehicle")[0][0]
    released = run_extract(pipeline.address, "release", str(load_id), cwd=pipeline.project)
    assert released.returncode == 0, released.stdout + released.stderr

    run = pipeline.run()

    assert run.steps["extract"]["counts"] == {"files": 0}, "no new file: the ledger's status changed"
    assert "vehicles: a held feed released" in run.note
    assert run.ran_under("models/marts/vehicles") and run.ran_under("snapshots")
    assert not run.ran_under("models/marts/lab", "models/marts/market_data")
    assert set(run.ran.values()) <= {"success", "pass"}
    # the misfiled export is empty: applied, it removes corporate 101's DMS_A stock from the catalogue
    assert query(pipeline.address, "select count(removed_at) from marts.vehicle")[0][0] > removed_before


def test_a_seed_change_builds_its_dependants_and_a_failed_build_is_retried_by_the_next_run(pipeline: Pipeline) -> None:
    seed = pipeline.project / "seeds" / "feed_cadences.csv"
    original = seed.read_text()
    seed.write_text(original + "dms,*,12,18,48\n")  # a second default row for DMS feeds: its unique test fails

    failed = pipeline.run()

    seed_id = "seed.dealer_warehouse.feed_cadences"
    assert failed.steps["dbt build"]["exit_code"] == 1 and failed.done.returncode == 1
    assert "changed in the project: feed_cadences" in failed.note
    graph = Graph(failed.manifest)
    dependants = {uid for uid in graph.descendants([seed_id]) if graph.buildable(uid)} - {seed_id}
    assert dependants and dependants <= set(failed.plan["nodes"]), "the seed and everything downstream of it"
    assert failed.ran[seed_id] == "success" and "fail" in failed.ran.values()
    assert (pipeline.state / "pending.json").is_file()
    assert query(pipeline.address, "select count(*) from seeds.feed_cadences")[0][0] == 4, "the bad row landed"

    seed.write_text(original)  # as the last successful build had it: only the pending record says to reload it
    retried = pipeline.run()

    assert retried.steps["dbt build"]["exit_code"] == 0, retried.done.stderr[-4000:]
    assert "retrying the failed build since " in retried.note
    assert retried.ran[seed_id] == "success" and set(retried.ran.values()) <= {"success", "pass"}
    assert {"models/marts/operations/feed_health.sql"} <= retried.paths()
    assert query(pipeline.address, "select count(*) from seeds.feed_cadences")[0][0] == 3
    assert not (pipeline.state / "pending.json").exists()


# ---------------------------------------------------------------- the rules, on a hand-made graph


def _graph(nodes: dict[str, tuple[str, list[str]]], sources: dict[str, str], clock: set[str]) -> Graph:
    """nodes: unique_id -> (materialization, parents); sources: unique_id -> raw table; clock: the nodes that
    call feed_health_as_of()."""
    manifest_nodes = {
        uid: {
            "name": uid.split(".")[-1], "resource_type": uid.split(".")[0], "fqn": ["p", uid.split(".")[-1]],
            "config": {"materialized": kind},
            "depends_on": {"nodes": parents, "macros": ["macro.p.feed_health_as_of"] if uid in clock else []},
        }
        for uid, (kind, parents) in nodes.items()
    }  # fmt: skip
    parents = {uid: parents for uid, (_, parents) in nodes.items()}
    children: dict[str, list[str]] = {uid: [] for uid in [*nodes, *sources]}
    for uid, ups in parents.items():
        for up in ups:
            children[up].append(uid)
    return Graph({
        "metadata": {"project_name": "p"}, "nodes": manifest_nodes, "parent_map": parents, "child_map": children,
        "macros": {"macro.p.feed_health_as_of": {"macro_sql": "", "depends_on": {"macros": []}}},
        "sources": {uid: {"identifier": table} for uid, table in sources.items()},
    })  # fmt: skip


SOURCES = {"source.p.ledger": "load_ledger", "source.p.crypto": "crypto_rows", "source.p.lab": "unificado_rows"}
GRAPH = _graph(
    {
        "model.stg_loads": ("view", ["source.p.ledger"]),
        "model.load_audit": ("table", ["model.stg_loads"]),
        "model.stg_prices": ("view", ["source.p.crypto", "source.p.ledger"]),
        "model.crypto_daily": ("table", ["model.stg_prices"]),
        "model.prices_view": ("view", ["model.crypto_daily"]),
        "model.lab_results": ("incremental", ["source.p.lab", "source.p.ledger"]),
        "model.stg_files": ("view", ["source.p.crypto"]),
        "model.feed_files": ("view", ["model.stg_loads", "model.stg_files"]),  # every domain's files
        "model.feed_health": ("table", ["model.feed_files"]),
        "test.unique_prices": ("test", ["model.stg_prices"]),
        "test.unique_loads": ("test", ["model.stg_loads"]),
        "test.unique_files": ("test", ["model.stg_files"]),
        "test.unique_feed_files": ("test", ["model.feed_files"]),
        "test.lab_results_match_the_ledger": ("test", ["source.p.ledger", "model.lab_results"]),
    },
    SOURCES,
    clock={"model.feed_health"},
)
EVERY_FILE = {"model.load_audit", "test.unique_loads", "model.feed_health", "test.unique_feed_files"}


def _ledger(**loaded: int) -> dict[str, dict[str, str]]:
    """A snapshot's ledger: per domain, `n` loaded files ("files:sum of load ids:newest finish")."""
    return {domain: {"loaded": f"{n}:{n}:t"} for domain, n in loaded.items()}


def test_new_crypto_files_select_what_holds_crypto_data_and_what_reads_every_domains_files() -> None:
    change = LedgerChange(_ledger(crypto=1, lab=1), _ledger(crypto=2, lab=1))

    assert change.domains == {"crypto"} and change.sentences() == ["crypto: 1 new file"]
    # no view is rebuilt for new rows; the lab's model and its test, which reads the ledger too, are not touched
    crypto = {"model.crypto_daily", "test.unique_prices", "test.unique_files"}
    assert data_nodes(GRAPH, change) == crypto | EVERY_FILE


def test_skipped_files_select_only_what_reads_every_domains_files() -> None:
    before = _ledger(crypto=1)
    after = {"crypto": {**before["crypto"], "skipped": "3:12:t"}}
    change = LedgerChange(before, after)

    assert change.domains == set() and change.sentences() == ["crypto: 3 files skipped or rejected"]
    assert data_nodes(GRAPH, change) == EVERY_FILE
    assert data_nodes(GRAPH, LedgerChange(before, before)) == set()


def test_rebuilding_a_view_or_a_table_rebuilds_the_views_on_it() -> None:
    # dbt swaps the new relation in and drops the old one with cascade: the views on it go too
    assert close_over_views(GRAPH, {"model.crypto_daily"}) == {"model.crypto_daily", "model.prices_view"}
    assert close_over_views(GRAPH, {"model.stg_prices"}) == {"model.stg_prices"}, "a table on a view stays"
    assert close_over_views(GRAPH, {"model.lab_results"}) == {"model.lab_results"}, "incremental: rows change"
