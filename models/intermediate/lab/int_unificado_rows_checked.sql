{#- Lab rows with the reason they cannot fit unificado's contract (a value longer than its column). -#}
{%- set limits = [
    ('chrom', 20), ('pos', 20), ('id', 50), ('ref', 30), ('alt', 20), ('qual', 30), ('filter', 10),
    ('info', 700), ('format', 100), ('muestra', 20), ('valor', 100), ('origen', 900), ('resultado', 20),
] -%}

with

unificado_rows as (

    select * from {{ ref('stg_lab__unificado_rows') }}

),

checked as (

    select
        load_id,
        landing_key,
        line_number,
        fecha_copia,
        {% for column, limit in limits -%}
        {{ column }},
        {% endfor -%}
        {% for column, limit in limits -%}
        case
            when length({{ column }}) > {{ limit }}
                then
                    '{{ column | upper }} has '
                    || cast(length({{ column }}) as varchar)
                    || ' characters, at most {{ limit }}; '
            else ''
        end{{ " ||" if not loop.last }}
        {% endfor -%} as too_long

    from unificado_rows

),

final as (

    select
        load_id,
        landing_key,
        line_number,
        fecha_copia,
        {% for column, limit in limits -%}
        {{ column }},
        {% endfor -%}
        nullif(trim(too_long), '') as rejection_reason

    from checked

)

select * from final
