-- Every example case of seed policy_condition_examples gives its stated answer through
-- both bindings of macro policy_op_holds(), the one test of each operator: with the value
-- in columns (policy_condition_holds, as the explain view and the metrics read it) and
-- compiled in as literals (as the matcher runs it, the seed read when the test runs). Each
-- example is run for every field of its kind that allows its operator, on a facts row whose
-- fields of that kind all carry the example's fact.
with

examples as (
    select
        e.*,
        {{ policy_op_no('e.op') }} as op_no,
        {{ policy_value_texts('e.value::jsonb') }} as texts,
        {{ policy_value_number('e.value::jsonb') }} as num,
        {{ policy_value_bool('e.value::jsonb') }} as flag
    from {{ ref('policy_condition_examples') }} as e
),

cases as (
    select e.*, {{ policy_field_no('f.field') }} as field_no
    from examples as e
    left join {{ ref('policy_condition_fields') }} as f
        on f.kind = e.kind and e.op = any(string_to_array(f.ops, ';'))
),

facts as (
    select
        c.*,
        {%- for name, kind in policy_rules().fields %}
        {%- if kind == 'text' %} c.fact_text::text
        {%- elif kind == 'number' %} c.fact_number::numeric
        {%- elif kind == 'bool' %} c.fact_bool::boolean
        {%- else %} string_to_array(nullif(c.fact_list::text, ''), ';')
        {%- endif %} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from cases as c
)

{%- set examples = run_query("select example, kind, op, value from " ~ ref('policy_condition_examples')).rows if execute else [] %}

select example, kind, op, value, field_no, expected, 'columns' as binding
from facts as f
where f.field_no is null  -- an example no field can run
    or {{ policy_condition_holds('f.field_no', 'f.op_no', 'f.texts', 'f.num', 'f.flag', 'f') }}
    is distinct from f.expected
{%- for example, kind, op, value in examples %}
{%- for name, field_kind in policy_rules().fields if field_kind == kind %}
union all
select example, kind, op, value, field_no, expected, 'literals' as binding
from facts as f
where f.example = {{ policy_value_literals(example).text }}
    and f.field_no = {{ policy_field_no("'" ~ name ~ "'") }}
    and coalesce({{ policy_op_holds(kind, op, 'f.' ~ name, policy_value_literals(fromjson(value))) }}, false)
    is distinct from f.expected
{%- endfor %}
{%- endfor %}
