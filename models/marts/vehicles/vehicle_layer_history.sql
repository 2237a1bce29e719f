{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['layer_id', 'version_number'],
        indexes=[
            {'columns': ['layer_id', 'version_number'], 'unique': true},
            {'columns': ['corporate_id', 'source']},
            {'columns': ['built_at']},
        ],
        sort=['corporate_id', 'source', 'layer_id', 'valid_from'],
        dist='layer_id',
    )
}}

{#-
    Every distinct version of every layer as delivered. Each feed is a full snapshot of one corporate's
    stock in one DMS, so per (corporate_id, source) the feeds in (feed_at, load_id) order tell, for
    every layer, in which feeds it was present and with which content: a version is a run of
    consecutive feeds with the layer present and unchanged.

    A run reads only the corporate + source sequences that received feeds since the previous run, and
    no JSON (stock id and record hash only). When the new feeds all come after the ones already built
    (the daily case), only the current versions can change: a layer delivered unchanged by every new
    feed keeps its row untouched (a current version has no last delivery to move on: it is in every
    feed since valid_from); every other current version is carried as one row standing for its whole
    run and continued, replaced or closed by the new deliveries. When a new feed sorts before a feed
    already built (loaded late with an older feed time), the whole sequence is rebuilt from its
    deliveries. Rows are replaced by (layer_id, version_number): a new feed can split or extend
    versions, never merge them.

    Sources whose track says feed_mode: events (macros/vehicles/dms_feed_modes.sql) have their own
    branch: a feed adds or updates the ads it holds, a delete record ends one, absence means nothing.
    Per layer, its events in (feed_at, load_id, record_index) order: an ad whose content differs from
    the open version starts a version, the same content continues it, a delete or a different content
    ends it (valid_to = that event's feed time). A run rebuilds every version of the layers that got
    events since the previous run (an added event can split versions, never merge them); an open events
    version names its last event's load, since the later feeds of its sequence need not mention it.
-#}

with

feeds as (

    -- snapshot feeds: the feeds of events sources have their own branch (event_feeds)
    select * from {{ ref('int_vehicle_feeds') }}
    where {{ dms_feed_mode_is('source', 'snapshot') }}

),

event_feeds as (

    select * from {{ ref('int_vehicle_feeds') }}
    where {{ dms_feed_mode_is('source', 'events') }}

),

deliveries as (

    select * from {{ ref('stg_dms__vehicle_deliveries') }}

),

deletes as (

    select * from {{ ref('stg_dms__vehicle_deletes') }}

),

contents as (

    select * from {{ ref('int_vehicle_contents') }}

),

sequenced_feeds as (

    select
        load_id,
        corporate_id,
        source,
        landing_key,
        feed_at,
        {{ is_after_watermark('batch_at', 'built_at') }} as is_new,
        row_number() over (
            partition by corporate_id, source
            order by feed_at, load_id
        ) as feed_number,
        lead(feed_at) over (
            partition by corporate_id, source
            order by feed_at, load_id
        ) as next_feed_at

    from feeds

),

changed_sequences as (

    select
        corporate_id,
        source,
        max(case when not is_new then feed_number end) as last_built_feed_number,
        min(case when is_new then feed_number end) as first_new_feed_number

    from sequenced_feeds
    group by corporate_id, source
    having max(case when is_new then 1 else 0 end) = 1

),

sequence_modes as (

    select
        corporate_id,
        source,
        case
            when last_built_feed_number is null then 0
            when first_new_feed_number > last_built_feed_number then last_built_feed_number
        end as continued_after_feed_number

    from changed_sequences

),

streamed_feeds as (

    -- appended feeds only, or every feed of a sequence that is rebuilt (continued_after_feed_number null)
    select sequenced_feeds.*

    from sequenced_feeds
    inner join sequence_modes
        on
            sequenced_feeds.corporate_id = sequence_modes.corporate_id
            and sequenced_feeds.source = sequence_modes.source
    where sequenced_feeds.feed_number > coalesce(sequence_modes.continued_after_feed_number, 0)

),

streamed_deliveries as (

    select
        deliveries.layer_id,
        deliveries.record_index,
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id,
        deliveries.content_hash,
        streamed_feeds.feed_number,
        streamed_feeds.load_id,
        streamed_feeds.feed_at,
        streamed_feeds.next_feed_at,
        streamed_feeds.load_id as start_load_id,
        streamed_feeds.feed_at as start_at,
        streamed_feeds.landing_key as start_landing_key

    from deliveries
    inner join streamed_feeds
        on deliveries.load_id = streamed_feeds.load_id

),

carried_rows as (

    -- the current versions of the continued sequences, one row for the whole run so far
    {%- if is_incremental() %}
    select
        built.layer_id,
        built.corporate_id,
        built.source,
        built.external_source_id,
        built.content_hash,
        last_built_feeds.feed_number,
        last_built_feeds.load_id,
        last_built_feeds.feed_at,
        last_built_feeds.next_feed_at,
        built.first_load_id as start_load_id,
        built.valid_from as start_at,
        built.landing_key as start_landing_key

    from {{ this }} as built
    inner join sequence_modes
        on
            built.corporate_id = sequence_modes.corporate_id
            and built.source = sequence_modes.source
    inner join sequenced_feeds as last_built_feeds
        on
            sequence_modes.corporate_id = last_built_feeds.corporate_id
            and sequence_modes.source = last_built_feeds.source
            and sequence_modes.continued_after_feed_number = last_built_feeds.feed_number
    where built.valid_to is null
    {%- else %}
    select
        layer_id,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        feed_number,
        load_id,
        feed_at,
        next_feed_at,
        start_load_id,
        start_at,
        start_landing_key

    from streamed_deliveries
    where false
    {%- endif %}

),

new_feed_counts as (

    select
        corporate_id,
        source,
        count(*) as new_feed_count

    from streamed_feeds
    group by corporate_id, source

),

unchanged_layers as (

    -- current versions that every new feed of their sequence lists exactly once, with the same content
    select carried_rows.layer_id

    from carried_rows
    inner join streamed_deliveries
        on carried_rows.layer_id = streamed_deliveries.layer_id
    inner join new_feed_counts
        on
            carried_rows.corporate_id = new_feed_counts.corporate_id
            and carried_rows.source = new_feed_counts.source
    group by carried_rows.layer_id
    having
        count(*) = max(new_feed_counts.new_feed_count)
        and count(distinct streamed_deliveries.feed_number) = max(new_feed_counts.new_feed_count)
        and sum(case when streamed_deliveries.content_hash = carried_rows.content_hash then 1 else 0 end)
        = max(new_feed_counts.new_feed_count)

),

delivered_rows as (

    select
        streamed_deliveries.*,
        -- a stock id listed twice in one feed: its last record stands
        row_number() over (
            partition by streamed_deliveries.layer_id, streamed_deliveries.feed_number
            order by streamed_deliveries.record_index desc
        ) as listing_in_feed

    from streamed_deliveries
    where
        not exists (
            select 1
            from unchanged_layers
            where unchanged_layers.layer_id = streamed_deliveries.layer_id
        )

),

changed_carried_rows as (

    select carried_rows.*

    from carried_rows
    where
        not exists (
            select 1
            from unchanged_layers
            where unchanged_layers.layer_id = carried_rows.layer_id
        )

),

built_version_counts as (

    -- versions already built per layer of the continued sequences; a carried current version is
    -- renumbered from its own number
    {%- if is_incremental() %}
    select
        built.layer_id,
        coalesce(
            max(case when built.valid_to is null then built.version_number end) - 1,
            max(built.version_number)
        ) as earlier_version_count

    from {{ this }} as built
    inner join sequence_modes
        on
            built.corporate_id = sequence_modes.corporate_id
            and built.source = sequence_modes.source
    where
        sequence_modes.continued_after_feed_number is not null
        and built.layer_id in (
            select delivered_rows.layer_id from delivered_rows
            union all
            select changed_carried_rows.layer_id from changed_carried_rows
        )
    group by built.layer_id
    {%- else %}
    select
        layer_id,
        0 as earlier_version_count

    from streamed_deliveries
    where false
    {%- endif %}

),

streamed_rows as (

    select
        layer_id,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        feed_number,
        load_id,
        feed_at,
        next_feed_at,
        start_load_id,
        start_at,
        start_landing_key

    from delivered_rows
    where listing_in_feed = 1

    union all

    select
        layer_id,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        feed_number,
        load_id,
        feed_at,
        next_feed_at,
        start_load_id,
        start_at,
        start_landing_key

    from changed_carried_rows

),

version_edges as (

    select
        *,
        case
            when
                lag(feed_number) over (partition by layer_id order by feed_number) = feed_number - 1
                and lag(content_hash) over (partition by layer_id order by feed_number) = content_hash
                then 0
            else 1
        end as is_version_start,
        case
            when
                lead(feed_number) over (partition by layer_id order by feed_number) = feed_number + 1
                and lead(content_hash) over (partition by layer_id order by feed_number) = content_hash
                then 0
            else 1
        end as is_version_end

    from streamed_rows

),

numbered_versions as (

    select
        *,
        sum(is_version_start) over (
            partition by layer_id
            order by feed_number
            rows between unbounded preceding and current row
        ) as streamed_version_number

    from version_edges

),

event_feed_states as (

    select
        load_id,
        corporate_id,
        source,
        landing_key,
        feed_at,
        {{ is_after_watermark('batch_at', 'built_at') }} as is_new

    from event_feeds

),

changed_event_feeds as (

    -- every feed of the events sequences (corporate + source) that received feeds since the last run
    select event_feed_states.*

    from event_feed_states
    where
        exists (
            select 1
            from event_feed_states as new_feeds
            where
                new_feeds.is_new
                and new_feeds.corporate_id = event_feed_states.corporate_id
                and new_feeds.source = event_feed_states.source
        )

),

sequence_events as (

    -- the ads (the view is named here, not through the `deliveries` CTE, which PostgreSQL would
    -- materialize whole once it is referenced twice) and the deletes of those feeds
    select
        delivered.layer_id,
        delivered.corporate_id,
        delivered.source,
        delivered.external_source_id,
        delivered.content_hash,
        false as is_delete,
        delivered.record_index,
        changed_event_feeds.load_id,
        changed_event_feeds.feed_at,
        changed_event_feeds.landing_key,
        changed_event_feeds.is_new

    from {{ ref('stg_dms__vehicle_deliveries') }} as delivered
    inner join changed_event_feeds
        on delivered.load_id = changed_event_feeds.load_id

    union all

    select
        deletes.layer_id,
        deletes.corporate_id,
        deletes.source,
        deletes.external_source_id,
        cast(null as varchar) as content_hash,
        true as is_delete,
        deletes.record_index,
        changed_event_feeds.load_id,
        changed_event_feeds.feed_at,
        changed_event_feeds.landing_key,
        changed_event_feeds.is_new

    from deletes
    inner join changed_event_feeds
        on deletes.load_id = changed_event_feeds.load_id

),

touched_event_layers as (

    select distinct layer_id

    from sequence_events
    where is_new

),

layer_events as (

    -- every event of those layers, with the content the event before left open (null after a delete
    -- or before the first event) and the next event
    select
        *,
        lag(content_hash) over (
            partition by layer_id
            order by feed_at, load_id, record_index
        ) as previous_content_hash,
        lead(content_hash) over (
            partition by layer_id
            order by feed_at, load_id, record_index
        ) as next_content_hash,
        lead(feed_at) over (
            partition by layer_id
            order by feed_at, load_id, record_index
        ) as next_event_at

    from sequence_events
    where layer_id in (select touched_event_layers.layer_id from touched_event_layers)

),

event_version_edges as (

    -- an ad unlike the open content starts a version; a next event that deletes or changes it ends it
    select
        *,
        case when previous_content_hash = content_hash then 0 else 1 end as is_version_start,
        case when next_content_hash = content_hash then 0 else 1 end as is_version_end

    from layer_events
    where not is_delete

),

numbered_event_versions as (

    select
        *,
        sum(is_version_start) over (
            partition by layer_id
            order by feed_at, load_id, record_index
            rows between unbounded preceding and current row
        ) as streamed_version_number

    from event_version_edges

),

version_rows as (

    -- the snapshot deliveries and the ads of events sources alike: where each version starts and ends
    select
        layer_id,
        streamed_version_number,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        is_version_start,
        is_version_end,
        start_load_id,
        load_id,
        start_landing_key,
        start_at,
        next_feed_at,
        feed_at,
        false as is_event_version

    from numbered_versions

    union all

    -- an events version ends at the event after its last ad (null when there is none yet)
    select
        layer_id,
        streamed_version_number,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        is_version_start,
        is_version_end,
        load_id as start_load_id,
        load_id,
        landing_key as start_landing_key,
        feed_at as start_at,
        next_event_at as next_feed_at,
        feed_at,
        true as is_event_version

    from numbered_event_versions

),

version_spans as (

    select
        layer_id,
        streamed_version_number,
        max(corporate_id) as corporate_id,
        max(source) as source,
        max(external_source_id) as external_source_id,
        max(content_hash) as content_hash,
        max(case when is_version_start = 1 then start_load_id end) as first_load_id,
        max(case when is_version_end = 1 then load_id end) as last_load_id,
        max(case when is_version_start = 1 then start_landing_key end) as landing_key,
        max(case when is_version_start = 1 then start_at end) as valid_from,
        max(case when is_version_end = 1 then next_feed_at end) as valid_to,
        max(case when is_version_end = 1 then feed_at end) as last_seen_at,
        bool_or(is_event_version) as is_event_version

    from version_rows
    group by layer_id, streamed_version_number

),

versions as (

    -- a current snapshot version's last delivery is its sequence's latest feed (see vehicle_layer);
    -- an events version always names its last ad (later feeds of its sequence need not mention it)
    select
        layer_id,
        streamed_version_number,
        corporate_id,
        source,
        external_source_id,
        content_hash,
        first_load_id,
        landing_key,
        valid_from,
        valid_to,
        case when valid_to is not null or is_event_version then last_load_id end as last_load_id,
        case when valid_to is not null or is_event_version then last_seen_at end as last_seen_at

    from version_spans

),

final as (

    select
        ----------  ids
        versions.layer_id,
        versions.corporate_id,
        versions.source,
        versions.external_source_id,
        versions.first_load_id,
        versions.last_load_id,
        versions.content_hash,

        ----------  validity
        versions.valid_from,
        versions.valid_to,
        versions.last_seen_at,
        versions.landing_key,

        ----------  the version's fields
        contents.vin_as_delivered,
        {%- for field in vehicle_fields() %}
        contents.{{ field.name }},
        {%- endfor %}

        ----------  the dbt run that last (re)built this version
        {{ dbt_batch_at() }} as built_at,

        ----------  numbering and flags
        cast(
            coalesce(built_version_counts.earlier_version_count, 0) + versions.streamed_version_number
            as integer
        ) as version_number,
        versions.valid_to is null as is_current

    from versions
    left join contents
        on
            versions.layer_id = contents.layer_id
            and versions.content_hash = contents.content_hash
    left join built_version_counts
        on versions.layer_id = built_version_counts.layer_id

)

select * from final
