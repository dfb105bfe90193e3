{{ config(grants={'+select': ['cityops_street']}) }}
-- One row per policy in force: what the matcher and the marts read of it besides its
-- conditions (dim_policy_condition) - the district it is limited to when a condition names
-- one, how many conditions it has, and the fields they read.
with

policies as (
    select * from {{ ref('dim_policy_version') }} where is_in_force
),

conditions as (
    select * from {{ ref('dim_policy_condition') }}
)

select
    p.policy_id,
    p.title,
    p.mode,
    p.issuer,
    min(c.value_texts[1]) filter (where c.field = 'district' and c.op = '=') as district,
    count(c.condition_no) as conditions,
    array_agg(distinct c.field) filter (where c.field is not null) as fields
from policies as p
left join conditions as c using (policy_id)
group by p.policy_id, p.title, p.mode, p.issuer
