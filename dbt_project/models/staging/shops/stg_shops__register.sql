with

source as (
    {{ latest('shops', 'shops__register') }}
),

streets as (
    select street_code, street_name from {{ ref('ref_shanghai_streets') }}
    where district_code = '310104'
),

renamed as (
    select
        btrim(s.shop_id) as shop_id,
        btrim(s.shop_name) as shop_name,
        staging.shop_name_core(s.shop_name) as shop_name_core,
        staging.uscc_normalised(s.uscc) as uscc,
        nullif(btrim(s.uscc), '') is not null and staging.uscc_normalised(s.uscc) is null
            as uscc_invalid,
        btrim(s.operator_name) as operator_name,
        staging.id_number_normalise(s.operator_id_number) as operator_id_number,
        btrim(s.road) as road,
        btrim(s.house_no) as house_no,
        staging.shop_address_key(s.road || s.house_no) as address_key,
        btrim(s.street) as street_name,
        st.street_code,
        '310104' as district_code,
        '徐汇区' as district_name,
        btrim(s.industry) as industry,
        btrim(s.status) as status,
        staging.safe_date(translate(s.opened_on, '/', '-')) as opened_on,
        staging.safe_numeric(s.lon)::double precision as lon,
        staging.safe_numeric(s.lat)::double precision as lat,
        s._batch_id
    from source as s
    left join streets as st on st.street_name = btrim(s.street)
)

select * from renamed
