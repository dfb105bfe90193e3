with

source as (
    {{ latest('shop_licences', 'shop_licences__licences') }}
),

renamed as (
    select
        btrim(licence_no) as licence_no,
        nullif(btrim(shop_id), '') as shop_id,
        staging.uscc_normalised(uscc) as uscc,
        btrim(holder_name) as holder_name,
        staging.shop_name_core(holder_name) as holder_name_core,
        btrim(address) as address,
        staging.shop_address_key(address) as address_key,
        btrim(licence_type) as licence_type,
        staging.safe_date(issued_on) as issued_on,
        staging.safe_date(valid_until) as valid_until,
        btrim(status) as status,
        -- a licence's latest row says its state; a revocation counts from its delivery
        _delivered_on as status_since
    from source
)

select * from renamed
