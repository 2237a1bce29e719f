"""The dbt project's layers flow one way and its models stay readable: checked over dbt's own manifest.

staging reads sources, intermediate reads staging and intermediate (and seeds), marts read intermediate
and marts; no intermediate or staging model reads a mart, no staging model reads an intermediate one.
No model file is over 150 lines: a model that grows past that is doing more than one job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import PROJECT_ROOT

MAX_MODEL_LINES = 150
# the layer a model may read, by the folder it lives in (models/<layer>/...)
READABLE_LAYERS = {
    "staging": {"staging"},
    "intermediate": {"staging", "intermediate"},
    "marts": {"staging", "intermediate", "marts"},
}


def layer_of(node: dict) -> str:
    return Path(node["original_file_path"]).parts[1]


def layering_violations(manifest: dict) -> list[str]:
    """Every model that reads a model of a layer after its own: '<model> (<layer>) reads <parent> (<layer>)'."""
    nodes = manifest["nodes"]
    violations = []
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        layer = layer_of(node)
        for parent_id in node["depends_on"]["nodes"]:
            parent = nodes.get(parent_id)
            if parent is None or parent["resource_type"] != "model":
                continue
            if layer_of(parent) not in READABLE_LAYERS[layer]:
                violations.append(f"{node['name']} ({layer}) reads {parent['name']} ({layer_of(parent)})")
    return sorted(violations)


def long_models(manifest: dict) -> list[str]:
    """Every model file over MAX_MODEL_LINES lines: '<path>: <n> lines'."""
    found = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        lines = len((PROJECT_ROOT / node["original_file_path"]).read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODEL_LINES:
            found.append(f"{node['original_file_path']}: {lines} lines")
    return sorted(found)


def parsed_manifest(target: Path) -> dict:
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "DBT_TARGET": "dev"}
    command = [str(dbt), "parse", "--profiles-dir", str(target), "--target-path", str(target), "--no-partial-parse"]
    (target / "profiles.yml").write_text((PROJECT_ROOT / "profiles.yml.example").read_text(encoding="utf-8"))
    parsed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def test_layers_flow_one_way_and_no_model_is_over_150_lines(tmp_path: Path) -> None:
    manifest = parsed_manifest(tmp_path)
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {layer_of(n) for n in models} == set(READABLE_LAYERS)
    assert layering_violations(manifest) == []
    assert long_models(manifest) == []

    # the check sees a violation: an intermediate model made to read a mart
    ranked = next(n for n in models if n["name"] == "int_vehicle_layers_ranked")
    ranked["depends_on"]["nodes"].append("model.dealer_warehouse.vehicle")
    assert layering_violations(manifest) == ["int_vehicle_layers_ranked (intermediate) reads vehicle (marts)"]
