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

{#
    A full snapshot replaces the previous one: only rows of the newest loaded snapshot.

    Each loaded file is a partition of the raw table (ingest/load.py), so the newest
    snapshot is found by reading one row of each file, not by scanning and sorting every
    row of every snapshot (25 M rows a snapshot at city scale). The files are listed from
    the catalog when the model runs; each is read through the raw table with its batch id,
    so partition pruning picks it and the transformer needs no rights on raw_batches. A raw
    table of the earlier, unpartitioned layout (or a default partition) is read in full.
#}
{% macro latest_snapshot(relation) -%}
    select *
    from {{ relation }}
    where _batch_id = {{ latest_snapshot_batch_id(relation) }}
{%- endmacro %}

{# The batch id of the newest loaded snapshot in ``relation``, as a scalar subquery. #}
{% macro latest_snapshot_batch_id(relation) -%}
    {%- set batch_ids = [] -%}
    {%- if execute -%}
        {%- set listed = run_query(
            "select (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'IN \\(''?([0-9]+)''?\\)'))[1]::bigint"
            ~ " from pg_inherits as i join pg_class as c on c.oid = i.inhrelid"
            ~ " where i.inhparent = to_regclass('" ~ relation ~ "') order by 1"
        ) -%}
        {%- set found = listed.columns[0].values() | list -%}
        {#- a default partition's bound is DEFAULT (no batch id): then it is read in full #}
        {%- if none not in found -%}
            {%- do batch_ids.extend(found) -%}
        {%- endif -%}
    {%- endif -%}
    (
        select _batch_id
        from (
            {%- for batch_id in batch_ids %}
            (select _delivered_on, _batch_id from {{ relation }} where _batch_id = {{ batch_id | int }} limit 1)
            {%- if not loop.last %} union all{% endif %}
            {%- else %}
            select _delivered_on, _batch_id from {{ relation }}
            {%- endfor %}
        ) as batches
        order by _delivered_on desc, _batch_id desc
        limit 1
    )
{%- endmacro %}

{#
    The current rows of a raw table, as its spec says (source_contracts(), rendered from
    ingest/sources/ by cityops.contracts): the newest snapshot of a ``snapshot`` table,
    the newest row per business key of an ``increment`` table.
#}
{% macro latest(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set contract = source_contracts().get(source_name ~ '.' ~ table_name) -%}
    {%- if contract is none -%}
        {{ exceptions.raise_compiler_error(
            "no contract for source " ~ source_name ~ "." ~ table_name
            ~ ": rerun python -m cityops.contracts") }}
    {%- elif contract.mode == 'snapshot' -%}
        {{ latest_snapshot(relation) }}
    {%- else -%}
        {{ latest_per_key(relation, contract.business_key) }}
    {%- endif -%}
{%- endmacro %}
