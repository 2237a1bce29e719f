"""`python -m extract.redshift_check` (`make redshift-check`): every model, snapshot and data test as dbt
compiles it for the Redshift target, checked as Redshift SQL without a cluster (extract/redshift_sql.py).

dbt compiles the project twice, for profile target `prod` with a Redshift host that does not resolve:
once with every incremental model on its full-refresh branch and once on its incremental branch
(--vars redshift_check_branch, read by the project's is_incremental(); see
macros/redshift_check/check_mode.sql), into target/redshift-check/<branch>. Each compiled statement is
then checked; a finding names the branch, the node, its file, the construct and the AWS page.

Exit status: 0 nothing found, 1 findings, 2 the project could not be compiled.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.redshift_sql import Finding, check_statement, split_statements

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_COMPILE = 0, 1, 2
BRANCHES = ("full-refresh", "incremental")
CHECKED_RESOURCES = ("model", "snapshot", "test")
# A profile for target prod that can never reach a cluster: the check must not touch a real one.
OFFLINE_REDSHIFT_ENV = {
    "DBT_TARGET": "prod",
    "REDSHIFT_HOST": "redshift.invalid",
    "REDSHIFT_PORT": "5439",
    "REDSHIFT_USER": "redshift_check",
    "REDSHIFT_PASSWORD": "redshift_check",
    "REDSHIFT_DATABASE": "redshift_check",
}
_DBT_TIME = re.compile(r"^\d\d:\d\d:\d\d\s+")  # dbt's time stamp before each line of its output


class CompileError(RuntimeError):
    """dbt could not compile the project for Redshift."""


@dataclass(frozen=True)
class CompiledNode:
    branch: str
    resource_type: str  # model, snapshot or test
    name: str
    source_path: str  # the file the node is defined in, relative to the project
    compiled_path: str  # the file of the compiled SQL (for a snapshot, written by the check)
    sql: str


@dataclass(frozen=True)
class NodeFinding:
    node: CompiledNode
    finding: Finding

    def describe(self) -> str:
        node, finding = self.node, self.finding
        lines = ", ".join(str(line) for line in finding.lines[:5]) + (" ..." if len(finding.lines) > 5 else "")
        return (
            f"[{node.branch}] {node.resource_type} {node.name} ({node.source_path}): {finding.construct}"
            f" at line {lines} of {node.compiled_path}: {finding.why} {finding.link}"
        )


def dbt_compile_command(project_dir: Path, profiles_dir: Path, target_path: Path, branch: str) -> list[str]:
    dbt = Path(sys.executable).parent / "dbt"
    return [
        str(dbt if dbt.exists() else shutil.which("dbt") or "dbt"),
        "compile",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(profiles_dir),
        "--target", "prod",
        "--target-path", str(target_path),
        "--log-path", str(target_path / "logs"),
        "--vars", json.dumps({"redshift_check_branch": branch}),
        "--no-populate-cache",
        "--no-introspect",
        "--quiet",
        "--no-use-colors",
    ]  # fmt: skip


def compile_branches(project_dir: Path, profiles_dir: Path, target_root: Path) -> dict[str, Path]:
    """Compile every branch at once (one dbt process each); the manifest of each branch."""
    env = {**os.environ, **OFFLINE_REDSHIFT_ENV}
    running = {}
    for branch in BRANCHES:
        command = dbt_compile_command(project_dir, profiles_dir, target_root / branch, branch)
        process = subprocess.Popen(
            command, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        running[branch] = (command, process)
    manifests, failures = {}, {}
    for branch, (command, process) in running.items():
        output, _ = process.communicate()
        if process.returncode != 0:
            lines = [_DBT_TIME.sub("", line) for line in output.strip().splitlines()[-25:]]
            failures.setdefault("\n".join(lines), []).append((branch, command))
        manifests[branch] = target_root / branch / "manifest.json"
    if failures:
        environment = " ".join(f"{name}={value}" for name, value in OFFLINE_REDSHIFT_ENV.items())
        messages = []
        for output, failed in failures.items():
            branches = " and ".join(branch for branch, _ in failed) + (" branches" if len(failed) > 1 else " branch")
            messages.append(
                f"dbt could not compile the {branches} for Redshift:\n{output}\n"
                f"Fix the error above; to rerun it alone: {environment} {shlex.join(failed[0][1])}"
            )
        raise CompileError("\n\n".join(messages))
    return manifests


def compiled_nodes(manifest_path: Path, branch: str, relative_to: Path) -> list[CompiledNode]:
    """The compiled models, snapshots and data tests of a manifest, in a stable order."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in CHECKED_RESOURCES or node.get("compiled_code") is None:
            continue
        compiled_path = Path(
            node.get("compiled_path")
            or manifest_path.parent / "compiled" / node["package_name"] / node["original_file_path"]
        )
        if not compiled_path.is_file():  # dbt compile writes no file for a snapshot: write it for the reader
            compiled_path.parent.mkdir(parents=True, exist_ok=True)
            compiled_path.write_text(node["compiled_code"], encoding="utf-8")
        if compiled_path.is_absolute() and compiled_path.is_relative_to(relative_to):
            compiled_path = compiled_path.relative_to(relative_to)
        nodes.append(
            CompiledNode(
                branch, node["resource_type"], node["name"], node["original_file_path"], str(compiled_path),
                node["compiled_code"],
            )
        )  # fmt: skip
    return sorted(nodes, key=lambda node: (node.resource_type, node.source_path, node.name))


