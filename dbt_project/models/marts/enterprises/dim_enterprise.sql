{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 精准营商: one row per enterprise of the newest register snapshot, keyed by its credit
-- code, with its building in the housing registry (path and confidence). The legal
-- representative's ID number stays in staging.
with

register as (
    select * from {{ ref('stg_enterprises__register') }}
),

buildings as (
    select * from {{ ref('int_enterprise_buildings') }}
)

select
    r.uscc,
    r.enterprise_name,
    r.legal_rep_name,
    r.registered_address,
    r.district_code,
    r.district_name,
    r.street_code,
    r.street_name,
    r.industry_code,
    r.registered_capital_wan,
    r.established_on,
    r.status,
    r.status in ('吊销', '注销', '迁出') as has_ended,
    r.qualifications,
    b.building_code,
    b.link_path as building_link_path,
    b.link_confidence as building_link_confidence,
    b.link_status as building_link_status,
    r.snapshot_on
from register as r
left join buildings as b using (uscc)
