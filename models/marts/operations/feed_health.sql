{#-
    One row per feed stream (a dealer's DMS, a ticker, the lab's unificado) with its status, for the
    operations dashboard: see int_feed_streams_checked for the rules, feed_cadences for the thresholds.
-#}
with

streams as (

    select * from {{ ref('int_feed_streams_checked') }}

),

final as (

    select
        ----------  ids
        stream_id,

        ----------  strings
        stream_kind,
        corporate_id,
        source,

        ----------  the cadence (feed_cadences seed)
        expected_every_hours,

        ----------  timestamps and hours
        last_feed_at,
        last_file_at,
        hours_since_last_feed,

        ----------  files of the last 7 days
        files_loaded_7d,
        files_rejected_7d,
        files_held_7d,

        ----------  records
        records_latest,
        records_previous,
        records_change,

        ----------  status
        last_file_status,
        status,
        status_reason,
        checked_at

    from streams

)

select * from final
