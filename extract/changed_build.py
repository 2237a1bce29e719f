"""`dbt build` of what can have changed since the last successful build: the build `python -m extract run` does.

dbt runs in this process (dbt.cli.main.dbtRunner): the project is parsed once, and that manifest serves
every dbt command of the run (parse, the state queries, build, source freshness).

What can have changed since the last successful build, and what it selects:
- data: per domain and ledger status, the files, the sum of their load ids and the newest finish. A
  new file, a late file with an older feed time, a released or superseded held feed all move the figures
  of the statuses whose rows landed in raw (loaded, held, superseded, released): that domain selects the
  tables, incremental models, snapshots and data tests downstream of its raw tables (dbt sources), not
  its views (a view reads its rows when queried) nor its unit tests (fixtures). A model that reads a
  domain's raw tables is taken to read the ledger for that domain's files only; what reads the ledger
  alone (the load audit) and what feed health is made of (every domain's files) go with any change of
  the ledger, skipped and rejected files included;
- the clock: the models that call feed_health_as_of() compile the build's start into their SQL (a feed
  stream goes stale with time), so they and everything downstream of them build every time;
- the project: dbt's own `state:modified+` against the manifest of the last successful build (models,
  seeds, snapshots, tests, the macros they call, configs). What it cannot trace builds everything: a
  changed dbt_project.yml (vars) or packages file, another dbt version, target or warehouse, a changed
  macro no node is known to call (a track file: the DMS models find theirs by name at compile time);
- the warehouse: a relation of the project that is missing (a reset warehouse, a view a failed build's
  cascade dropped) builds with everything downstream of it;
- a failed or interrupted build: its selection is recorded before it starts (pending.json) and removed
  only by a successful build, so the next build takes it again.
Every selection also takes the views built on a selected view or table (dbt's swap drops them, cascade).
No record of a successful build (the first run, or `dbt clean`) builds everything.

The record lives in <target path>/last_successful_build/ (manifest.json, build_state.json), written only
after a successful build, and pending.json. What a build selected and why: <target path>/build_plan.json.

`python -m extract.changed_build [--target T] [--all]` runs this build alone (the benchmark does).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extract.domains import crypto, lab, vehicles
from extract.ledger import LANDED_STATUSES, RELEASED, SUPERSEDED

STATE_FOLDER = "last_successful_build"
PLAN_FILE = "build_plan.json"
# the raw tables (dbt sources) of each domain of the ledger; a raw table of no domain is shared (the ledger)
DOMAIN_TABLES = {
    vehicles.NAME: (vehicles.RECORDS, vehicles.FEEDS),
    crypto.NAME: (crypto.TABLE,),
    lab.NAME: (lab.TABLE,),
}
CLOCK_MACRO = "feed_health_as_of"  # macros/operations/feed_health.sql: the build's start, compiled into the SQL
# files whose changes dbt's state comparison does not see (project vars, packages): any change builds everything
PROJECT_FILES = ("dbt_project.yml", "packages.yml", "dependencies.yml", "package-lock.yml", "selectors.yml")
BUILDABLE = ("model", "seed", "snapshot", "test", "unit_test")
NO_DATA = ("view", "ephemeral")  # materializations that hold no rows of their own
# the state query and the listing print nothing and write no artifact (`dbt show` would write manifest.json again:
# 0.2 s of every build, measured on the benchmark's build with nothing new)
_QUIET = ("--log-level", "none", "--no-write-json")
REPLACED = ("view", "table")  # materializations a build replaces whole (the views on them go with the old one)

_STATE_QUERY = """
select 'ledger' as kind, domain as name,
    status || '=' || cast(count(*) as varchar) || ':' || cast(sum(load_id) as varchar) || ':'
        || coalesce(cast(max(finished_at) as varchar), '') as value
