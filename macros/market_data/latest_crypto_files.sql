{#-
    The load ids of each ticker's latest file among `rows` (a CTE of raw.crypto_rows of one file kind), for
    `where load_id in (...)`: a newer file of a ticker replaces the older one. Newer means landed later:
    the ledger's feed_at (the file's modification time, S3 LastModified), then the load id. Not the load id
    alone: two files of one ticker loaded by two workers or two runs at once, or a file retried after the
    warehouse went away, can commit with load ids in another order than they landed.
-#}
{% macro latest_crypto_files(rows) -%}
    select ranked_files.load_id
    from (
        select
            files.load_id,
            row_number() over (
                partition by files.ticker
                order by files.feed_at desc, files.load_id desc
            ) as recency
        from (
            select distinct
                {{ rows }}.ticker,
                {{ rows }}.load_id,
                load_ledger.feed_at
            from {{ rows }}
            inner join {{ source('extract', 'load_ledger') }} as load_ledger
                on {{ rows }}.load_id = load_ledger.load_id
        ) as files
    ) as ranked_files
    where ranked_files.recency = 1
{%- endmacro %}
