{#-
    Every version of every layer: the versions of snapshot sources and of events sources, each engine
    numbering its layers' versions 1, 2, ... in the order they began. A view: the engines' tables are the
    history; what reads it filters on built_at or layer_id, which both tables index.
-#}

with

snapshot_versions as (

    select * from {{ ref('int_vehicle_snapshot_versions') }}

),

event_versions as (

    select * from {{ ref('int_vehicle_event_versions') }}

),

unioned as (

    select {{ layer_version_columns() | join(', ') }} from snapshot_versions
    union all
    select {{ layer_version_columns() | join(', ') }} from event_versions

),

final as (

    select
        *,
        valid_to is null as is_current

    from unioned

)

select * from final
