{#- Every image of every vehicle record, per DMS as its track file says; among size variants the
    largest present wins. -#}
with

list_elements as (

    {{ dms_list_selects('images', ['url']) }}

),

largest_variant as (

    select
        *,
        row_number() over (
            partition by load_id, corporate_id, source, external_source_id, list_entry, entry_position
            order by variant_rank
        ) as variant_choice

    from list_elements
    where url is not null

),

final as (

    select
        {{ layer_key('corporate_id', 'source', 'external_source_id') }} as layer_id,
        load_id,
        corporate_id,
        source,
        external_source_id,
        row_number() over (
            partition by load_id, corporate_id, source, external_source_id
            order by list_entry, entry_position
        ) as position,
        url

    from largest_variant
    where variant_choice = 1

)

select * from final
