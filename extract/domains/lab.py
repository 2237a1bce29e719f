"""Lab results: every CSV under `lab/unificado/` lands as varchar rows in raw.unificado_rows."""

from __future__ import annotations

import csv

from extract.csv_text import DELIMITERS, detect_delimiter, open_text, read_line, read_rows
from extract.domain import LoadContext, Outcome, RejectedFile
from extract.ledger import RAW_SCHEMA

NAME = "lab"
TABLE = "unificado_rows"
# The reference columns, in order. FECHA_COPIA is optional: the weekly files leave it empty (dbt stamps the
# load's time), an export of the old Unificado table fills it (dbt keeps it: a migration keeps its copy times).
COLUMNS = (
    "chrom", "pos", "id", "ref", "alt", "qual", "filter", "info",
    "format", "muestra", "valor", "origen", "fecha_copia", "resultado",
)  # fmt: skip
REQUIRED = tuple(c for c in COLUMNS if c != "fecha_copia")
LANDED = REQUIRED + ("fecha_copia",)

DDL = f"""
create table if not exists {RAW_SCHEMA}.{TABLE} (
    load_id bigint not null,
    landing_key varchar not null,
    line_number integer not null,
    {", ".join(f"{c} varchar" for c in REQUIRED)}
);
-- a table made before FECHA_COPIA was landed gets the column (null: those loads had it ignored)
alter table {RAW_SCHEMA}.{TABLE} add column if not exists fecha_copia varchar;
comment on table {RAW_SCHEMA}.{TABLE} is
    'Lab results (unificado) as delivered: one varchar row per CSV line, with its file, line and load id.';
"""


def parse_header(header_line: str) -> tuple[str, list[str], list[str]]:
    """(delimiter, lower-case column names, missing required columns in upper case) of a header line."""
    delimiter = detect_delimiter(header_line)
    header = [name.strip().strip('"').lower() for name in header_line.rstrip("\r\n").split(delimiter)]
    return delimiter, header, [c.upper() for c in REQUIRED if c not in header]


def expected_header() -> str:
    return f"the columns {', '.join(c.upper() for c in COLUMNS)} (any case, separated by , ; or tab)"


class LabDomain:
    name = NAME
    ddl = DDL

    def load(self, ctx: LoadContext) -> Outcome:
        key = ctx.file.key
        if not key.startswith("lab/unificado/"):
            raise RejectedFile(f"{key}: lab files belong in lab/unificado/; this folder is not known")
        with open_text(ctx.local.path, key) as text:
            header_line = read_line(text, key, 1)
            if not header_line.strip():
                raise RejectedFile(
                    f"{key} line 1: the file is empty; expected a header naming {', '.join(REQUIRED).upper()}"
                )
            delimiter, header, missing = parse_header(header_line)
            if missing:
                raise RejectedFile(
                    f"{key} line 1: the header lacks {', '.join(missing)}; expected {expected_header()}; "
                    f"found {_columns_found(header_line, header)}"
                )
            positions = [header.index(c) if c in header else None for c in LANDED]

            def rows():
                for line, fields in read_rows(text, delimiter, key, line_offset=1):
                    line += 1  # the header was line 1
                    if not any(f.strip() for f in fields):
                        continue
                    if len(fields) != len(header):
                        ctx.reject_record(
                            line,
                            f"{key} line {line}: expected {len(header)} fields separated by {delimiter!r},"
                            f" found {len(fields)}",
                            delimiter.join(fields),
                        )
                        continue
                    yield (
                        ctx.load_id,
                        key,
                        line,
                        *(fields[p] if p is not None and fields[p] != "" else None for p in positions),
                    )

            loaded = ctx.copy_rows(TABLE, ("load_id", "landing_key", "line_number", *LANDED), rows())
        if loaded == 0:
            raise RejectedFile(_no_rows_reason(key, len(header), delimiter, ctx.rejected))
        return Outcome(rows_loaded=loaded)


def _columns_found(header_line: str, header: list[str]) -> str:
    count = f"{len(header)} column{'' if len(header) == 1 else 's'}"
    return f"{count}: {header_line.strip()[:120]!r}"


def _no_rows_reason(key: str, field_count: int, delimiter: str, rejected: list[tuple[int, str, str | None]]) -> str:
    """Why a file with a good header landed no row: it has no data line, or none with the header's fields."""
    if not rejected:
        return (
            f"{key} line 2: no data line after the header (line 1); expected one line per lab result (a file "
            "without any is refused: an export that lost its rows looks the same)"
        )
    line, first_reason, content = rejected[0]
    found = len(next(csv.reader([content or ""], delimiter=delimiter), []))
    if found == field_count:  # set aside for another reason (a value the warehouse cannot hold)
        return f"{key} line {line}: none of the {len(rejected)} data lines could be loaded; the first: {first_reason}"
    reason = (
        f"{key} line {line}: none of the {len(rejected)} data lines has the header's {field_count} fields "
        f"separated by {delimiter!r}; line {line} has {found}"
    )
    for other in DELIMITERS:
        if other != delimiter and len(next(csv.reader([content or ""], delimiter=other), [])) == field_count:
            hint = f"separated by {other!r} it has {field_count}: the lines use {other!r}, the header {delimiter!r}"
            return f"{reason}; {hint}"
    return reason


DOMAIN = LabDomain()
