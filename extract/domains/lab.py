"""Lab results: every CSV under `lab/unificado/` lands as varchar rows in raw.unificado_rows."""

from __future__ import annotations

from extract.csv_text import detect_delimiter, open_text, read_rows
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
        with open_text(ctx.local.path) as text:
            header_line = text.readline()
            if not header_line.strip():
                raise RejectedFile(
                    f"{key} line 1: the file is empty; expected a header naming {', '.join(REQUIRED).upper()}"
                )
            delimiter, header, missing = parse_header(header_line)
            if missing:
                raise RejectedFile(f"{key} line 1: the header lacks {', '.join(missing)}; expected {expected_header()}")
            positions = [header.index(c) if c in header else None for c in LANDED]

            def rows():
                for line, fields in read_rows(text, delimiter):
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
        return Outcome(rows_loaded=loaded)


DOMAIN = LabDomain()
