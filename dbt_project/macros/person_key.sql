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

{#
    The masked ID shows its first and last characters only (3****************X). A mask
    that keeps the region code and the sequence digits (310104********123X) is the ID
    itself next to a birth date: the marts carry birth dates, genders and districts, so
    the 8 hidden digits could be put back. With this mask, the visible columns together
    leave about 45 candidate numbers for every person (500 sequence numbers of the
    person's gender, of which about one in eleven has the shown check character), and
    nothing tells the right one: the person key is an HMAC with a key BI never sees.
#}
{% macro mask_id_number(normalised_id) -%}
    case when {{ normalised_id }} is not null
        then left({{ normalised_id }}, 1) || repeat('*', 16) || right({{ normalised_id }}, 1) end
{%- endmacro %}
