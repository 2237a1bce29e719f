{#-
    Every feed stream with its cadence (int_feed_stream_cadences) and its status:
    failing when its latest file (skipped ones ignored) was rejected or held; else stale when no feed for
    more than stale_after_hours (or never); else late when for more than late_after_hours; else ok.
    status_reason says it in one sentence, with what to do.
-#}
with

streams as (

    select * from {{ ref('int_feed_streams_summarised') }}

),

stream_cadences as (

    select * from {{ ref('int_feed_stream_cadences') }}

),

timed_streams as (

    select
        streams.*,
        cast(stream_cadences.expected_every_hours as numeric(10, 2)) as expected_every_hours,
        cast(stream_cadences.late_after_hours as numeric(10, 2)) as late_after_hours,
        cast(stream_cadences.stale_after_hours as numeric(10, 2)) as stale_after_hours,
        cast(
            {{ seconds_between('streams.last_feed_at', 'streams.checked_at') }} / 3600.0 as numeric(18, 2)
        ) as hours_since_last_feed,
        streams.records_latest - streams.records_previous as records_change

    from streams
    left join stream_cadences
        on streams.stream_id = stream_cadences.stream_id

),

statuses as (

    select
        *,
        case
            when last_file_status in ('rejected', 'held') then 'failing'
            when hours_since_last_feed is null or hours_since_last_feed > stale_after_hours then 'stale'
            when hours_since_last_feed > late_after_hours then 'late'
            else 'ok'
        end as status,
        'expected every ' || {{ feed_hours_text('expected_every_hours') }} as cadence_text,
        'no feed for ' || {{ feed_hours_text('hours_since_last_feed') }} as silence_text,
        last_file_landing_key || ' (load ' || cast(last_file_load_id as varchar) || ')' as last_file_text

    from timed_streams

),

reasoned_statuses as (

    select
        *,
        case
            when status = 'failing' and last_file_status = 'rejected'
                then
                    'The latest file, ' || last_file_text || ', was rejected: marts.load_audit.error says why; '
                    || 'have the sender fix it and land it again.'
            when status = 'failing'
                then
                    'The latest feed, ' || last_file_text || ', is held, not applied (marts.load_audit.error '
                    || 'says why): check it with the sender, then land a corrected feed or release it with '
                    || 'python -m extract release ' || cast(last_file_load_id as varchar) || '.'
            when status = 'stale' and hours_since_last_feed is null
                then
                    'No feed has been loaded yet (' || cadence_text || '): check that the sender exports and '
                    || 'that its files reach the landing zone.'
            when status = 'stale'
                then
                    'Stale: ' || silence_text || ' (' || cadence_text || ', stale after '
                    || {{ feed_hours_text('stale_after_hours') }} || '): check that the sender still exports '
                    || 'and that its files reach the landing zone.'
            when status = 'late'
                then
                    'Late: ' || silence_text || ' (' || cadence_text || ', late after '
                    || {{ feed_hours_text('late_after_hours') }} || '): watch for the next feed; it turns '
                    || 'stale after ' || {{ feed_hours_text('stale_after_hours') }} || '.'
            else
                'OK: last feed ' || {{ feed_hours_text('hours_since_last_feed') }} || ' ago (' || cadence_text
                || ', late after ' || {{ feed_hours_text('late_after_hours') }} || '); nothing to do.'
        end as status_reason

    from statuses

),

final as (

    select
        ----------  ids
        stream_id,
        last_file_load_id,

        ----------  strings
        stream_kind,
        corporate_id,
        source,
        last_file_landing_key,
        last_file_status,
        status,
        status_reason,

        ----------  the cadence (feed_cadences seed)
        expected_every_hours,
        late_after_hours,
        stale_after_hours,

        ----------  numerics
        hours_since_last_feed,
        files_loaded_7d,
        files_rejected_7d,
        files_held_7d,
        records_latest,
        records_previous,
        records_change,

        ----------  timestamps
        last_feed_at,
        last_file_at,
        checked_at

    from reasoned_statuses

)

select * from final
