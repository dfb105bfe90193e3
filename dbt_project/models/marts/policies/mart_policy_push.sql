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
    f.enterprise_name,
    m.policy_id,
    v.title,
    v.issuer,
    v.benefit_kind,
    v.benefit_amount_wan
from {{ ref('mart_policy_matches') }} as m
inner join {{ ref('dim_policy_version') }} as v on v.policy_id = m.policy_id and v.is_in_force
inner join {{ ref('dim_enterprise_policy_facts') }} as f on f.uscc = m.uscc
left join {{ ref('ref_shanghai_streets') }} as s on s.street_code = m.street_code
where m.mode = '申报'
    and m.street_code is not null
    and not exists (select from applied as a where a.uscc = m.uscc and a.policy_id = m.policy_id)
