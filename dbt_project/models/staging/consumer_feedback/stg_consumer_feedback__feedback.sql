with

source as (
    {{ latest('consumer_feedback', 'consumer_feedback__feedback') }}
),

renamed as (
    select
        btrim(feedback_id) as feedback_id,
        btrim(channel) as channel,
        btrim(kind) as kind,
        btrim(shop_name) as shop_name,
        staging.shop_name_core(shop_name) as shop_name_core,
        btrim(address) as address,
        staging.shop_address_key(address) as address_key,
        nullif(btrim(shop_id), '') as shop_id,
        staging.safe_timestamp(received_at) as received_at,
        (staging.safe_timestamp(received_at) at time zone 'Asia/Shanghai')::date as received_on,
        staging.safe_numeric(stars)::integer as stars,
        btrim(category) as category,
        staging.safe_timestamp(closed_at) as closed_at
    from source
)

select * from renamed
