"""The vehicle catalogue's fields (macros/vehicles/catalogue_fields.sql): the one list of them.

dbt generates every vehicle model's field columns from the same file; the extractor validates track
files against it and writes the fields' doc blocks from it (`python -m extract catalogue docs`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from extract.macro_yaml import read_macro_yaml

STOCK_ID = "external_source_id"  # a track's stock id: the layer's key, not a catalogue field
DOCS_FILE = Path("models/marts/vehicles/_catalogue_fields__docs.md")


@dataclass(frozen=True)
class CatalogueField:
    name: str
    kind: str
    sql_type: str
    hints: tuple[str, ...]  # parse hints a track may give it; the first is the default
    vocabulary: tuple[str, ...]
    of: str | None  # precision fields: the date field they describe
    description: str

    @property
    def mappable(self) -> bool:
        """A track maps XML onto it (a precision field follows from its date's hint instead)."""
        return self.kind != "precision"

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "integer")


@dataclass(frozen=True)
class Catalogue:
    fields: tuple[CatalogueField, ...]
    date_precisions: dict[str, str]
    hint_patterns: dict[str, str]  # the shape a value must have for a hint (dbt's parsing uses them too)
    lists: dict[str, tuple[str, ...]]  # list name -> the fields a track's list entry may fill

    def field(self, name: str) -> CatalogueField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def mappable_columns(self) -> tuple[str, ...]:
        return (STOCK_ID, *(f.name for f in self.fields if f.mappable))


def catalogue_file() -> Path:
    from extract.embedded_warehouse import project_root

    return project_root() / "macros" / "vehicles" / "catalogue_fields.sql"


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or catalogue_file()
    data = yaml.safe_load(read_macro_yaml(path).body)
    kinds = data["kinds"]
    fields = tuple(
        CatalogueField(
            name=item["name"],
            kind=item["kind"],
            sql_type=kinds[item["kind"]]["type"],
            hints=tuple(kinds[item["kind"]]["hints"]),
            vocabulary=tuple(item.get("vocabulary") or ()),
            of=item.get("of"),
            description=" ".join(str(item["description"]).split()),
        )
        for item in data["fields"]
    )
    lists = {name: tuple(names) for name, names in data["lists"].items()}
    return Catalogue(fields, dict(data["date_precisions"]), dict(data["hint_patterns"]), lists)


def render_docs(catalogue: Catalogue) -> str:
    """The doc blocks of the catalogue fields, one per field, as dbt docs reads them."""
    header = (
        "{#- Written by `python -m extract catalogue docs` from macros/vehicles/catalogue_fields.sql:"
        " edit the list there, not this file. -#}\n"
    )
    blocks = [
        f"{{% docs {f.name} %}}\n{textwrap.fill(f.description, 100)}\n{{% enddocs %}}\n" for f in catalogue.fields
    ]
    return header + "\n" + "\n".join(blocks)
