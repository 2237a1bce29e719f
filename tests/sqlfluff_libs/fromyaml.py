"""Stand-in for dbt's `fromyaml` under sqlfluff: the catalogue's field list (a macro returning YAML)
calls it, so the vehicle models render with the real fields for the linter.

sqlfluff exposes each module of this folder under its name; this module is made callable so that
`fromyaml(text)` works as in dbt.
"""

import sys
import types

import yaml


class _CallableModule(types.ModuleType):
    def __call__(self, text: str) -> object:
        return yaml.safe_load(text)


sys.modules[__name__].__class__ = _CallableModule
