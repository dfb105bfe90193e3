{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 申报 policies: per street, the eligible enterprises that have not applied (a street
-- office pushes the policy to them). An enterprise without a known street is not pushed
-- (counted in mart_policy_metrics).
with

applied as (
    select distinct uscc, policy_id
    from {{ ref('stg_policy_applications__applications') }}
    where uscc is not null
)

select
    m.street_code,
    s.street_name,
    m.uscc,
    m.enterprise_name,
    m.policy_id,
    m.title,
    m.issuer,
    m.benefit_kind,
    m.benefit_amount_wan
from {{ ref('mart_policy_matches') }} as m
left join {{ ref('ref_shanghai_streets') }} as s using (street_code)
where m.mode = '申报'
    and m.street_code is not null
    and not exists (select from applied as a where a.uscc = m.uscc and a.policy_id = m.policy_id)
