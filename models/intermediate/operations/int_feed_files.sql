{#-
    Every file of the load ledger that belongs to a feed stream, with its stream: taken from the landing
    key, so a rejected file (no raw rows) still counts against its stream. A DMS feed's stream is its
    corporate and DMS (vehicles/corporate={id}/source={DMS}/...), a ticker's its folder
    (crypto/ticker={T}/...), the lab's unificado (lab/unificado/...); names upper case as the extractor
    writes them. A file whose key fits no stream (a misplaced file, rejected) is left out: it is in
    load_audit. A market data file also carries its kind (price or trend) when it landed rows.
-#}
with

loads as (

    select * from {{ ref('stg_extract__loads') }}

),

market_data_files as (

    select * from {{ ref('stg_crypto__files') }}

),

keyed_loads as (

    select
        *,
        {{ regex_capture('landing_key', '^vehicles/corporate=([^/]+)/source=[^/]+/') }} as dms_corporate_id,
        {{ regex_capture('landing_key', '^vehicles/corporate=[^/]+/source=([^/]+)/') }} as dms_folder,
        {{ regex_capture('landing_key', '^crypto/ticker=([^/]+)/') }} as ticker_folder,
        {{ regex_capture('landing_key', '^lab/(unificado)/') }} as lab_folder

    from loads

),

streamed_loads as (

    select
        *,
        case
            when dms_corporate_id is not null and dms_folder is not null then 'dms'
            when ticker_folder is not null then 'ticker'
            when lab_folder is not null then 'lab'
        end as stream_kind,
        case
            when dms_corporate_id is not null and dms_folder is not null then {{ unicode_upper('dms_folder') }}
            when ticker_folder is not null then {{ unicode_upper('ticker_folder') }}
            when lab_folder is not null then lab_folder
        end as source

    from keyed_loads

),

identified_loads as (

    select
        *,
        case
            when stream_kind = 'dms' then 'dms:' || dms_corporate_id || '/' || source
            else stream_kind || ':' || source
        end as stream_id,
        case when stream_kind = 'dms' then dms_corporate_id end as corporate_id,
        status in ('loaded', 'released') as is_applied

    from streamed_loads
    where stream_kind is not null

),

final as (

    select
        ----------  ids
        identified_loads.stream_id,
        identified_loads.load_id,

        ----------  strings
        identified_loads.stream_kind,
        identified_loads.corporate_id,
        identified_loads.source,
        market_data_files.file_kind,
        identified_loads.landing_key,
        identified_loads.status,

        ----------  booleans
        identified_loads.is_applied,

        ----------  numerics
        identified_loads.rows_loaded,
        identified_loads.rows_rejected,

        ----------  timestamps
        identified_loads.feed_at,
        identified_loads.started_at

    from identified_loads
    left join market_data_files
        on identified_loads.load_id = market_data_files.load_id

)

select * from final