def check_nodes(nodes: Sequence[CompiledNode]) -> tuple[int, list[NodeFinding]]:
    """How many statements were checked, and the findings of each node."""
    statements, findings = 0, []
    known: dict[str, list[Finding]] = {}  # the same SQL in both branches is parsed once
    for node in nodes:
        for statement in split_statements(node.sql):
            statements += 1
            if statement.sql not in known:
                known[statement.sql] = check_statement(statement.sql)
            for finding in known[statement.sql]:
                lines = tuple(line + statement.first_line - 1 for line in finding.lines)
                findings.append(NodeFinding(node, Finding(finding.construct, finding.why, finding.link, lines)))
    return statements, findings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract.redshift_check",
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Exit status: 0 nothing found, 1 findings, 2 the project could not be compiled.",
    )
    parser.add_argument("--project-dir", type=Path, default=Path("."), help="the dbt project (default: .)")
    parser.add_argument(
        "--profiles-dir", type=Path, help="folder of the profiles.yml with target prod (default: the project)"
    )
    parser.add_argument(
        "--target-root", type=Path, help="where each branch is compiled (default: <project>/target/redshift-check)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    project_dir = args.project_dir.resolve()
    profiles_dir = (args.profiles_dir or project_dir).resolve()
    target_root = (args.target_root or project_dir / "target" / "redshift-check").resolve()
    if not (profiles_dir / "profiles.yml").is_file():
        print(
            f"No profiles.yml in {profiles_dir}: run `make install` (it copies profiles.yml.example), "
            "or pass --profiles-dir with a profile that has target prod (type redshift).",
            file=sys.stderr,
        )
        return EXIT_CANNOT_COMPILE
    started = time.monotonic()
    print(f"Compiling {project_dir} for Redshift (target prod, no cluster): {', '.join(BRANCHES)} branches")
    try:
        manifests = compile_branches(project_dir, profiles_dir, target_root)
    except CompileError as error:
        print(error, file=sys.stderr)
        return EXIT_CANNOT_COMPILE
    counts, findings = {}, []
    for branch, manifest in manifests.items():
        counts[branch], branch_findings = check_nodes(compiled_nodes(manifest, branch, Path.cwd()))
        findings.extend(branch_findings)
    for finding in findings:
        print(finding.describe())
    per_branch = ", ".join(f"{branch} {count}" for branch, count in counts.items())
    elapsed = time.monotonic() - started
    print(f"{sum(counts.values())} statements checked, {len(findings)} findings ({per_branch}; {elapsed:.0f} s)")
    return EXIT_FINDINGS if findings else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
