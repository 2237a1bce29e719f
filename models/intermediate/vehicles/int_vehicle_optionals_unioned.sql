{#- Every optional (equipment item) of every vehicle record, per DMS as its track file says. -#}
with

list_elements as (

    {{ dms_list_selects('optionals', ['code', 'description', 'is_standard']) }}

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
        code,
        description,
        coalesce(cast(is_standard as boolean), false) as is_standard

    from list_elements

)

select * from final
