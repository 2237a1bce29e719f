{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['layer_id', 'version_number'],
        indexes=[{'columns': ['layer_id', 'version_number'], 'unique': true}, {'columns': ['built_at']}],
        dist='layer_id',
    )
}}

{#- The versions of the layers of snapshot sources: how a run builds them is in _vehicles__models.yml. -#}

with

sequence_modes as (

    select
        corporate_id,
        source,
        case
            when count(nullif(continued_after_feed_number, 0)) = count(*) then min(continued_after_feed_number)
        end as continued_after_feed_number,
        sum(new_feed_count) as new_feed_count
    from {{ ref('int_vehicle_sequence_changes') }}
    where {{ is_after_watermark('batch_at', 'built_at') }}
    group by corporate_id, source

),

streamed_deliveries as (

    -- the new feeds' deliveries, or every delivery of a rebuilt sequence
    select
        {{ layer_delivery_select('deliveries', 'feeds', 'feeds', ['load_id', 'feed_at', 'landing_key']) }},
        deliveries.record_index

    from {{ ref('int_vehicle_feed_sequences') }} as feeds
    inner join sequence_modes
        on feeds.corporate_id = sequence_modes.corporate_id and feeds.source = sequence_modes.source
    inner join {{ ref('stg_dms__vehicle_deliveries') }} as deliveries
        on feeds.load_id = deliveries.load_id
    where feeds.feed_number > coalesce(sequence_modes.continued_after_feed_number, 0)

),

carried_rows as (

    -- the current versions of the continued sequences, one row standing for the whole run so far
    {%- if is_incremental() %}
    select
        {{ layer_delivery_select('built', 'last_feeds', 'built', ['first_load_id', 'valid_from', 'landing_key']) }},
        sequence_modes.new_feed_count

    from {{ this }} as built
    inner join sequence_modes
        on built.corporate_id = sequence_modes.corporate_id and built.source = sequence_modes.source
    inner join {{ ref('int_vehicle_feed_sequences') }} as last_feeds
        on
            sequence_modes.corporate_id = last_feeds.corporate_id
            and sequence_modes.source = last_feeds.source
            and sequence_modes.continued_after_feed_number = last_feeds.feed_number
    where built.valid_to is null
    {%- else %}
    select {{ layer_delivery_columns() | join(', ') }}, 0 as new_feed_count from streamed_deliveries
    where false
    {%- endif %}

),

unchanged_layers as (

    -- current versions that every new feed of their sequence lists exactly once, with the same content
    select carried_rows.layer_id

    from carried_rows
    inner join streamed_deliveries
        on carried_rows.layer_id = streamed_deliveries.layer_id
    group by carried_rows.layer_id
    having
        count(*) = max(carried_rows.new_feed_count)
        and count(distinct streamed_deliveries.feed_number) = max(carried_rows.new_feed_count)
        and bool_and(streamed_deliveries.content_hash = carried_rows.content_hash)

),

streamed_rows as (

    -- the changed layers: their deliveries (a stock id listed twice in one feed: its last record) and versions
    select {{ layer_delivery_columns() | join(', ') }}
    from (
        select
            streamed_deliveries.*,
            row_number() over (
                partition by streamed_deliveries.layer_id, streamed_deliveries.feed_number
                order by streamed_deliveries.record_index desc
            ) as listing_in_feed
        from streamed_deliveries
        where streamed_deliveries.layer_id not in (select unchanged_layers.layer_id from unchanged_layers)
    ) as listed
    where listing_in_feed = 1
    union all
    select {{ layer_delivery_columns() | join(', ') }} from carried_rows
    where layer_id not in (select unchanged_layers.layer_id from unchanged_layers)

),

versions as (
    {{ fold_layer_versions('(' ~ number_layer_versions(
        'streamed_rows', 'feed_number', ['feed_number', 'content_hash'],
        'previous_feed_number = feed_number - 1 and previous_content_hash = content_hash',
        'next_feed_number = feed_number + 1 and next_content_hash = content_hash',
    ) ~ ') as numbered_rows', current_names_last_delivery=false) }}
),

built_counts as (

    -- the closed versions already built of each layer of a continued sequence
    select
        built.layer_id,
        count(built.valid_to) as closed_count

    {%- if is_incremental() %}
    from {{ this }} as built
    inner join sequence_modes
        on built.corporate_id = sequence_modes.corporate_id and built.source = sequence_modes.source
    where
        sequence_modes.continued_after_feed_number is not null
        and built.layer_id in (select versions.layer_id from versions)
    {%- else %}
    from versions as built
    where false
    {%- endif %}
    group by built.layer_id

),

final as (

    select
        {%- for column in layer_version_columns() if column != 'version_number' %}
        versions.{{ column }},
        {%- endfor %}
        cast(versions.streamed_version_number + coalesce(built_counts.closed_count, 0) as integer) as version_number
    from versions
    left join built_counts
        on versions.layer_id = built_counts.layer_id

)

select * from final
