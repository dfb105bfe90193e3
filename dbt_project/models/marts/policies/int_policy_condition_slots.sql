{{ config(grants={'+select': ['cityops_street']}) }}
-- One row per policy in force with its conditions side by side (condition i in the columns
-- *_i, up to policy_rules().max_conditions, which the ingest gate enforces), and the
-- district it is limited to when a condition names one: the shape the matcher evaluates
-- in one pass over (policy, enterprise) pairs.
{% set slots = range(1, policy_rules().max_conditions + 1) %}
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
    {%- for i in slots %}
    min(c.field_no) filter (where c.condition_no = {{ i }}) as field_{{ i }},
    min(c.op_no) filter (where c.condition_no = {{ i }}) as op_{{ i }},
    max(c.value_texts) filter (where c.condition_no = {{ i }}) as texts_{{ i }},
    min(c.value_number) filter (where c.condition_no = {{ i }}) as num_{{ i }},
    bool_or(c.value_bool) filter (where c.condition_no = {{ i }}) as flag_{{ i }},
    {%- endfor %}
    array_agg(distinct c.field) filter (where c.field is not null) as fields
from policies as p
left join conditions as c using (policy_id)
group by p.policy_id, p.title, p.mode, p.issuer
