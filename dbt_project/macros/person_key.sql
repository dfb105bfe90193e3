{#
    person_key: HMAC-SHA256 of the normalised ID number with CITYOPS_HMAC_KEY.

    The key never appears in SQL text or dbt's compiled files: `cityops` stores the
    HMAC inner/outer pads in ops.person_key_secret (readable by the transformer only).
    ops.person_key() computes the HMAC from them; models inline the same expression with
    the pads as uncorrelated subqueries, which PostgreSQL reads once per query rather than
    once per row (1.4 us a key instead of 4 us: the registry has 25 M rows at city scale).
#}
{% macro person_key(normalised_id) -%}
    encode(sha256(
        (select opad from ops.person_key_secret)
        || sha256((select ipad from ops.person_key_secret) || convert_to({{ normalised_id }}, 'UTF8'))
    ), 'hex')
{%- endmacro %}

{% macro mask_id_number(normalised_id) -%}
    case when {{ normalised_id }} is not null
        then substr({{ normalised_id }}, 1, 6) || '********' || right({{ normalised_id }}, 4) end
{%- endmacro %}
