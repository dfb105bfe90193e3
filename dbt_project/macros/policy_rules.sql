{# Rendered from cityops/policy_rules.py by `python -m cityops.contracts`. #}
{% macro policy_rules() -%}
    {{ return({
        'fields': [["industry_code", "text"], ["district", "text"], ["street", "text"], ["registered_capital_wan", "number"], ["years_since_established", "number"], ["employees", "number"], ["headcount_growth_12m", "number"], ["qualifications", "list"], ["status", "text"], ["not_on_abnormal_list", "bool"], ["in_building", "bool"]],
        'operators': ["=", "!=", "<", "<=", ">", ">=", "in", "prefix", "contains"],
        'max_conditions': 12,
    }) }}
{%- endmacro %}
