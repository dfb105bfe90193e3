{#
    No text, array or JSON column of the model may hold an 18-character national ID number (raw IDs stop at
    intermediate; marts carry keyed hashes and masked IDs). Every marts model declares it, so
    the check runs after each mart is built, on that mart only: a build that keeps a mart as
    it was does not scan it again. Values shorter than an ID skip the regular expression. tests/unit/test_dbt_project.py holds every mart to it.
#}
{% test no_raw_id_numbers(model) %}
    {%- set text_columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- if column.is_string() or column.dtype | lower in ('array', 'json', 'jsonb') -%}
                {%- do text_columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if text_columns -%}
        select column_name, hits
        from (
            select
                {%- for column in text_columns %}
                count(*) filter (
                    where octet_length({{ adapter.quote(column) }}::text) >= 18
                        and {{ adapter.quote(column) }}::text ~ '(^|[^0-9a-fA-F])[0-9]{17}[0-9Xx]([^0-9a-fA-F]|$)'
                ) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
                {%- endfor %}
            from {{ model }}
        ) as counted
        cross join lateral (
            values
            {%- for column in text_columns %}
                ({{ "'" ~ column ~ "'" }}, counted.{{ adapter.quote(column) }}){{ "," if not loop.last }}
            {%- endfor %}
        ) as found (column_name, hits)
        where hits > 0
    {%- else -%}
        select null as column_name, 0 as hits where false
    {%- endif -%}
{% endtest %}
