"""YAML held in a dbt macro file: the form of the track files and of the catalogue's field list.

dbt reads only SQL and YAML of its own kinds, but it reads macros at parse time; such a file is YAML
between two fixed lines that make it a macro returning the parsed YAML:

    {% macro <name>() %}{% set <variable> %}
    ... YAML ...
    {% endset %}{{ return(fromyaml(<variable>)) }}{% endmacro %}

The extractor reads the YAML between those lines, keeping line numbers for its error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_OPENING = re.compile(r"^\{%\s*macro\s+(\w+)\(\)\s*%\}\{%\s*set\s+(\w+)\s*%\}\s*$")
_CLOSING = r"^\{{%\s*endset\s*%\}}\{{\{{\s*return\(fromyaml\({variable}\)\)\s*\}}\}}\{{%\s*endmacro\s*%\}}\s*$"


class MacroYamlError(ValueError):
    """The file is not YAML between the two fixed lines."""


@dataclass(frozen=True)
class MacroYaml:
    macro: str  # the macro's name
    body: str  # the YAML between the two lines
    first_line: int  # the file's line number of the body's first line (1-based)


def read_macro_yaml(path: Path) -> MacroYaml:
    lines = path.read_text(encoding="utf-8").splitlines()
    opening = _OPENING.match(lines[0]) if lines else None
    closing = re.compile(_CLOSING.format(variable=opening.group(2))) if opening else None
    if opening is None or closing is None or len(lines) < 3 or not closing.match(lines[-1]):
        raise MacroYamlError(
            f"{path}: expected YAML between the lines '{{% macro <name>() %}}{{% set <variable> %}}' and "
            "'{% endset %}{{ return(fromyaml(<variable>)) }}{% endmacro %}' (see docs/track_files.md)"
        )
    return MacroYaml(opening.group(1), "\n".join(lines[1:-1]), 2)
