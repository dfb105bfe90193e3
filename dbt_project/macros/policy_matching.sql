{#
    The matcher's SQL, generated from policy_rules() (cityops/policy_rules.py): a
    condition's field and operator travel as their numbers in the declared lists, so the
    test of one condition is two integer CASEs and a comparison, inlined into the query
    (no function call per enterprise and condition).
#}

{% macro policy_field_no(field) -%}
    array_position(array[
        {%- for name, kind in policy_rules().fields %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor -%}
    ]::text[], {{ field }})::smallint
{%- endmacro %}

{% macro policy_op_no(op) -%}
    array_position(array[
        {%- for op in policy_rules().operators %}'{{ op }}'{{ ', ' if not loop.last }}{% endfor -%}
    ]::text[], {{ op }})::smallint
{%- endmacro %}

{#
    Whether a condition of a field of ``kind`` holds for the fact ``fact``: null when the
    fact is unknown (policy_condition_holds makes that a failure), as cityops.policy_rules.holds.
#}
{% macro policy_kind_holds(kind, op_no, texts, num, flag, fact) -%}
    {%- set ops = policy_rules().operators -%}
    {%- if kind == 'text' -%}
        case {{ op_no }}
            when {{ ops.index('prefix') + 1 }} then {{ fact }} ^@ any({{ texts }})
            when {{ ops.index('in') + 1 }} then {{ fact }} = any({{ texts }})
            when {{ ops.index('=') + 1 }} then {{ fact }} = {{ texts }}[1]
            when {{ ops.index('!=') + 1 }} then {{ fact }} <> {{ texts }}[1]
        end
    {%- elif kind == 'number' -%}
        case {{ op_no }}
            when {{ ops.index('>=') + 1 }} then {{ fact }} >= {{ num }}
            when {{ ops.index('<=') + 1 }} then {{ fact }} <= {{ num }}
            when {{ ops.index('>') + 1 }} then {{ fact }} > {{ num }}
            when {{ ops.index('<') + 1 }} then {{ fact }} < {{ num }}
            when {{ ops.index('=') + 1 }} then {{ fact }} = {{ num }}
            when {{ ops.index('!=') + 1 }} then {{ fact }} <> {{ num }}
        end
    {%- elif kind == 'bool' -%}
        {{ fact }} = {{ flag }}
    {%- elif kind == 'list' -%}
        {{ texts }}[1] = any({{ fact }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("policy field kind " ~ kind ~ " has no test") }}
    {%- endif -%}
{%- endmacro %}

{# Whether condition (field_no, op_no, texts, num, flag) holds for the facts row ``facts``. #}
{% macro policy_condition_holds(field_no, op_no, texts, num, flag, facts) -%}
    coalesce(case {{ field_no }}
        {%- for name, kind in policy_rules().fields %}
        when {{ loop.index }} then {{ policy_kind_holds(kind, op_no, texts, num, flag, facts ~ '.' ~ name) }}
        {%- endfor %}
    end, false)
{%- endmacro %}

{# The facts row's value of field ``field_no`` as words ('unknown' when it has none). #}
{% macro policy_fact_text(field_no, facts) -%}
    coalesce(case {{ field_no }}
        {%- for name, kind in policy_rules().fields %}
        when {{ loop.index }} then
            {%- if kind == 'number' %} trim_scale(round({{ facts }}.{{ name }}::numeric, 3))::text
            {%- elif kind == 'list' %} nullif(array_to_string({{ facts }}.{{ name }}, '、'), '')
            {%- elif kind == 'bool' %} {{ facts }}.{{ name }}::text
            {%- else %} {{ facts }}.{{ name }}
            {%- endif %}
        {%- endfor %}
    end, 'unknown')
{%- endmacro %}

{# The facts row as one jsonb object, field -> value, for the matches' conditions_met. #}
{% macro policy_facts_object(facts) -%}
    jsonb_build_object(
        {%- for name, kind in policy_rules().fields %}
        '{{ name }}', {{ facts }}.{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{# A near miss's failing condition in words: "headcount 8, needs ≥ 10". #}
{% macro policy_condition_words(label, enterprise_value, op, value_text) -%}
    format('%s %s, needs %s %s', {{ label }}, {{ enterprise_value }},
        case {{ op }} when '>=' then '≥' when '<=' then '≤' when '!=' then '≠' else {{ op }} end,
        {{ value_text }})
{%- endmacro %}
