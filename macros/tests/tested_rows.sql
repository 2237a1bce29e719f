{#-
    The rows a data test checks: what the project's generic tests (not_null_columns,
    unique_combination_of_columns, no_overlapping_ranges, one_open_row_per_key, references,
    values_in_catalogue_vocabularies) select from instead of `model`. A test of a big vehicle table names
    its scope in its own YAML entry, with these optional arguments:

    batch_column: the column stamping each row with the dbt run that wrote it (batch_at, or built_at): the
        test checks the model's latest batch, the rows whose batch_column is the greatest it holds. The
        incremental vehicle models rewrite whole layers or vehicles, so the rows of an earlier batch are
        the ones an earlier run tested. A run that wrote nothing leaves the previous batch the latest: a
        rerun checks that batch again (nothing only when the table is empty).
    batch_key: with batch_column, every row of the keys (one column: layer_id, vehicle_id) that have a row
        in the latest batch: every version of the layers or vehicles the latest batch changed (a history),
        or a key's rows of every batch (uniqueness across batches).
    batch_from: for a view, the model (its name, or a list of names: the greatest of their latest batches)
        whose latest batch_column is the view's: a table the view is built on, whose max is one read of its
        index, where the view's would read every row the view can give. A name, not a ref: a ref would
        make the test a child of that table too, and `dbt build --select +<table>` would run it without
        the view (dbt selects a test when any of its parents is selected).

    Without batch_column, every row (a small table). `--vars '{test_all_rows: true}'` checks every row
    whatever the arguments. The scope is read when the test runs (dbt compiles a test after the models it
    tests are built) and written into its SQL as a literal, so the compiled test names the batch it
    checked: a `where` config cannot do it, as dbt renders it when it parses the project (and partial
    parsing keeps what it rendered). A literal, not a subquery: PostgreSQL plans `batch_at = (select max
    ...)` without knowing the value, as one row in the few distinct batches, and scans the whole table
    (16 scans of a million ranked layers for the lineage view), where the literal reaches the batch_at index.
-#}
{% macro tested_rows(model, batch_column=none, batch_key=none, batch_from=none) -%}
    {%- if batch_column is none or var('test_all_rows', false) -%}
        {{- return(model) -}}
    {%- endif -%}
    {%- if batch_from is none -%}
        {%- set batch_relations = [model] -%}
    {%- else -%}
        {%- set batch_relations = [] -%}
        {%- for name in ([batch_from] if batch_from is string else batch_from) -%}
            {%- do batch_relations.append(model_relation(name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set latest_batch = latest_batch_literal(batch_column, batch_relations) -%}
    {%- set batch_rows = 'select * from ' ~ model ~ ' where ' ~ batch_column ~ ' = ' ~ latest_batch -%}
    {%- if batch_key is none -%}
        {{- return('(' ~ batch_rows ~ ') as tested_rows') -}}
    {%- endif -%}
    {%- set batch_keys = 'select ' ~ batch_key ~ ' from ' ~ model ~ ' where ' ~ batch_column ~ ' = ' ~ latest_batch -%}
    {%- set key_filter = in_subquery(batch_key, batch_keys) if batch_from is not none else batch_key ~ ' in (' ~ batch_keys ~ ')' -%}
    {{- return('(select * from ' ~ model ~ ' where ' ~ key_filter ~ ') as tested_rows') -}}
{%- endmacro %}

{#
    The latest batch of `relations` (the greatest of their greatest `batch_column`), read now, as a SQL
    literal; `null` when they hold no row or do not exist yet (`dbt compile` on an empty warehouse): the
    test then checks nothing, as there is nothing to check. `make redshift-check` (no cluster to ask) gets
    an epoch literal, the shape a real run compiles.
#}
{% macro latest_batch_literal(batch_column, relations) -%}
    {%- if not execute -%}
        {{- return('null') -}}
    {%- elif redshift_check_branch() is not none -%}
        {{- return("'1900-01-01 00:00:00'") -}}
    {%- endif -%}
    {%- set latest_batches = [] -%}
    {%- for relation in relations -%}
        {%- if existing_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{- return('null') -}}
        {%- endif -%}
        {%- do latest_batches.append('(select max(' ~ batch_column ~ ') from ' ~ relation ~ ')') -%}
    {%- endfor -%}
    {%- set latest = latest_batches[0] if latest_batches | length == 1 else 'greatest(' ~ latest_batches | join(', ') ~ ')' -%}
    {%- set value = run_query('select cast(' ~ latest ~ ' as varchar(64))').columns[0].values()[0] -%}
    {{- return('null' if value is none else "'" ~ value ~ "'") -}}
{%- endmacro %}

{# The relation a model of this project is built into, from dbt's graph (no dependency, unlike ref()). #}
{% macro model_relation(name) -%}
    {%- if not execute -%}
        {{ return(api.Relation.create(identifier=name)) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name and node.name == name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("tested_rows: batch_from names no model of this project: " ~ name) }}
{%- endmacro %}

{#
    `column in (subquery)` for a view (batch_from). PostgreSQL: `column = any(array(subquery))`, a filter it
    pushes into a view's union branches and answers from their indexes, where `in` would be a join it
    cannot push. A table keeps `in` (a hash semi-join): an array of a first build's million keys is
    searched row by row. A view whose rows of a key all share one batch (every row of a vehicle or layer is
    rewritten together) needs no batch_key at all.
#}
{% macro in_subquery(column, subquery) -%}
    {{ return(adapter.dispatch('in_subquery', 'dealer_warehouse')(column, subquery)) }}
{%- endmacro %}

{% macro default__in_subquery(column, subquery) -%}
    {{ column }} in ({{ subquery }})
{%- endmacro %}

{% macro postgres__in_subquery(column, subquery) -%}
    {{ column }} = any(array({{ subquery }}))
{%- endmacro %}

{% macro redshift__in_subquery(column, subquery) -%}
    {{ column }} in ({{ subquery }})
{%- endmacro %}
