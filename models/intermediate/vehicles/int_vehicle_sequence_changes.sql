{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        indexes=[{'columns': ['batch_at']}],
    )
}}

{#-
    What each dbt run found new in each snapshot sequence (the feeds of one corporate in one DMS): one row
    per run and sequence that got feeds recorded since the previous run, saying whether the new feeds
    continue the sequence after the feeds already there (continued_after_feed_number: the last of those,
    0 for a new sequence) or sort before one of them (null: loaded late, the sequence is rebuilt), and how
    many there are. int_vehicle_snapshot_versions folds in the rows stamped after its own last run, so a
    run that failed after this model is caught up by the next.
-#}

with

sequenced_feeds as (

    select
        *,
        {{ is_after_watermark('batch_at', 'batch_at') }} as is_new

    from {{ ref('int_vehicle_feed_sequences') }}
    where not is_event_feed

),

final as (

    select
        corporate_id,
        source,
        case
            when max(case when not is_new then feed_number end) is null then 0
            when min(case when is_new then feed_number end) > max(case when not is_new then feed_number end)
                then max(case when not is_new then feed_number end)
        end as continued_after_feed_number,
        sum(case when is_new then 1 else 0 end) as new_feed_count,
        {{ dbt_batch_at() }} as batch_at

    from sequenced_feeds
    group by corporate_id, source
    having max(case when is_new then 1 else 0 end) = 1

)

select * from final
