{#
    The market data settings (dbt_project.yml vars), checked once here so a typo fails the build with a
    sentence instead of odd SQL. Under the SQL linter (sqlfluff), var() returns the placeholder string
    'item': the linter gets the project's defaults.
#}

{% macro crypto_moving_average_windows() -%}
    {%- set configured = var('crypto_moving_average_windows') -%}
    {%- if configured is string and configured == 'item' -%}
        {{ return([7, 14, 30]) }}
    {%- endif -%}
    {%- set windows = [configured] if configured is number else configured -%}
    {%- if windows is string or windows is not iterable or windows | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var crypto_moving_average_windows must be a list of whole numbers of days, e.g. [7, 14, 30]; got "
            ~ configured
        ) }}
    {%- endif -%}
    {%- for window in windows if window is not integer or window < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var crypto_moving_average_windows must list whole numbers of days >= 1; got " ~ configured
        ) }}
    {%- endfor -%}
    {{ return(windows | unique | sort | list) }}
{%- endmacro %}

{% macro crypto_default_missing_price_strategy() -%}
    {%- set configured = var('crypto_missing_price_strategy') -%}
    {%- if configured == 'item' -%}
        {{ return('ffill') }}
    {%- endif -%}
    {%- if configured not in ('ffill', 'drop') -%}
        {{ exceptions.raise_compiler_error(
            "var crypto_missing_price_strategy must be ffill or drop; got " ~ configured
        ) }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}

{% macro crypto_default_fill_limit_days() -%}
    {%- set configured = var('crypto_fill_limit_days') -%}
    {%- if configured is string and configured == 'item' -%}
        {{ return(10) }}
    {%- endif -%}
    {%- if configured is not integer or configured < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var crypto_fill_limit_days must be a whole number of days >= 0; got " ~ configured
        ) }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}

{# The value that stands for Google Trends' "<1" (interest above zero, below one): halfway, in [0, 1). #}
{% macro crypto_trend_below_one_value() -%}
    {%- set configured = var('crypto_trend_below_one', 0.5) -%}
    {%- if configured is string and configured == 'item' -%}
        {{ return(0.5) }}
    {%- endif -%}
    {%- if configured is not number or configured < 0 or configured >= 1 -%}
        {{ exceptions.raise_compiler_error(
            "var crypto_trend_below_one must be a number in [0, 1); got " ~ configured
        ) }}
    {%- endif -%}
    {{ return(configured) }}
{%- endmacro %}
