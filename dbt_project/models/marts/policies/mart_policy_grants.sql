-- 免申即享 policies: per issuer, the eligible enterprises to be granted without applying.
select
    m.issuer,
    m.policy_id,
    m.title,
    m.uscc,
    m.enterprise_name,
    m.street_code,
    m.benefit_kind,
    m.benefit_amount_wan
from {{ ref('mart_policy_matches') }} as m
where m.mode = '免申即享'
