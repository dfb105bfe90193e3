{#
    person_key: HMAC-SHA256 of the normalised ID number with CITYOPS_HMAC_KEY.

    The key never appears in SQL text or dbt's compiled files: `cityops` stores the
    HMAC inner/outer pads in ops.person_key_secret (readable by the transformer only)
    and ops.person_key() computes the HMAC from them.
#}
{% macro person_key(normalised_id) -%}
    ops.person_key({{ normalised_id }})
{%- endmacro %}

{% macro mask_id_number(normalised_id) -%}
    case when {{ normalised_id }} is not null
        then substr({{ normalised_id }}, 1, 6) || '********' || right({{ normalised_id }}, 4) end
{%- endmacro %}
