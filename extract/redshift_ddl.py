"""The raw schema on Redshift: the same tables and columns as on PostgreSQL (a test compares them), with
Redshift's types (the record as SUPER, no serial, no index) and its distribution and sort keys.

Text columns are VARCHAR(65535), Redshift's widest: a raw zone keeps what arrived, and the extractor refuses a
row with a longer value before staging it (extract.redshift_copy) rather than letting COPY truncate it.
"""

from __future__ import annotations

from extract.ledger import RAW_SCHEMA

TEXT = "varchar(65535)"

CREATE_SCHEMA = f"create schema if not exists {RAW_SCHEMA}"
STATEMENTS: tuple[str, ...] = (
    CREATE_SCHEMA,
    f"""create table if not exists {RAW_SCHEMA}.load_ledger (
    load_id bigint not null,
    domain varchar(32) not null,
    landing_uri {TEXT} not null,
    landing_key {TEXT} not null,
    size_bytes bigint not null,
    sha256 char(64) not null,
    feed_at timestamptz not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar(16) not null,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error {TEXT},
    layout {TEXT},
    warnings {TEXT},
    primary key (load_id)
)
diststyle all
sortkey (load_id)""",
    # Redshift has no sequences: load ids are reserved here, one short locked transaction each.
    f"""create table if not exists {RAW_SCHEMA}.load_ids (
    last_load_id bigint not null
)
diststyle all""",
    f"""create table if not exists {RAW_SCHEMA}.rejected_records (
    load_id bigint not null,
    domain varchar(32) not null,
    landing_key {TEXT} not null,
    record_index bigint not null,
    reason {TEXT} not null,
    content {TEXT}
)
diststyle even
sortkey (load_id)""",
)

DOMAIN_STATEMENTS: dict[str, tuple[str, ...]] = {
    "vehicles": (
        f"""create table if not exists {RAW_SCHEMA}.vehicle_records (
    load_id bigint not null,
    corporate_id {TEXT} not null,
    dms {TEXT} not null,
    landing_key {TEXT} not null,
    record_index integer not null,
    feed_at timestamptz not null,
    stock_id {TEXT} not null,
    record_hash varchar(32) not null,
    record super not null,
    is_delete boolean not null default false
)
diststyle even
compound sortkey (load_id, record_index)""",
        f"""create table if not exists {RAW_SCHEMA}.vehicle_feeds (
    load_id bigint not null,
    corporate_id {TEXT} not null,
    dms {TEXT} not null,
    landing_key {TEXT} not null,
    feed_at timestamptz not null,
    record_count integer not null,
    rejected_count integer not null,
    compacted_at timestamptz,
    compaction_base_load_id bigint,
    primary key (load_id)
)
diststyle all
compound sortkey (corporate_id, dms, feed_at, load_id)""",
    ),
    "crypto": (
        f"""create table if not exists {RAW_SCHEMA}.crypto_rows (
    load_id bigint not null,
    ticker {TEXT} not null,
    landing_key {TEXT} not null,
    file_kind {TEXT} not null,
    line_number integer not null,
    date_label {TEXT} not null,
    value_label {TEXT} not null,
    observed_on_text {TEXT},
    value_text {TEXT},
    series_position integer,
    date_order {TEXT},
    decimal_mark {TEXT}
)
diststyle even
compound sortkey (ticker, file_kind, load_id)""",
    ),
    "lab": (
        f"""create table if not exists {RAW_SCHEMA}.unificado_rows (
    load_id bigint not null,
    landing_key {TEXT} not null,
    line_number integer not null,
    chrom {TEXT},
    pos {TEXT},
    id {TEXT},
    ref {TEXT},
    alt {TEXT},
    qual {TEXT},
    filter {TEXT},
    info {TEXT},
    format {TEXT},
    muestra {TEXT},
    valor {TEXT},
    origen {TEXT},
    resultado {TEXT},
    fecha_copia {TEXT}
)
diststyle even
sortkey (load_id)""",
    ),
}

# Columns added after a domain's table was first created, per domain: (table, column, type). Redshift has no
# `add column if not exists`: the target adds each one that information_schema does not list.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "vehicles": (("vehicle_feeds", "compaction_base_load_id", "bigint"),),
}

# The counter starts after the ledger's highest load id (0 on an empty ledger); run under `lock`.
SEED_LOAD_IDS = (
    f"insert into {RAW_SCHEMA}.load_ids (last_load_id) "
    f"select coalesce(max(load_id), 0) from {RAW_SCHEMA}.load_ledger "
    f"where not exists (select 1 from {RAW_SCHEMA}.load_ids)"
)


def statements(domains: tuple[str, ...] | list[str], create_schema: bool = True) -> list[str]:
    """The DDL for the ledger and the named domains' raw tables, in order; each statement is idempotent.
    Without create_schema, the schema exists: the loader user owns it and may not create schemas."""
    tables = [statement for statement in STATEMENTS if create_schema or statement != CREATE_SCHEMA]
    return [*tables, *(statement for name in domains for statement in DOMAIN_STATEMENTS[name])]
