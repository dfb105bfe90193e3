{# Later deliveries win: the newest row per business key (delivery date, then load order). #}
{% macro latest_per_key(relation, key_columns) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _delivered_on desc, _batch_id desc, _row_number desc
            ) as _delivery_rank
        from {{ relation }}
    ) as ranked
    where _delivery_rank = 1
{%- endmacro %}

{# A full snapshot replaces the previous one: only rows of the newest loaded snapshot. #}
{% macro latest_snapshot(relation) -%}
    select *
    from {{ relation }}
    where _batch_id = (
        select _batch_id
        from {{ relation }}
        order by _delivered_on desc, _batch_id desc
        limit 1
    )
{%- endmacro %}
