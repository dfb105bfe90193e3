{{ config(grants={'+select': ['cityops_street']}) }}
-- The conditions of the policies in force on the run date, one row each, with the value
-- in the forms the matcher compares (texts, number, boolean) and the field's kind and label
-- (seed policy_condition_fields), and the field and operator as their numbers in
-- policy_rules() for the matcher.
with

policies as (
    select * from {{ ref('dim_policy_version') }} where is_in_force
),

fields as (
    select * from {{ ref('policy_condition_fields') }}
),

conditions as (
    select
        p.policy_id,
        p.published_on,
        c.ordinality::int as condition_no,
        c.value ->> 'field' as field,
        c.value ->> 'op' as op,
        c.value -> 'value' as value
    from policies as p
    cross join lateral jsonb_array_elements(p.conditions) with ordinality as c(value, ordinality)
)

select
    c.policy_id,
    c.published_on,
    c.condition_no,
    c.field,
    c.op,
    {{ policy_field_no('c.field') }} as field_no,
    {{ policy_op_no('c.op') }} as op_no,
    c.value,
    f.kind,
    f.label,
    {{ policy_value_texts('c.value') }} as value_texts,
    {{ policy_value_number('c.value') }} as value_number,
    {{ policy_value_bool('c.value') }} as value_bool,
    case when jsonb_typeof(c.value) = 'array'
        then array_to_string(array(select jsonb_array_elements_text(c.value)), '、')
        else c.value #>> '{}' end as value_text
from conditions as c
inner join fields as f using (field)
