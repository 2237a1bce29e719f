{#- Lab rows with the reason they cannot fit unificado's contract (a value longer than its column, a
    FECHA_COPIA that is not a date-time). -#}
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
        case
            when fecha_copia_text is not null and delivered_fecha_copia is null
                then
                    'FECHA_COPIA '
                    || fecha_copia_text
                    || ' is not a date-time (expected YYYY-MM-DD HH:MM:SS.fff); '
            else ''
        end as unreadable_fecha_copia,
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
        nullif(trim(unreadable_fecha_copia || too_long), '') as rejection_reason

    from checked

)

select * from final
