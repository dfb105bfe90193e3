-- 免申即享 policies: per issuer, the eligible enterprises to be granted without applying.
select
    v.issuer,
    m.policy_id,
    v.title,
    m.uscc,
    f.enterprise_name,
    m.street_code,
    v.benefit_kind,
    v.benefit_amount_wan
from {{ ref('mart_policy_matches') }} as m
inner join {{ ref('dim_policy_version') }} as v on v.policy_id = m.policy_id and v.is_in_force
inner join {{ ref('dim_enterprise_policy_facts') }} as f on f.uscc = m.uscc
where m.mode = '免申即享'
