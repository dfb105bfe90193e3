{#
    The ledger's load attempts that decided something: loaded, refused (the file
    quarantined) or skipped as a duplicate. A deferred attempt (the file changed while
    it loaded) or an interrupted one is retried and says nothing of the file.
#}
{{ config(materialized='view') }}

with

source as (
    select * from {{ source('ops', 'load_batches') }}
),

renamed as (
    select
        batch_id,
        source as source_name,
        entity as entity_name,
        regexp_replace(source_file, '^.*/', '') as file_name,
        delivered_on,
        status as load_status,
        coalesce(rows_in_file, 0) as rows_in_file,
        coalesce(rows_loaded, 0) as rows_loaded,
        coalesce(rows_rejected, 0) as rows_rejected,
        case when status = 'refused' then errors -> 0 ->> 'error' end as refusal_reason,
        finished_at
    from source
    where status in ('loaded', 'duplicate', 'refused')
),

final as (
    select * from renamed
)

select * from final
