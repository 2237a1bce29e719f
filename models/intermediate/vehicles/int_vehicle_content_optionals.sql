{{
    config(
        post_hook='{{ refresh_statistics(this) }}',
        materialized='incremental',
        incremental_strategy='append',
        indexes=[
            {'columns': ['layer_id', 'content_hash']},
            {'columns': ['batch_at']},
        ],
        sort=['layer_id', 'content_hash'],
        dist='layer_id',
    )
}}

{#-
    The optionals (equipment) of every distinct content of a layer, replaced as a whole with the
    content. Unnested once, when the content is new.
-#}

with

contents as (

    select * from {{ ref('int_vehicle_contents') }}
    {{- where_batch_is_new() }}

),

optionals as (

    select * from {{ ref('int_vehicle_optionals_unioned') }}
    where
        load_id >= (select min(contents.first_load_id) from contents)
        and load_id in (select contents.first_load_id from contents)

),

final as (

    select
        contents.layer_id,
        contents.content_hash,
        optionals.position,
        optionals.code,
        optionals.description,
        optionals.is_standard,
        contents.batch_at

    from contents
    inner join optionals
        on
            contents.layer_id = optionals.layer_id
            and contents.first_load_id = optionals.load_id

)

select * from final
