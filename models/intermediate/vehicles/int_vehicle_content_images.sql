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
    The images of every distinct content of a layer (images belong to a version and are replaced as a
    whole: a different image list is a different content). Unnested once, when the content is new.
-#}

with

contents as (

    select * from {{ ref('int_vehicle_contents') }}
    {{- where_batch_is_new() }}

),

images as (

    select * from {{ ref('int_vehicle_images_unioned') }}
    where
        load_id >= (select min(contents.first_load_id) from contents)
        and load_id in (select contents.first_load_id from contents)

),

final as (

    select
        contents.layer_id,
        contents.content_hash,
        images.position,
        images.url,
        contents.batch_at

    from contents
    inner join images
        on
            contents.layer_id = images.layer_id
            and contents.first_load_id = images.load_id

)

select * from final
