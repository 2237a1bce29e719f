{#-
    The cadence each feed stream is held to: the row of the feed_cadences seed naming the stream itself
    (e.g. 101/DMS_A), else its source (e.g. DMS_A or BTC), else its kind's default '*'.
-#}
with

streams as (

    select * from {{ ref('int_feed_streams_summarised') }}

),

cadences as (

    select * from {{ ref('feed_cadences') }}

),

matching_cadences as (

    select
        streams.stream_id,
        cadences.expected_every_hours,
        cadences.late_after_hours,
        cadences.stale_after_hours,
        row_number() over (
            partition by streams.stream_id
            order by
                case
                    when cadences.stream = '*' then 3
                    when upper(cadences.stream) = upper(streams.source) then 2
                    else 1
                end
        ) as precedence

    from streams
    inner join cadences
        on
            streams.stream_kind = cadences.stream_kind
            and (
                cadences.stream = '*'
                or upper(cadences.stream) = upper(streams.source)
                or upper(streams.stream_kind || ':' || cadences.stream) = upper(streams.stream_id)
            )

),

final as (

    select
        stream_id,
        expected_every_hours,
        late_after_hours,
        stale_after_hours

    from matching_cadences
    where precedence = 1

)

select * from final
