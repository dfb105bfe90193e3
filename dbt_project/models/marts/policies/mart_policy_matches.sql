{{
    config(
        grants={'+select': ['cityops_street']},
        pre_hook="set local work_mem = '256MB'",
        post_hook="{{ street_row_security('street_code') }}",
    )
}}
-- 政策通 matches on the run date: one row per enterprise and policy in force whose every
-- condition holds, from the matcher's one pass over the enterprises (macro policy_results,
-- the catalogue compiled in; int_policy_near_misses runs the same pass for the pairs that
-- fail one). conditions_met holds the enterprise's value of each field the policy's
-- conditions read (field -> value; the conditions are in dim_policy_condition, and
-- `cityops policies explain` prints them side by side). A pair is unique by construction.
-- A fact table of millions of rows: the policy's title, issuer and benefit are in
-- dim_policy_version, the enterprise's name in dim_enterprise_policy_facts.
{%- set catalogue = policy_matcher_catalogue(ref('int_policy_condition_slots'), ref('dim_policy_condition')) %}
with

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

policies as (
    select s.policy_id, s.mode, {{ policy_reads_columns('s.fields') }}
    from {{ ref('int_policy_condition_slots') }} as s
),

matched as (
    select f.*, m.policy_id
    from facts as f
    cross join lateral unnest(
        {{ policy_results(catalogue, 'f', matches_only=true) }}, {{ policy_ids(catalogue) }}
    ) as m (all_hold, policy_id)
    where m.all_hold
)

select
    e.uscc,
    e.street_code,
    e.policy_id,
    p.mode,
    {{ policy_facts_read('e', 'p') }} as conditions_met
from matched as e
inner join policies as p using (policy_id)
