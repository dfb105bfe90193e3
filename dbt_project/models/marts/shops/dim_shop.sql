-- The 汇商码 register's shops: one row a shop of the newest snapshot. No operator data.
select
    shop_id,
    shop_name,
    uscc,
    road,
    house_no,
    street_name,
    street_code,
    district_code,
    district_name,
    industry,
    status,
    opened_on,
    lon,
    lat
from {{ ref('stg_shops__register') }}
