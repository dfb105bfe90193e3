{{
    config(
        materialized='view',
        grants={'+select': ['cityops_street']},
        post_hook=["alter view {{ this }} set (security_invoker = true)"],
    )
}}
-- Near misses: enterprises that meet every condition of a policy in force but one, with that
-- one, the enterprise's value and the two in words ("headcount 8, needs ≥ 10"). A policy of
-- one condition has none. A view over the matcher's near misses (int_policy_near_misses,
-- one row per enterprise): the pairs are unnested and the words written when read, for one
-- enterprise, street or policy at a time, rather than stored for every pair each run. It runs with the reader's rights, so
-- street accounts see their own.
with

conditions as (
    select * from {{ ref('dim_policy_condition') }}
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

near as (
    select
        n.uscc,
        f.enterprise_name,
        f.street_code,
        r.policy_id,
        p.title,
        p.mode,
        c.condition_no,
        c.field,
        c.op,
        c.value_text,
        c.label,
        {{ policy_fact_text('c.field_no', 'f') }} as enterprise_value
    from {{ ref('int_policy_near_misses') }} as n
    cross join lateral unnest(n.policy_ids, n.failed_conditions) as r (policy_id, failed_condition)
    inner join {{ ref('int_policy_condition_slots') }} as p using (policy_id)
    inner join conditions as c on c.policy_id = r.policy_id and c.condition_no = r.failed_condition
    inner join facts as f on f.uscc = n.uscc
)

select
    uscc,
    enterprise_name,
    street_code,
    policy_id,
    title,
    mode,
    condition_no,
    field,
    op,
    value_text,
    enterprise_value,
    {{ policy_condition_words('label', 'enterprise_value', 'op', 'value_text') }} as failing_condition
from near
