{#-
    One row per feed stream and UTC day on which the extractor started at least one of its files (up to
    the as-of time of feed_health), with what became of them. Statuses are the ledger's current ones: a
    held feed released later counts as loaded on the day it arrived.
-#}
with

files as (

    select * from {{ ref('int_feed_files') }}

),

files_as_of as (

    select
        *,
        {{ utc_date('started_at') }} as day

    from files
    where started_at <= {{ feed_health_as_of() }}

),

final as (

    select
        stream_id,
        stream_kind,
        day,
        cast(sum(case when is_applied then 1 else 0 end) as integer) as files_loaded,
        cast(sum(case when status = 'rejected' then 1 else 0 end) as integer) as files_rejected,
        cast(sum(case when status in ('held', 'superseded') then 1 else 0 end) as integer) as files_held,
        cast(sum(case when is_applied then rows_loaded else 0 end) as bigint) as records_loaded,
        cast(sum(rows_rejected) as bigint) as records_rejected

    from files_as_of
    group by stream_id, stream_kind, day

)

select * from final
