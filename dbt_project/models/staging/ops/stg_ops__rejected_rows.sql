{{ config(materialized='view') }}

with

source as (
    select batch_id, row_number, rule, column_name from {{ source('ops', 'rejected_rows') }}
),

renamed as (
    select
        batch_id,
        row_number,
        coalesce(rule, 'unreadable_row') as rule,
        column_name
    from source
),

final as (
    select * from renamed
)

select * from final
