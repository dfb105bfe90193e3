{{
    config(
        materialized='view',
        post_hook=["alter view {{ this }} set (security_invoker = true)"],
    )
}}
-- Every condition of every policy in force, evaluated for every enterprise it could apply
-- to, with the enterprise's value: one set-based pass (a policy that names a district by
-- `district =` is only paired with that district's enterprises). A view: the matches and
-- near misses are built from it, and `cityops policies explain` reads it for one
-- enterprise (it runs with the reader's rights, so street accounts see their own).
with

conditions as (
    select * from {{ ref('dim_policy_condition') }}
),

scopes as (
    select policy_id, min(value_texts[1]) as district
    from conditions
    where field = 'district' and op = '='
    group by policy_id
),

policies as (
    select p.policy_id, p.title, p.mode, p.issuer, s.district
    from {{ ref('dim_policy_version') }} as p
    left join scopes as s using (policy_id)
    where p.is_in_force
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

pairs as (
    select f.*, p.policy_id, p.title, p.mode, p.issuer
    from policies as p
    inner join facts as f on p.district is null or f.district = p.district
),

valued as (
    select
        p.uscc,
        p.enterprise_name,
        p.street_code,
        p.policy_id,
        p.title,
        p.mode,
        p.issuer,
        c.condition_no,
        c.field,
        c.op,
        c.value_text,
        c.label,
        c.kind,
        c.value_texts,
        c.value_number,
        c.value_bool,
        case c.field
            when 'industry_code' then p.industry_code
            when 'district' then p.district
            when 'street' then p.street
            when 'status' then p.status
        end as fact_text,
        case c.field
            when 'registered_capital_wan' then p.registered_capital_wan
            when 'years_since_established' then p.years_since_established
            when 'employees' then p.employees
            when 'headcount_growth_12m' then p.headcount_growth_12m
        end as fact_number,
        case c.field
            when 'not_on_abnormal_list' then p.not_on_abnormal_list
            when 'in_building' then p.in_building
        end as fact_bool,
        case c.field when 'qualifications' then p.qualifications end as fact_list
    from pairs as p
    inner join conditions as c using (policy_id)
)

select
    uscc,
    enterprise_name,
    street_code,
    policy_id,
    title,
    mode,
    issuer,
    condition_no,
    field,
    op,
    value_text,
    label,
    coalesce(
        fact_text,
        case when kind = 'number' then round(fact_number, 3)::text end,
        fact_bool::text,
        nullif(array_to_string(fact_list, '、'), ''),
        'unknown'
    ) as enterprise_value,
    staging.policy_condition_holds(
        kind, op, value_texts, value_number, value_bool, fact_text, fact_number, fact_bool, fact_list
    ) as holds
from valued
