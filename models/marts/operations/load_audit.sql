with

loads as (

    select * from {{ ref('stg_extract__loads') }}

),

rejected_records as (

    select
        load_id,
        count(*) as rejected_record_count

    from {{ ref('stg_extract__rejected_records') }}
    group by load_id

),

final as (

    select
        loads.load_id,
        loads.domain,
        loads.landing_key,
        loads.status,
        loads.status in ('loaded', 'released') as is_applied,
        loads.error,
        loads.warnings,
        loads.layout,
        loads.size_bytes,
        loads.rows_loaded,
        loads.rows_rejected,
        loads.feed_at,
        loads.started_at,
        loads.finished_at,
        coalesce(rejected_records.rejected_record_count, 0) as rejected_records_kept,
        {{ seconds_between('loads.started_at', 'loads.finished_at') }} as load_seconds

    from loads
    left join rejected_records
        on loads.load_id = rejected_records.load_id

)

select * from final