from {{ source('extract', 'load_ledger') }}
group by domain, status
union all
select 'relation', lower(table_schema) || '.' || lower(table_name), ''
from information_schema.tables
where lower(table_schema) in (__SCHEMAS__)
union all
select 'warehouse',
    '{{ target.name }}: {{ target.type }}://{{ target.host }}:{{ target.port }}/{{ target.database }}', ''
"""


class DbtFailed(Exception):
    """dbt could not do what was asked (parse the project, read the warehouse): the message says what."""


@dataclass(frozen=True)
class DbtResult:
    exit_code: int  # as the dbt command line's: 0 ok, 1 a node failed or a check failed, 2 dbt could not run
    result: Any
    error: str = ""


class Dbt:
    """dbt in this process, on the project at `root`: parsed once, then every command reuses the manifest.

    dbt's console log goes to stderr (stdout is the caller's). A SIGTERM or Ctrl-C during a command
    reaches dbt, which cancels its queries, and is raised again here. dbt is imported by the first command
    (about 1.5 s: part of the build step's time)."""

    def __init__(self, root: Path, target: str) -> None:
        self.root, self.target = root, target
        self.manifest: Any = None  # dbt's Manifest, once parsed
        self.manifest_text: bytes | None = None

    @property
    def target_path(self) -> Path:
        path = Path(os.environ.get("DBT_TARGET_PATH") or "target")
        return path if path.is_absolute() else self.root / path

    def invoke(self, *args: str) -> DbtResult:
        from dbt.cli.main import dbtRunner

        with contextlib.chdir(self.root), contextlib.redirect_stdout(sys.stderr):
            outcome = dbtRunner(manifest=self.manifest).invoke([*args, "--target", self.target])
        if isinstance(outcome.exception, (KeyboardInterrupt, SystemExit)):
            raise outcome.exception
        if outcome.success:
            return DbtResult(0, outcome.result)
        if outcome.exception is None:
            return DbtResult(1, outcome.result, _first_error(outcome.result))
        return DbtResult(2, outcome.result, str(outcome.exception))

    def parse(self) -> dict[str, Any]:
        """Parse the project (partial parsing as usual) and keep its manifest for the commands that follow."""
        parsed = self.invoke("parse")
        if parsed.exit_code != 0:
            raise DbtFailed(f"dbt could not parse the project: {parsed.error or 'see its log above'}")
        self.manifest = parsed.result
        self.manifest_text = (self.target_path / "manifest.json").read_bytes()
        return json.loads(self.manifest_text)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        shown = self.invoke("show", "--inline", sql, "--limit", "-1", *_QUIET)
        if shown.exit_code != 0:
            raise DbtFailed(shown.error or "dbt show failed")
        table = shown.result.results[0].agate_table
        return [tuple(row) for row in table.rows]

    def list_ids(self, *args: str) -> list[str]:
        listed = self.invoke("ls", *args, "--output", "json", "--output-keys", "unique_id", *_QUIET)
        if listed.exit_code != 0:
            raise DbtFailed(listed.error or "dbt ls failed")
        return [json.loads(line)["unique_id"] for line in listed.result or ()]


def _first_error(result: Any) -> str:
    for node in getattr(result, "results", None) or ():
        if str(getattr(node, "status", "")) in ("error", "fail", "runtime error") and getattr(node, "message", None):
            return str(node.message)
    return ""


# ---------------------------------------------------------------- the record of the last successful build


@dataclass(frozen=True)
class Snapshot:
    """What a build is made from, taken before it starts; recorded when it succeeded."""

    warehouse: str  # target name, adapter, host, port, database (no credentials)
    dbt_version: str
    project_files: dict[str, str]  # file -> sha256
    ledger: dict[str, dict[str, str]]  # domain -> status -> "files:sum of load ids:newest finish"
    relations: frozenset[str] = frozenset()  # schema.name of the relations that exist now (not recorded)
    taken_at: str = ""

    def record(self) -> dict[str, Any]:
        return {
            "built_at": self.taken_at,
            "warehouse": self.warehouse,
            "dbt_version": self.dbt_version,
            "project_files": self.project_files,
            "ledger": self.ledger,
        }


@dataclass(frozen=True)
class Previous:
    """The last successful build (its record and manifest) and the build that failed since, if any."""

    record: dict[str, Any] | None
    manifest: dict[str, Any] | None
    pending: dict[str, Any] | None


def state_dir(target_path: Path) -> Path:
    return target_path / STATE_FOLDER


def read_previous(folder: Path) -> Previous:
    def load(name: str) -> dict[str, Any] | None:
        try:
            value = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    return Previous(load("build_state.json"), load("manifest.json"), load("pending.json"))


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def record_pending(folder: Path, previous: Previous, plan: Plan) -> None:
    """Before the build: what it selects joins what failed before, until a build succeeds."""
    earlier = previous.pending or {}
    pending = {
        "since": earlier.get("since") or _now(),
        "everything": bool(earlier.get("everything")) or plan.everything,
        "nodes": sorted(set(earlier.get("nodes") or ()) | set(plan.nodes)),
    }
    _write_json(folder / "pending.json", pending)


def record_success(folder: Path, plan: Plan, manifest_text: bytes) -> None:
    """After a successful build: its manifest and snapshot become the state; nothing is pending. A build
    whose snapshot could not be taken is not recorded (the next one builds everything again)."""
    if plan.snapshot is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / "manifest.json.tmp"
    temporary.write_bytes(manifest_text)
    os.replace(temporary, folder / "manifest.json")
    _write_json(folder / "build_state.json", plan.snapshot.record())
    (folder / "pending.json").unlink(missing_ok=True)


# ---------------------------------------------------------------- the graph


def _reachable(roots: Iterable[str], edges: dict[str, Any]) -> set[str]:
    """`roots` and every node reachable from them along `edges` (node -> its neighbours)."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, ()))
    return seen


class Graph:
    """The parsed project (manifest.json) as the selection needs it."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        self.project = manifest["metadata"]["project_name"]
        self.nodes: dict[str, dict[str, Any]] = {**manifest["nodes"], **manifest.get("unit_tests", {})}
        self.sources: dict[str, dict[str, Any]] = manifest["sources"]
        self.parents: dict[str, list[str]] = manifest["parent_map"]
        self.children: dict[str, list[str]] = manifest["child_map"]
        self._raw_sources: dict[str, frozenset[str]] = {}

    def buildable(self, unique_id: str) -> bool:
        node = self.nodes.get(unique_id)
        return node is not None and node["resource_type"] in BUILDABLE

    def materialized(self, unique_id: str) -> str:
        return str(self.nodes[unique_id].get("config", {}).get("materialized", ""))

    def holds_data(self, unique_id: str) -> bool:
        """A table, incremental model, snapshot or data test: what new rows upstream can change."""
        kind = self.nodes[unique_id]["resource_type"]
        if kind == "model":
            return self.materialized(unique_id) not in NO_DATA
        return kind in ("snapshot", "test")

    def descendants(self, roots: Iterable[str]) -> set[str]:
        return _reachable(roots, self.children)

    def ancestors(self, roots: Iterable[str]) -> set[str]:
        return _reachable(roots, self.parents)

    def raw_sources(self, unique_id: str) -> frozenset[str]:
        """The sources upstream of a node."""
        if unique_id not in self._raw_sources:
            self._raw_sources[unique_id] = frozenset(a for a in self.ancestors([unique_id]) if a in self.sources)
        return self._raw_sources[unique_id]

    def macro_closure(self, macro_ids: Iterable[str]) -> set[str]:
        macros = self.manifest["macros"]
        seen: set[str] = set()
        stack = list(macro_ids)
        while stack:
            current = stack.pop()
            if current in seen or current not in macros:
                continue
            seen.add(current)
            stack.extend(macros[current].get("depends_on", {}).get("macros", ()))
        return seen

    def called_macros(self) -> set[str]:
        """Every macro some node (model, test, hook...) calls, directly or through other macros."""
        direct = [m for node in self.nodes.values() for m in node.get("depends_on", {}).get("macros", ())]
        return self.macro_closure(direct)

    def clock_models(self) -> set[str]:
        """The models that compile the build's start into their SQL (they call the clock macro)."""
        clock = f"macro.{self.project}.{CLOCK_MACRO}"
        return {
            uid
            for uid, node in self.nodes.items()
            if node["resource_type"] == "model" and clock in self.macro_closure(node["depends_on"].get("macros", ()))
        }

    def relations(self) -> dict[str, str]:
        """schema.name -> unique_id of every relation a build makes (models, seeds, snapshots)."""
        found = {}
        for uid, node in self.nodes.items():
            if node["resource_type"] in ("model", "seed", "snapshot") and self.materialized(uid) != "ephemeral":
                found[f"{node['schema']}.{node.get('alias') or node['name']}".lower()] = uid
        return found

    def domain_of_source(self) -> dict[str, str]:
        table_domain = {table: domain for domain, tables in DOMAIN_TABLES.items() for table in tables}
        return {
            uid: table_domain[source["identifier"]]
            for uid, source in self.sources.items()
            if source.get("identifier") in table_domain
        }

    def selector(self, unique_ids: Iterable[str]) -> list[str]:
        """dbt --select terms naming exactly these nodes: the name, or fqn and resource type where a name repeats."""
        names: dict[str, int] = {}
        for node in self.nodes.values():
            names[node["name"]] = names.get(node["name"], 0) + 1
        terms = []
        for uid in sorted(unique_ids):
            node = self.nodes[uid]
            if names[node["name"]] == 1:
                terms.append(node["name"])
            else:
                terms.append(f"fqn:{'.'.join(node['fqn'])},resource_type:{node['resource_type']}")
        return terms


def macros_changed(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Macros added, removed or edited between two manifests (as dbt's state:modified compares them)."""
    old_macros, new_macros = old.get("macros", {}), new.get("macros", {})
    changed = {
        uid for uid, macro in new_macros.items() if old_macros.get(uid, {}).get("macro_sql") != macro["macro_sql"]
    }
    return changed | (set(old_macros) - set(new_macros))


@dataclass(frozen=True)
class LedgerChange:
    """How the ledger moved between two snapshots: per domain, the files whose rows landed in raw (loaded,
    held, superseded, released: what the domain's models read) and the others (skipped, rejected: the
    ledger alone)."""

    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]

    def _landed(self, ledger: dict[str, dict[str, str]], domain: str) -> dict[str, str]:
        return {s: v for s, v in ledger.get(domain, {}).items() if s in LANDED_STATUSES}

    @property
    def domains(self) -> set[str]:
        """The domains with files landed, released or superseded since: their models can have changed."""
        names = set(self.before) | set(self.after)
        return {d for d in names if self._landed(self.before, d) != self._landed(self.after, d)}

    @property
    def ledger(self) -> bool:
        """Anything in the ledger, skipped and rejected files included (the load audit shows them)."""
        return self.before != self.after

    def sentences(self) -> list[str]:
        """Per domain whose ledger moved: "vehicles: 2 new files, a held feed released"."""
        said = []
        for domain in sorted(set(self.before) | set(self.after)):
            if self.before.get(domain) == self.after.get(domain):
                continue
            old, new = _file_counts(self.before.get(domain, {})), _file_counts(self.after.get(domain, {}))
            added = sum(new.get(status, 0) - old.get(status, 0) for status in LANDED_STATUSES)
            other = sum(new.values()) - sum(old.values()) - added
            parts = [_files(added, "new file")] if added else []
            if new.get(RELEASED, 0) > old.get(RELEASED, 0):
                parts.append("a held feed released")
            if new.get(SUPERSEDED, 0) > old.get(SUPERSEDED, 0) and not added:
                parts.append("held feeds superseded")
            if other:
                parts.append(_files(other, "file") + " skipped or rejected")
            said.append(f"{domain}: {', '.join(parts) or 'its ledger changed'}")
        return said


def _file_counts(figures: dict[str, str]) -> dict[str, int]:
    """status -> files, from a snapshot's "files:sum of load ids:newest finish" figures."""
    return {status: int(value.split(":", 1)[0]) for status, value in figures.items()}


def _files(count: int, what: str) -> str:
    return f"{count} {what}{'s' if count != 1 else ''}"


def data_nodes(graph: Graph, change: LedgerChange) -> set[str]:
    """The nodes holding data that the ledger's change can change (see the module's docstring)."""
    changed_domains = change.domains
    if not change.ledger:
        return set()
    domain_of = graph.domain_of_source()
    # the models feed health is made of that read the ledger: they read every domain's files
    every_file = {
        uid
        for uid in graph.ancestors(graph.clock_models())
        if uid in graph.nodes and graph.nodes[uid]["resource_type"] == "model"
        and any(source not in domain_of for source in graph.raw_sources(uid))
    }  # fmt: skip
    selected = set()
    for uid in graph.nodes:
        if not graph.buildable(uid) or not graph.holds_data(uid):
            continue
        sources = graph.raw_sources(uid)
        if not sources:
            continue  # seeds only: no new file changes it
        domains = {domain_of[s] for s in sources if s in domain_of}
        attached = set(graph.parents.get(uid, ())) if graph.nodes[uid]["resource_type"] == "test" else set()
        every_domain = not domains or uid in every_file or bool(attached & every_file)
        if (every_domain and change.ledger) or domains & changed_domains:
            selected.add(uid)
    return selected


def close_over_views(graph: Graph, selected: set[str]) -> set[str]:
    """Add the views built on a selected view or table: dbt rebuilds those under a new name, then drops the old
    relation with `cascade`, which drops the views on it; they must be rebuilt in the same build."""
    closed = set(selected)
    stack = [uid for uid in selected if graph.buildable(uid) and graph.materialized(uid) in REPLACED]
    while stack:
        for child in graph.children.get(stack.pop(), ()):
            if child not in closed and graph.buildable(child) and graph.materialized(child) == "view":
                closed.add(child)
                stack.append(child)
    return closed


# ---------------------------------------------------------------- the plan


@dataclass
class Plan:
    snapshot: Snapshot | None  # None: the ledger could not be read, so this build is not recorded
    everything: bool
    nodes: set[str] = field(default_factory=set)  # empty when everything
    sentence: str = ""
    total: int = 0  # buildable nodes of the project
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def dbt_args(self, graph: Graph) -> list[str]:
        if self.everything:
            return ["build"]
        # exactly these nodes: no tests or unit tests pulled in because their model is selected
        return ["build", "--select", *graph.selector(self.nodes), "--indirect-selection", "empty"]

    def as_json(self, graph: Graph) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "everything": self.everything,
            "selected": self.total if self.everything else len(self.nodes),
            "total": self.total,
            "reasons": self.reasons,
            "nodes": sorted(self.nodes),
            "dbt": ["dbt", *self.dbt_args(graph), "--target", "<target>"],
        }


def take_snapshot(dbt: Dbt, graph: Graph) -> Snapshot:
    relations = graph.relations()
    schemas = sorted({name.split(".", 1)[0] for name in relations}) or ["-"]
    sql = _STATE_QUERY.replace("__SCHEMAS__", ", ".join(f"'{schema}'" for schema in schemas))
    ledger: dict[str, dict[str, str]] = {}
    existing, warehouse = set(), ""
    for kind, name, value in dbt.query(sql):
        if kind == "ledger":
            status, _, figures = str(value).partition("=")
            ledger.setdefault(str(name), {})[status] = figures
        elif kind == "relation":
            existing.add(str(name))
        else:
            warehouse = str(name)
    files = {}
    for name in PROJECT_FILES:
        path = dbt.root / name
        if path.is_file():
            files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return Snapshot(
        warehouse,
        str(graph.manifest["metadata"].get("dbt_version")),
        files,
        ledger,
        frozenset(existing),
        _now(),
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _everything_because(graph: Graph, snapshot: Snapshot, previous: Previous) -> str | None:
    """Why this build must build everything, or None when a selection can be trusted."""
    record, manifest = previous.record, previous.manifest
    if record is None or manifest is None:
        return "no record of a successful build yet"
    built = f"the build of {record.get('built_at')}"
    if previous.pending and previous.pending.get("everything"):
        return f"retrying the full build that failed since {built}"
    if record.get("warehouse") != snapshot.warehouse:
        return f"another warehouse than {built} ({record.get('warehouse')})"
    if record.get("dbt_version") != snapshot.dbt_version:
        return f"dbt {snapshot.dbt_version}, not {record.get('dbt_version')} as for {built}"
    edited = sorted(name for name in set(record.get("project_files", {})) | set(snapshot.project_files)
                    if record.get("project_files", {}).get(name) != snapshot.project_files.get(name))  # fmt: skip
    if edited:
        return f"{', '.join(edited)} changed since {built}"
    untraced = macros_changed(manifest, graph.manifest) - graph.called_macros() - Graph(manifest).called_macros()
    if untraced:
        files = sorted({_macro_file(graph.manifest, manifest, uid) for uid in untraced})
        return f"macros no model is known to call changed since {built} ({', '.join(files)})"
    if not graph.clock_models():
        return f"no model calls {CLOCK_MACRO}(): which models read the clock is unknown"
    return None


def _macro_file(*manifests_and_id: Any) -> str:
    *manifests, uid = manifests_and_id
    for manifest in manifests:
        macro = manifest.get("macros", {}).get(uid)
        if macro:
            return str(macro.get("original_file_path") or uid)
    return str(uid)


def plan_build(dbt: Dbt, graph: Graph, previous: Previous, everything: bool = False) -> Plan:
    total = sum(1 for uid in graph.nodes if graph.buildable(uid))
    try:
        snapshot: Snapshot | None = take_snapshot(dbt, graph)
    except DbtFailed as exc:  # e.g. no ledger yet: the build's own check says so in one sentence
        snapshot, reason = None, f"could not read the ledger ({exc})"
    else:
        reason = "asked to build everything" if everything else _everything_because(graph, snapshot, previous)
    if reason or snapshot is None:
        return Plan(snapshot, True, sentence=f"{reason}: built everything", total=total)
    assert previous.record is not None
    built_at = previous.record.get("built_at")
    change = LedgerChange(previous.record.get("ledger", {}), snapshot.ledger)
    modified = {uid for uid in dbt.list_ids("--select", "state:modified+", "--state", str(state_dir(dbt.target_path)))
                if graph.buildable(uid)}  # fmt: skip
    relations = graph.relations()
    missing = {uid for name, uid in relations.items() if name not in snapshot.relations}
    pending = {uid for uid in (previous.pending or {}).get("nodes", ()) if graph.buildable(uid)}
    clock = {uid for uid in graph.descendants(graph.clock_models()) if graph.buildable(uid)}
    clock = {uid for uid in clock if graph.nodes[uid]["resource_type"] != "unit_test"}
    missing_and_after = {uid for uid in graph.descendants(missing) if graph.buildable(uid)}
    nodes = close_over_views(graph, clock | data_nodes(graph, change) | modified | missing_and_after | pending)
    edited = [uid for uid in modified if _is_root_change(graph, uid, modified)] or list(modified)
    reasons = {
        "ledger": change.sentences(),
        "modified": sorted(graph.nodes[uid]["name"] for uid in edited),
        "missing": sorted(graph.nodes[uid]["name"] for uid in missing),
        "retried": sorted(graph.nodes[uid]["name"] for uid in pending),
    }
    if not (change.domains or modified or missing or pending):
        tables = sorted(graph.nodes[uid]["name"] for uid in nodes if graph.nodes[uid]["resource_type"] == "model"
                        and graph.holds_data(uid))  # fmt: skip
        also = f" ({'; '.join(reasons['ledger'])})" if change.ledger else ""
        only = "feed health and the load audit" if change.ledger else "feed health"
        sentence = (f"nothing new since the build of {built_at}{also}: built {only} only "
                    f"({', '.join(tables)} and their tests, {len(nodes)} of {total} nodes)")  # fmt: skip
    else:
        said = list(reasons["ledger"])
        if modified:
            said.append(f"changed in the project: {_some(reasons['modified'])}")
        if missing:
            said.append(f"missing {_some(reasons['missing'])}")
        if pending:
            said.append(f"retrying the failed build since {(previous.pending or {}).get('since')}")
        sentence = f"since the build of {built_at}: {'; '.join(said)}: built {len(nodes)} of {total} nodes"
    return Plan(snapshot, False, nodes, sentence, total, {k: v for k, v in reasons.items() if v})


def _is_root_change(graph: Graph, uid: str, modified: set[str]) -> bool:
    """A modified node none of whose parents is modified: what was edited, not what follows it."""
    return graph.nodes[uid]["resource_type"] != "test" and not (set(graph.parents.get(uid, ())) & modified)


def _some(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" (+{more} more)" if more > 0 else "")


# ---------------------------------------------------------------- the build


@dataclass(frozen=True)
class BuildOutcome:
    exit_code: int
    sentence: str
    plan: Plan | None = None


def build(dbt: Dbt, everything: bool = False) -> BuildOutcome:
    """Parse, plan, record the plan as pending, build; on success the build becomes the state."""
    try:
        graph = Graph(dbt.parse())
    except DbtFailed as exc:
        return BuildOutcome(2, f"{exc}: built nothing")
    folder = state_dir(dbt.target_path)
    previous = read_previous(folder)
    try:
        plan = plan_build(dbt, graph, previous, everything)
    except Exception as exc:  # the selection saves time, it must never cost a build: build everything
        total = sum(1 for uid in graph.nodes if graph.buildable(uid))
        reason = f"could not work out what changed ({type(exc).__name__}: {exc})"
        plan = Plan(None, True, sentence=f"{reason}: built everything", total=total)
    print(f"extract run: dbt build: {plan.sentence}", file=sys.stderr, flush=True)
    _write_json(dbt.target_path / PLAN_FILE, plan.as_json(graph))
    record_pending(folder, previous, plan)
    built = dbt.invoke(*plan.dbt_args(graph))
    if built.exit_code != 0:
        return BuildOutcome(built.exit_code, f"{plan.sentence}; it failed: the next run builds it again", plan)
    assert dbt.manifest_text is not None
    record_success(folder, plan, dbt.manifest_text)
    return BuildOutcome(built.exit_code, plan.sentence, plan)


def freshness(dbt: Dbt) -> int:
    return dbt.invoke("source", "freshness").exit_code


@contextlib.contextmanager
def dbt_session(root: Path, target: str) -> Iterator[Dbt]:
    """dbt in this process with the run's target; colours off when stderr is a file or CloudWatch."""
    if not sys.stderr.isatty():
        os.environ.setdefault("DBT_USE_COLORS", "false")
    yield Dbt(root, target)


def main(argv: list[str] | None = None) -> int:
    from extract.embedded_warehouse import project_root

    parser = argparse.ArgumentParser(prog="python -m extract.changed_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--target", default=os.environ.get("DBT_TARGET") or "dev", help="dbt target (env DBT_TARGET)")
    parser.add_argument("--all", action="store_true", help="build everything (then record the state)")
    args = parser.parse_args(argv)
    os.environ["DBT_TARGET"] = args.target
    started = time.perf_counter()
    with dbt_session(project_root(), args.target) as dbt:
        outcome = build(dbt, everything=args.all)
    print(f"dbt build: exit {outcome.exit_code} in {time.perf_counter() - started:.1f} s: {outcome.sentence}")
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
