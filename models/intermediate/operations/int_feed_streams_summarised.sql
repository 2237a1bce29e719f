{#-
    One row per feed stream: what the ledger says about it as of feed_health_as_of() (the var
    feed_health_as_of, else when the build started). Only files the extractor had started on by then
    count, so an as-of in the past shows the streams as they were (with the files' current statuses).
    The latest file ignores skipped ones (a repeated, unchanged file); records compare the latest applied
    feed (by feed time, as the catalogue orders feeds) with the previous applied one of the same kind
    (a ticker's price and trend files are compared each with its own kind).
-#}
with

files as (

    select * from {{ ref('int_feed_files') }}

),

as_of as (

    select {{ feed_health_as_of() }} as checked_at

),

files_as_of as (

    select
        files.*,
        as_of.checked_at,
        {{ seconds_between('files.started_at', 'as_of.checked_at') }} < 7 * 86400 as is_within_7_days

    from files
    cross join as_of
    where files.started_at <= as_of.checked_at

),

stream_counts as (

    select
        stream_id,
        stream_kind,
        corporate_id,
        source,
        checked_at,
        max(case when status in ('loaded', 'held', 'released') then feed_at end) as last_feed_at,
        max(started_at) as last_file_at,
        sum(case when is_within_7_days and is_applied then 1 else 0 end) as files_loaded_7d,
        sum(case when is_within_7_days and status = 'rejected' then 1 else 0 end) as files_rejected_7d,
        sum(case when is_within_7_days and status in ('held', 'superseded') then 1 else 0 end) as files_held_7d

    from files_as_of
    group by stream_id, stream_kind, corporate_id, source, checked_at

),

ranked_files as (

    select
        stream_id,
        load_id,
        landing_key,
        status,
        row_number() over (partition by stream_id order by load_id desc) as recency

    from files_as_of
    where status <> 'skipped'

),

latest_files as (

    select * from ranked_files
    where recency = 1

),

ranked_feeds as (

    select
        stream_id,
        file_kind,
        rows_loaded,
        row_number() over (partition by stream_id order by feed_at desc, load_id desc) as recency,
        row_number() over (
            partition by stream_id, file_kind
            order by feed_at desc, load_id desc
        ) as recency_of_kind

    from files_as_of
    where is_applied

),

latest_feeds as (

    select * from ranked_feeds
    where recency = 1

),

previous_feeds as (

    -- the applied feed before the latest one, of the latest one's kind
    select ranked_feeds.*

    from ranked_feeds
    inner join latest_feeds
        on
            ranked_feeds.stream_id = latest_feeds.stream_id
            and coalesce(ranked_feeds.file_kind, '') = coalesce(latest_feeds.file_kind, '')
    where ranked_feeds.recency_of_kind = 2

),

final as (

    select
        ----------  ids
        stream_counts.stream_id,
        latest_files.load_id as last_file_load_id,

        ----------  strings
        stream_counts.stream_kind,
        stream_counts.corporate_id,
        stream_counts.source,
        latest_files.landing_key as last_file_landing_key,
        latest_files.status as last_file_status,

        ----------  numerics
        cast(stream_counts.files_loaded_7d as integer) as files_loaded_7d,
        cast(stream_counts.files_rejected_7d as integer) as files_rejected_7d,
        cast(stream_counts.files_held_7d as integer) as files_held_7d,
        latest_feeds.rows_loaded as records_latest,
        previous_feeds.rows_loaded as records_previous,

        ----------  timestamps
        stream_counts.last_feed_at,
        stream_counts.last_file_at,
        stream_counts.checked_at

    from stream_counts
    left join latest_files
        on stream_counts.stream_id = latest_files.stream_id
    left join latest_feeds
        on stream_counts.stream_id = latest_feeds.stream_id
    left join previous_feeds
        on stream_counts.stream_id = previous_feeds.stream_id

)

select * from final
