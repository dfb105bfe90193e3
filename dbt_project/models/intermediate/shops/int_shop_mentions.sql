-- Every record of the four shop sources that names a shop, in one shape for linking.
with

licences as (
    select
        'shop_licences' as source, licence_no as record_id, shop_id, uscc,
        holder_name as mentioned_name, holder_name_core as name_core, address_key
    from {{ ref('stg_shop_licences__licences') }}
),

inspections as (
    select
        'shop_inspections', inspection_id, shop_id, uscc, shop_name, shop_name_core, address_key
    from {{ ref('stg_shop_inspections__inspections') }}
),

ratings as (
    select 'shop_ratings', rating_key, shop_id, uscc, shop_name, shop_name_core, null::text
    from {{ ref('stg_shop_ratings__ratings') }}
),

feedback as (
    select 'consumer_feedback', feedback_id, shop_id, null::text, shop_name, shop_name_core, address_key
    from {{ ref('stg_consumer_feedback__feedback') }}
),

unioned as (
    select * from licences
    union all select * from inspections
    union all select * from ratings
    union all select * from feedback
)

select
    source,
    record_id,
    shop_id as given_shop_id,
    uscc,
    mentioned_name,
    nullif(regexp_replace(normalize(coalesce(mentioned_name, ''), NFKC), '[[:space:]　]', '', 'g'), '')
        as name_full,
    name_core,
    address_key,
    nullif(split_part(address_key, '|', 1), '') as road
from unioned
