create schema if not exists raw;

create table if not exists raw.load_ledger (
    load_id bigint not null,
    domain varchar(32) not null,
    landing_uri varchar(65535) not null,
    landing_key varchar(65535) not null,
    size_bytes bigint not null,
    sha256 char(64) not null,
    feed_at timestamptz not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar(16) not null,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error varchar(65535),
    layout varchar(65535),
    warnings varchar(65535),
    primary key (load_id)
)
diststyle all
sortkey (load_id);

create table if not exists raw.load_ids (
    last_load_id bigint not null
)
diststyle all;

create table if not exists raw.rejected_records (
    load_id bigint not null,
    domain varchar(32) not null,
    landing_key varchar(65535) not null,
    record_index bigint not null,
    reason varchar(65535) not null,
    content varchar(65535)
)
diststyle even
sortkey (load_id);

create table if not exists raw.vehicle_records (
    load_id bigint not null,
    corporate_id varchar(65535) not null,
    dms varchar(65535) not null,
    landing_key varchar(65535) not null,
    record_index integer not null,
    feed_at timestamptz not null,
    stock_id varchar(65535) not null,
    record_hash varchar(32) not null,
    record super not null,
    is_delete boolean not null default false
)
diststyle even
compound sortkey (load_id, record_index);

create table if not exists raw.vehicle_feeds (
    load_id bigint not null,
    corporate_id varchar(65535) not null,
    dms varchar(65535) not null,
    landing_key varchar(65535) not null,
    feed_at timestamptz not null,
    record_count integer not null,
    rejected_count integer not null,
    compacted_at timestamptz,
    compaction_base_load_id bigint,
    primary key (load_id)
)
diststyle all
compound sortkey (corporate_id, dms, feed_at, load_id);

create table if not exists raw.crypto_rows (
    load_id bigint not null,
    ticker varchar(65535) not null,
    landing_key varchar(65535) not null,
    file_kind varchar(65535) not null,
    line_number integer not null,
    date_label varchar(65535) not null,
    value_label varchar(65535) not null,
    observed_on_text varchar(65535),
    value_text varchar(65535),
    series_position integer,
    date_order varchar(65535),
    decimal_mark varchar(65535)
)
diststyle even
compound sortkey (ticker, file_kind, load_id);

create table if not exists raw.unificado_rows (
    load_id bigint not null,
    landing_key varchar(65535) not null,
    line_number integer not null,
    chrom varchar(65535),
    pos varchar(65535),
    id varchar(65535),
    ref varchar(65535),
    alt varchar(65535),
    qual varchar(65535),
    filter varchar(65535),
    info varchar(65535),
    format varchar(65535),
    muestra varchar(65535),
    valor varchar(65535),
    origen varchar(65535),
    resultado varchar(65535),
    fecha_copia varchar(65535)
)
diststyle even
sortkey (load_id);

insert into raw.load_ids (last_load_id) select coalesce(max(load_id), 0) from raw.load_ledger where not exists (select 1 from raw.load_ids);
