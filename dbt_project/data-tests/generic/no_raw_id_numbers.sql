{#
    No text, array or JSON column of the model may hold an 18-character national ID number (raw IDs stop at
    intermediate; marts carry keyed hashes and masked IDs). Every marts model declares it, so
    the check runs after each mart is built, on that mart only: a build that keeps a mart as
    it was does not scan it again. tests/unit/test_dbt_project.py holds every mart to it.

    One regular expression a row runs over all the row's text, joined by spaces: a space is
    no digit, so no ID can run across two columns, and the row matches exactly when one of
    its columns does. A regular expression's cost is mostly per call (2.4x cheaper over five
    columns than one call per column, measured on 2 M rows); the few rows that match are
    then counted column by column, to name the columns in the failure.
#}
{#
    `credit_codes`: columns of 统一社会信用代码. A code can be written as 17 digits and a
    digit or X, like an ID number; a value there that passes both of the code's check
    characters is a code, not an ID (an ID passes them by chance once in 341).
#}
{#
    `sample`: a condition on the model's rows that limits the check to a fixed sample, for a
    view too large to read in full whose columns come from tables checked in full.
#}
{% test no_raw_id_numbers(model, credit_codes=[], sample=none) %}
    {%- set text_columns = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- if column.is_string() or column.dtype | lower in ('array', 'json', 'jsonb') -%}
                {%- do text_columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set id_number = "'(^|[^0-9a-fA-F])[0-9]{17}[0-9Xx]([^0-9a-fA-F]|$)'" -%}
    {%- if text_columns -%}
        with

        suspects as (
            select
                {%- for column in text_columns %}
                {%- if column in credit_codes %}
                case when staging.uscc_normalised({{ adapter.quote(column) }}) = {{ adapter.quote(column) }} then null
                    else {{ adapter.quote(column) }}::text end as {{ adapter.quote(column) }}{{ "," if not loop.last }}
                {%- else %}
                {{ adapter.quote(column) }}::text as {{ adapter.quote(column) }}{{ "," if not loop.last }}
                {%- endif %}
                {%- endfor %}
            {#- the sample first (offset 0 keeps it apart), then the expression on its rows only #}
            from {% if sample %}(select * from {{ model }} where {{ sample }} offset 0) as sampled{% else %}{{ model }}{% endif %}
            {#- concat_ws takes at most 100 arguments #}
            where concat_ws(' '
                {%- for batch in text_columns | batch(90) -%}
                , concat_ws(' ', {% for column in batch %}{{ adapter.quote(column) }}::text{{ ", " if not loop.last }}{% endfor %})
                {%- endfor -%}
            ) ~ {{ id_number }}
        ),

        counted as (
            select
                {%- for column in text_columns %}
                count(*) filter (where {{ adapter.quote(column) }} ~ {{ id_number }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
                {%- endfor %}
            from suspects
        )

        select column_name, hits
        from counted
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
