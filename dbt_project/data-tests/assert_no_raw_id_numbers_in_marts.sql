-- No text column in the marts schema may hold an 18-character ID number.
{% set columns_query %}
    select table_name, column_name from information_schema.columns
    where table_schema = 'marts' and data_type in ('text', 'character varying')
{% endset %}
{% if execute %}
    {% set columns = run_query(columns_query) %}
    {% for row in columns.rows %}
        select '{{ row[0] }}.{{ row[1] }}' as location, count(*) as hits
        from marts."{{ row[0] }}"
        where "{{ row[1] }}" ~ '(^|[^0-9a-fA-F])[0-9]{17}[0-9Xx]([^0-9a-fA-F]|$)'
        having count(*) > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
    {% if columns.rows | length == 0 %}select null as location, 0 as hits where false{% endif %}
{% else %}
    select null as location, 0 as hits where false
{% endif %}
