"""Stand-in for dbt's jinja `context` under sqlfluff: exposes the track files (tracks/*.sql) as dbt would,
so the DMS models render their real SQL for the linter."""

from pathlib import Path

import yaml

_TRACKS = Path(__file__).resolve().parents[2] / "tracks"


def keys() -> list[str]:
    return [f"track__{path.stem}" for path in sorted(_TRACKS.glob("*.sql"))]


def get(name: str, default: object = None) -> object:
    path = _TRACKS / f"{name.removeprefix('track__')}.sql"
    if not name.startswith("track__") or not path.is_file():
        return default
    body = "\n".join(path.read_text(encoding="utf-8").splitlines()[1:-1])
    return lambda: yaml.safe_load(body)
