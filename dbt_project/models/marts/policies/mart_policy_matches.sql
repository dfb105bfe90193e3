{{
    config(
        grants={'+select': ['cityops_street']},
        pre_hook=["set local work_mem = '256MB'", "set local maintenance_work_mem = '512MB'"],
        post_hook=[
            "{{ street_row_security('street_code') }}",
            "create unique index if not exists {{ this.name }}_pair on {{ this }} (uscc, policy_id)",
        ],
    )
}}
-- 政策通 matches on the run date: one row per enterprise and policy in force whose every
-- condition holds. conditions_met holds the enterprise's value of each field the policy's
-- conditions read (field -> value; the conditions are in dim_policy_condition, and
-- `cityops policies explain` prints them side by side).
with

policies as (
    select
        s.policy_id,
        s.title,
        s.mode,
        s.issuer,
        s.conditions,
        {{ policy_reads_columns('s.fields') }}
    from {{ ref('int_policy_condition_slots') }} as s
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
)

select
    r.uscc,
    f.enterprise_name,
    f.street_code,
    r.policy_id,
    p.title,
    p.mode,
    p.issuer,
    v.benefit_kind,
    v.benefit_amount_wan,
    p.conditions,
    {{ policy_facts_read('f', 'p') }} as conditions_met
from {{ ref('int_policy_pair_results') }} as r
inner join policies as p using (policy_id)
inner join facts as f using (uscc)
inner join {{ ref('dim_policy_version') }} as v on v.policy_id = r.policy_id and v.is_in_force
where r.failed_condition is null
