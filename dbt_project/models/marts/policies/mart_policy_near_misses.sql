{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- Near misses: enterprises that meet every condition of a policy in force but one, with that
-- one in words ("headcount 8, needs >= 10").
select
    uscc,
    enterprise_name,
    street_code,
    policy_id,
    title,
    mode,
    failing_condition,
    evaluation
from {{ ref('int_policy_pair_results') }}
where failed = 1
