{#
    The per-ticker relations of the BI that read the seed's output: one view per ticker in crypto_daily's
    schema, named after the ticker in lower case (market_data.btc), with the seed's columns
    date, price, trend, pricema (the 14-day moving average), trend_i (the interpolated trend).

    refresh_crypto_ticker_views(this) runs as a post-hook of crypto_daily, inside its transaction (on
    PostgreSQL BI never sees a ticker's view missing): it (re)creates the view of every ticker present
    and drops the views of tickers no longer present. Only views this macro created are ever dropped or
    replaced: it marks each with a comment starting with crypto_ticker_view_marker(); a table or view of
    the same name made by anyone else is left alone, with a warning. Each view gets crypto_daily's select
    grants (bi_reader: macros/grants/bi_reader_grants.sql).
#}

{% macro crypto_ticker_view_marker() -%}
    {{ return('dealer_warehouse crypto ticker view') }}
{%- endmacro %}

{% macro refresh_crypto_ticker_views(daily_relation) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if 14 not in crypto_moving_average_windows() -%}
        {{ exceptions.raise_compiler_error(
            "the per-ticker views need price_ma_14 (the seed's pricema): keep 14 in the var crypto_moving_average_windows"
        ) }}
    {%- endif -%}
    {%- set marker = crypto_ticker_view_marker() -%}
    {%- set tickers = run_query('select distinct ticker from ' ~ daily_relation ~ ' order by ticker').columns[0].values() -%}
    {%- set wanted = {} -%}
    {%- for ticker in tickers -%}
        {%- do wanted.update({ticker | lower: ticker}) -%}
    {%- endfor -%}

    {%- set owned = [] -%}
    {%- set foreign = [] -%}
    {%- for row in run_query(crypto_relations_in_schema_sql(daily_relation.schema)) -%}
        {%- if row[1] == 'v' and (row[2] or '').startswith(marker) -%}
            {%- do owned.append(row[0]) -%}
        {%- else -%}
            {%- do foreign.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in owned if name not in wanted -%}
        {%- do run_query('drop view if exists ' ~ crypto_ticker_view_relation(daily_relation, name)) -%}
        {%- do log('crypto_daily: dropped the view ' ~ daily_relation.schema ~ '.' ~ name ~ ' (ticker no longer present)', info=True) -%}
    {%- endfor -%}

    {%- for name, ticker in wanted.items() -%}
        {%- set view = crypto_ticker_view_relation(daily_relation, name) -%}
        {%- if name in foreign -%}
            {%- do exceptions.warn(
                'crypto_daily: no view for ticker ' ~ ticker ~ ': ' ~ daily_relation.schema ~ '.' ~ name
                ~ ' already exists and was not created by this project'
            ) -%}
        {%- else -%}
            {%- if name in owned -%}
                {%- do run_query('drop view if exists ' ~ view) -%}
            {%- endif -%}
            {%- do run_query(create_crypto_ticker_view_sql(view, daily_relation, ticker)) -%}
            {%- do run_query(
                'comment on view ' ~ view ~ " is '" ~ marker ~ ': ticker ' ~ ticker
                ~ ", rows of " ~ daily_relation.identifier ~ "; replaced on every build, dropped with the ticker'"
            ) -%}
            {#- dbt grants crypto_daily, not the views it does not know: the same select grants, here -#}
            {%- set grant = grant_select_sql(view, (config.get('grants') or {}).get('select') or []) -%}
            {%- if grant -%}
                {%- do run_query(grant) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{% macro crypto_ticker_view_relation(daily_relation, name) -%}
    {{ return(api.Relation.create(
        database=daily_relation.database, schema=daily_relation.schema, identifier=name, type='view'
    )) }}
{%- endmacro %}

{# The select behind one ticker's view: the seed's column names and order. #}
{% macro crypto_ticker_view_select(daily_relation, ticker) -%}
    select
        date,
        price,
        trend,
        price_ma_14 as pricema,
        trend_interpolated as trend_i
    from {{ daily_relation }}
    where ticker = '{{ ticker | replace("'", "''") }}'
{%- endmacro %}

{% macro create_crypto_ticker_view_sql(view, daily_relation, ticker) -%}
    {{ return(adapter.dispatch('create_crypto_ticker_view_sql', 'dealer_warehouse')(view, daily_relation, ticker)) }}
{%- endmacro %}

{% macro default__create_crypto_ticker_view_sql(view, daily_relation, ticker) -%}
    create view {{ view }} as
    {{ crypto_ticker_view_select(daily_relation, ticker) }}
{%- endmacro %}

{# Late binding: the view survives crypto_daily being rebuilt (dropped and renamed) by later builds. #}
{% macro redshift__create_crypto_ticker_view_sql(view, daily_relation, ticker) -%}
    create view {{ view }} as
    {{ crypto_ticker_view_select(daily_relation, ticker) }}
    with no schema binding
{%- endmacro %}

{# name, relkind ('r' table, 'v' view, ...) and comment of every relation in a schema. #}
{% macro crypto_relations_in_schema_sql(schema) -%}
    {{ return(adapter.dispatch('crypto_relations_in_schema_sql', 'dealer_warehouse')(schema)) }}
{%- endmacro %}

{% macro default__crypto_relations_in_schema_sql(schema) -%}
    select
        relations.relname as relation_name,
        relations.relkind as relation_kind,
        obj_description(relations.oid, 'pg_class') as relation_comment
    from pg_catalog.pg_class as relations
    inner join pg_catalog.pg_namespace as namespaces
        on relations.relnamespace = namespaces.oid
    where namespaces.nspname = '{{ schema }}'
        and relations.relkind in ('r', 'v', 'm', 'p', 'f')
{%- endmacro %}

{% macro redshift__crypto_relations_in_schema_sql(schema) -%}
    select
        relations.relname as relation_name,
        relations.relkind as relation_kind,
        descriptions.description as relation_comment
    from pg_catalog.pg_class as relations
    inner join pg_catalog.pg_namespace as namespaces
        on relations.relnamespace = namespaces.oid
    left join pg_catalog.pg_description as descriptions
        on relations.oid = descriptions.objoid
            and descriptions.objsubid = 0
    where namespaces.nspname = '{{ schema }}'
        and relations.relkind in ('r', 'v')
{%- endmacro %}
