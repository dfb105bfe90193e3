{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 政策通 matches on the run date: one row per enterprise and policy in force whose every
-- condition holds, each condition with the enterprise's value that met it.
select
    r.uscc,
    r.enterprise_name,
    r.street_code,
    r.policy_id,
    r.title,
    r.mode,
    r.issuer,
    p.benefit_kind,
    p.benefit_amount_wan,
    r.evaluation as conditions_met
from {{ ref('int_policy_pair_results') }} as r
inner join {{ ref('dim_policy_version') }} as p on p.policy_id = r.policy_id and p.is_in_force
where r.failed = 0
