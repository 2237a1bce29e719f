{#-
    Every recorded vehicle feed in its sequence, the feeds of one corporate in one DMS: numbered in
    (feed_at, load_id) order, with the next feed's time, the previous feed's load, and whether its DMS
    sends full snapshots or events (the track's feed_mode). A feed loaded late with an older feed time
    takes its place in the order and renumbers the feeds after it.
-#}

with

feeds as (

    select * from {{ ref('int_vehicle_feeds') }}

),

final as (

    select
        load_id,
        corporate_id,
        source,
        landing_key,
        feed_at,
        batch_at,
        {{ dms_feed_mode_is('source', 'events') }} as is_event_feed,
        row_number() over (partition by corporate_id, source order by feed_at, load_id) as feed_number,
        lead(feed_at) over (partition by corporate_id, source order by feed_at, load_id) as next_feed_at,
        lag(load_id) over (partition by corporate_id, source order by feed_at, load_id) as previous_load_id

    from feeds

)

select * from final
