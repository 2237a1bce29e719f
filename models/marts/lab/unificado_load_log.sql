with

loads as (

    select * from {{ ref('stg_extract__loads') }}
    where domain = 'lab' and status = 'loaded'

),

checked_rows as (

    select * from {{ ref('int_unificado_rows_checked') }}

),

keyed as (

    select
        load_id,
        rejection_reason,
        md5(
            case when id is null then 'n' else 'v' || id end || '|'
            || case when muestra is null then 'n' else 'v' || muestra end || '|'
            || case when resultado is null then 'n' else 'v' || resultado end
        ) as duplicate_key

    from checked_rows

),

first_loads as (

    select
        duplicate_key,
        min(load_id) as first_load_id

    from keyed
    where rejection_reason is null
    group by duplicate_key

),

keys_per_load as (

    select distinct
        keyed.load_id,
        keyed.duplicate_key,
        first_loads.first_load_id

    from keyed
    inner join first_loads
        on keyed.duplicate_key = first_loads.duplicate_key
    where keyed.rejection_reason is null

),

counts as (

    select
        load_id,
        sum(case when first_load_id = load_id then 1 else 0 end) as new_rows,
        sum(case when first_load_id < load_id then 1 else 0 end) as replaced_rows

    from keys_per_load
    group by load_id

),

too_long as (

    select
        load_id,
        count(*) as too_long_rows

    from keyed
    where rejection_reason is not null
    group by load_id

),

final as (

    select
        loads.load_id,
        cast(loads.started_at as timestamp) as fecha_copia,
        loads.landing_key as file,
        loads.rows_loaded + loads.rows_rejected as rows_in_file,
        coalesce(counts.new_rows, 0) as new_rows,
        coalesce(counts.replaced_rows, 0) as replaced_rows,
        loads.rows_rejected + coalesce(too_long.too_long_rows, 0) as rows_rejected,
        '{{ target.dbname }}' as database_name,
        '{{ target.host }}' as database_host

    from loads
    left join counts
        on loads.load_id = counts.load_id
    left join too_long
        on loads.load_id = too_long.load_id

)

select * from final
