{#
    The matcher's SQL, generated from policy_rules() (cityops/policy_rules.py). Each
    operator's test is written once (policy_op_holds). The matcher compiles the catalogue
    in force into it, the values as literals, so that each (enterprise, policy) pair costs a
    few typed comparisons; views and tests that read conditions as data use the same test
    behind a CASE over the field's and operator's numbers in the declared lists.
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
    Whether the condition (a field of ``kind``, operator ``op``) holds for the fact ``fact``,
    the one SQL of each operator: ``value`` binds the condition's value as SQL - ``texts``
    (text[]), ``text`` (its first), ``num`` and ``flag`` - either to columns (the
    interpretive test below) or to literals (the compiled matcher). Null when the fact is
    unknown, which the callers count as a failure, as cityops.policy_rules.holds.
#}
{% macro policy_op_holds(kind, op, fact, value) -%}
    {%- if kind == 'text' -%}
        {%- if op == 'prefix' %}{{ fact }} ^@ any({{ value.texts }})
        {%- elif op == 'in' %}{{ fact }} = any({{ value.texts }})
        {%- elif op == '=' %}{{ fact }} = {{ value.text }}
        {%- elif op == '!=' %}{{ fact }} <> {{ value.text }}
        {%- else %}{{ exceptions.raise_compiler_error("text condition operator " ~ op ~ " has no test") }}
        {%- endif -%}
    {%- elif kind == 'number' -%}
        {%- if op in ('>=', '<=', '>', '<', '=') %}{{ fact }} {{ op }} {{ value.num }}
        {%- elif op == '!=' %}{{ fact }} <> {{ value.num }}
        {%- else %}{{ exceptions.raise_compiler_error("number condition operator " ~ op ~ " has no test") }}
        {%- endif -%}
    {%- elif kind == 'bool' -%}
        {{ fact }} = {{ value.flag }}
    {%- elif kind == 'list' -%}
        {{ value.text }} = any({{ fact }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("policy field kind " ~ kind ~ " has no test") }}
    {%- endif -%}
{%- endmacro %}

{# The operators a field of ``kind`` allows, in the order the interpretive test tries them. #}
{% macro policy_kind_ops(kind) -%}
    {{ return({
        'text': ['prefix', 'in', '=', '!='],
        'number': ['>=', '<=', '>', '<', '=', '!='],
        'bool': ['='],
        'list': ['contains'],
    }[kind]) }}
{%- endmacro %}

{# Whether condition (field_no, op_no, texts, num, flag), held in columns, holds for the
   facts row ``facts``: a CASE over the fields and their operators, for the views and tests
   that read conditions as data. #}
{% macro policy_condition_holds(field_no, op_no, texts, num, flag, facts) -%}
    {%- set ops = policy_rules().operators -%}
    {%- set value = {'texts': texts, 'text': texts ~ '[1]', 'num': num, 'flag': flag} -%}
    coalesce(case {{ field_no }}
        {%- for name, kind in policy_rules().fields %}
        when {{ loop.index }} then
            {%- if policy_kind_ops(kind) | length == 1 %} {{ policy_op_holds(kind, policy_kind_ops(kind)[0], facts ~ '.' ~ name, value) }}
            {%- else %} case {{ op_no }}
            {%- for op in policy_kind_ops(kind) %}
                when {{ ops.index(op) + 1 }} then {{ policy_op_holds(kind, op, facts ~ '.' ~ name, value) }}
            {%- endfor %}
            end
            {%- endif %}
        {%- endfor %}
    end, false)
{%- endmacro %}

{# A condition's value (as delivered: a text, a list of texts, a number or a boolean) as
   the SQL literals policy_op_holds() binds. #}
{% macro policy_value_literals(value) -%}
    {%- set quote = "'" -%}
    {%- if value is boolean -%}
        {{ return({'flag': 'true' if value else 'false'}) }}
    {%- elif value is number -%}
        {{ return({'num': value | string}) }}
    {%- else -%}
        {%- set texts = [value] if value is string else value -%}
        {%- set quoted = [] -%}
        {%- for t in texts %}{% do quoted.append(quote ~ (t | string).replace(quote, quote ~ quote) ~ quote) %}{% endfor -%}
        {{ return({'texts': 'array[' ~ quoted | join(', ') ~ ']::text[]', 'text': quoted[0]}) }}
    {%- endif -%}
{%- endmacro %}

{# The policies in force and their conditions, read from the warehouse when the matcher is
   compiled: [{policy_id, district, conditions: [{field, kind, op, value}]}], conditions in
   their order. Empty while parsing. #}
{% macro policy_matcher_catalogue(slots, conditions) -%}
    {%- if not execute %}{{ return([]) }}{% endif -%}
    {%- set query -%}
        select
            s.policy_id,
            s.district,
            coalesce(
                jsonb_agg(
                    jsonb_build_object('field', c.field, 'kind', c.kind, 'op', c.op, 'value', c.value)
                    order by c.condition_no
                ) filter (where c.policy_id is not null),
                '[]'
            )::text as conditions
        from {{ slots }} as s
        left join {{ conditions }} as c using (policy_id)
        group by s.policy_id, s.district
        order by s.policy_id
    {%- endset -%}
    {%- set catalogue = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do catalogue.append({'policy_id': row[0], 'district': row[1], 'conditions': fromjson(row[2])}) -%}
    {%- endfor -%}
    {{ return(catalogue) }}
{%- endmacro %}

{# The bit mask of the conditions of ``policy`` (from policy_matcher_catalogue) that fail
   for the facts row ``facts``, the conditions' values compiled in as literals: bit i-1 set
   when condition i fails or its fact is unknown. A policy of one condition has no near
   misses (an enterprise that fails it meets nothing of the policy): its mask is 0 or null. #}
{% macro policy_failed_mask(policy, facts) -%}
    {%- if policy.conditions | length == 1 %}nullif({% endif -%}
    0
    {%- for c in policy.conditions %}
    + case when {{ policy_op_holds(c.kind, c.op, facts ~ '.' ~ c.field, policy_value_literals(c.value)) }} then 0 else {{ 2 ** loop.index0 }} end
    {%- endfor %}
    {%- if policy.conditions | length == 1 %}, 1){% endif -%}
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

{# The fields a policy's conditions read, as one boolean column each (reads_<field>), from
   its array of field names ``fields``: computed once per policy for policy_facts_read(). #}
{% macro policy_reads_columns(fields) -%}
    {%- for name, kind in policy_rules().fields %}
    '{{ name }}' = any(coalesce({{ fields }}, '{}')) as reads_{{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# The facts row's values of the fields the policy row ``policy`` reads (its reads_<field>
   columns), as one jsonb object field -> value. For a match, whose every fact is known:
   the fields it does not read are null, and stripped. #}
{% macro policy_facts_read(facts, policy) -%}
    jsonb_strip_nulls(jsonb_build_object(
        {%- for name, kind in policy_rules().fields %}
        '{{ name }}', case when {{ policy }}.reads_{{ name }} then {{ facts }}.{{ name }} end{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{# A near miss's failing condition in words: "headcount 8, needs ≥ 10". #}
{% macro policy_condition_words(label, enterprise_value, op, value_text) -%}
    format('%s %s, needs %s %s', {{ label }}, {{ enterprise_value }},
        case {{ op }} when '>=' then '≥' when '<=' then '≤' when '!=' then '≠' else {{ op }} end,
        {{ value_text }})
{%- endmacro %}

{# Whether every condition of ``policy`` holds for the facts row ``facts``, the values
   compiled in as literals: one AND, which stops at the first condition that fails (null
   when a fact it reaches is unknown, which is not a match). #}
{% macro policy_all_hold(policy, facts) -%}
    {%- for c in policy.conditions %}
    {{ 'and ' if not loop.first }}({{ policy_op_holds(c.kind, c.op, facts ~ '.' ~ c.field, policy_value_literals(c.value)) }})
    {%- else %}
    true
    {%- endfor %}
{%- endmacro %}

{# The matcher's one pass, per row ``facts`` (a facts row's alias): its results for every
   policy of ``catalogue`` (policy_matcher_catalogue), as one array in the catalogue's order
   - the bit mask of the failing conditions (policy_failed_mask), or with ``matches_only``
   whether every condition holds (policy_all_hold, cheaper: it stops at the first failure).
   A policy limited to a district gives null outside it. Unnested beside policy_ids(catalogue)
   (unnest of two arrays, which walks both once; a subscript into a text array walks it
   from the start). One array per enterprise: a lateral VALUES list of the same expressions
   is several times slower (bench/README.md). #}
{% macro policy_results(catalogue, facts, matches_only=false) -%}
    array[
        {%- for p in catalogue %}
        {%- set test = policy_all_hold(p, facts) if matches_only else policy_failed_mask(p, facts) %}
        {%- if p.district %}
        case when {{ facts }}.district = {{ policy_value_literals(p.district).text }} then {{ test }} end
        {%- else %}
        {{ test }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    ]::{{ 'boolean' if matches_only else 'int' }}[]
{%- endmacro %}

{# The ids of the policies of ``catalogue``, in its order, as a text[] literal. #}
{% macro policy_ids(catalogue) -%}
    array[
        {%- for p in catalogue %}{{ policy_value_literals(p.policy_id).text }}{{ ', ' if not loop.last }}{% endfor -%}
    ]::text[]
{%- endmacro %}

{# The number of the one failing condition of a mask with exactly one bit set: a CASE of
   integer comparisons (numeric log(2, mask) costs microseconds a row). #}
{% macro policy_failed_condition(mask) -%}
    case {{ mask }}
        {%- for i in range(policy_rules().max_conditions) %} when {{ 2 ** i }} then {{ i + 1 }}{% endfor %}
    end::smallint
{%- endmacro %}
