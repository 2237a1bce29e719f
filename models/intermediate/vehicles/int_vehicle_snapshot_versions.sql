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
        end as continued_after_feed_number
    from {{ ref('int_vehicle_sequence_changes') }}
    where {{ is_after_watermark('batch_at', 'built_at') }}
    group by corporate_id, source

),

new_listings as (

    -- the new feeds' listings, or every listing of a rebuilt sequence: the day's million rows, narrow
    select
        deliveries.layer_id,
        deliveries.corporate_id,
        deliveries.source,
        deliveries.external_source_id,
        deliveries.content_hash,
        deliveries.load_id,
        deliveries.record_index,
        feeds.feed_number

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
    select {{ layer_delivery_select('built', 'last_feeds', 'built', ['first_load_id', 'valid_from', 'landing_key']) }}
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
    select {{ layer_delivery_select('listed', 'feeds', 'feeds', ['load_id', 'feed_at', 'landing_key']) }}
    from new_listings as listed cross join {{ ref('int_vehicle_feed_sequences') }} as feeds
    where false
    {%- endif %}

),

expected_listings as (

    -- what each new feed of a continued sequence lists if nothing changed: every current version, as it is
    select
        carried_rows.layer_id,
        carried_rows.content_hash,
        new_feeds.feed_number
    from carried_rows
    inner join {{ ref('int_vehicle_feed_sequences') }} as new_feeds
        on
            carried_rows.corporate_id = new_feeds.corporate_id
            and carried_rows.source = new_feeds.source
            and carried_rows.feed_number < new_feeds.feed_number

),

changed_layers as (

    -- the layers whose listings differ from what was expected: a new or changed content, a listing missing
    select distinct coalesce(new_listings.layer_id, expected_listings.layer_id) as layer_id
    from new_listings
    full outer join expected_listings
        on
            new_listings.layer_id = expected_listings.layer_id
            and new_listings.feed_number = expected_listings.feed_number
    where
        new_listings.layer_id is null or expected_listings.layer_id is null
        or new_listings.content_hash != expected_listings.content_hash

),

streamed_rows as (

    -- the changed layers (on a first build, every layer): their listings (a stock id listed twice in one feed:
    -- its last record) and current versions
    select {{ layer_delivery_columns() | join(', ') }}
    from (
        select
            {{ layer_delivery_select('listed', 'feeds', 'feeds', ['load_id', 'feed_at', 'landing_key']) }},
            row_number() over (
                partition by listed.layer_id, listed.feed_number order by listed.record_index desc
            ) as listing_in_feed
        from new_listings as listed
        inner join {{ ref('int_vehicle_feed_sequences') }} as feeds on listed.load_id = feeds.load_id
        {%- if is_incremental() %}
        inner join changed_layers on listed.layer_id = changed_layers.layer_id
        {%- endif %}
    ) as listed
    where listing_in_feed = 1
    union all
    select {{ layer_delivery_columns() | join(', ') }} from carried_rows
    where layer_id in (select changed_layers.layer_id from changed_layers)

),

versions as (
    {{ fold_layer_versions('(' ~ number_layer_versions(
        'streamed_rows', 'feed_number', ['feed_number', 'content_hash'],
        'previous_feed_number = feed_number - 1 and previous_content_hash = content_hash',
        'next_feed_number = feed_number + 1 and next_content_hash = content_hash',
    ) ~ ') as numbered_rows', current_names_last_delivery=false) }}
),

final as (
    {{ number_after_closed_versions('versions', 'sequence_modes') }}
)

select * from final
