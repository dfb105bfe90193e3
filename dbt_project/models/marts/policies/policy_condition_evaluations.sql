{{
    config(
        materialized='view',
        post_hook=["alter view {{ this }} set (security_invoker = true)"],
    )
}}
-- Every condition of every policy in force, evaluated for every enterprise it could apply
-- to, with the enterprise's value, by the same test of each operator as the matcher (macro
-- policy_op_holds, here bound to the conditions' columns by policy_condition_holds). A view, read for one enterprise at a time
-- by `cityops policies explain`; it runs with the reader's rights, so street accounts see
-- their own.
with

policies as (
    select * from {{ ref('int_policy_condition_slots') }}
),

conditions as (
    select * from {{ ref('dim_policy_condition') }}
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
)

select
    f.uscc,
    f.enterprise_name,
    f.street_code,
    p.policy_id,
    p.title,
    p.mode,
    p.issuer,
    c.condition_no,
    c.field,
    c.op,
    c.value_text,
    c.label,
    {{ policy_fact_text('c.field_no', 'f') }} as enterprise_value,
    {{ policy_condition_holds('c.field_no', 'c.op_no', 'c.value_texts', 'c.value_number', 'c.value_bool', 'f') }}
        as holds
from policies as p
inner join facts as f on p.district is null or f.district = p.district
inner join conditions as c on c.policy_id = p.policy_id
