{#-
    One row per landed market data file: its load, ticker and kind (price or trend, from its header).
    Feed health compares a ticker's latest file with its previous file of the same kind.
-#}
with

source as (

    select * from {{ source('crypto', 'crypto_rows') }}

),

files as (

    select distinct
        ----------  ids
        load_id,

        ----------  strings
        ticker,
        file_kind

    from source

)

select * from files
