{#
    A full snapshot diffed against the staged one, not staged again in full.

    A registry snapshot carries every record each month (25 M at city scale), and from one
    month to the next all but a fraction of a percent of them are as they were. Staging
    every record parses each one (ID checks, dates): the slowest model of a snapshot day.
    Diffed, each delivered record is only hashed, and only the records whose hash the
    staged table does not hold as often are parsed and staged.

    The staged table keeps every record it ever staged, with the batch that delivered it
    (`batch_id`) and, once a later snapshot no longer carries it, the batch that withdrew
    it (`withdrawn_batch_id`; null while current). The current records are exactly the
    newest snapshot's; the withdrawn ones are the registry's changes, month by month, and
    tell the models below which IDs to recompute.

    `record_hash` is a 64-bit hash of the record's delivered columns (all but the lineage).
    Records are compared as a multiset (how often each hash occurs), so a record changed
    into another only goes unseen if the new one hashes exactly as the old one (odds of
    2^-64 per change).
#}

{# Is snapshot diffing on (CITYOPS_DIFF_REGISTRY_SNAPSHOTS=1)? Off by default: README. #}
{% macro diff_registry_snapshots() -%}
    {{ return(env_var('CITYOPS_DIFF_REGISTRY_SNAPSHOTS', '0') | lower in ['1', 'true', 'yes']) }}
{%- endmacro %}

{# The columns of a raw table as delivered: all but the loader's lineage (`_batch_id`, ...). #}
{% macro delivered_columns(relation) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if not column.name.startswith('_') -%}{%- do names.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}

{% macro record_hash(columns) -%}
    hashtextextended(concat_ws(E'\x1f'
        {%- for column in columns %}, coalesce({{ column }}, E'\x1e'){% endfor -%}
    ), 0)
{%- endmacro %}

{#
    Pre-hook of an incremental snapshot model: finds the hashes whose count differs between
    the newest snapshot in ``source_relation`` and the current records of the model, keeps
    them in a temporary table ``changes`` (dropped at commit), and withdraws the current
    records among them. The model then stages the delivered records among them. Runs in the
    model's transaction: a failed build leaves the staged table as it was.
#}
{% macro withdraw_changed_records(source_relation, changes) -%}
    {%- if is_incremental() -%}
    {%- set columns = delivered_columns(source_relation) -%}
    {%- set newest = latest_snapshot_batch_id(source_relation) -%}
    -- hashing 25 M records into two hash tables: in memory, not in many passes on disk
    set local work_mem = '1GB';
    create temporary table {{ changes }} on commit drop as
    with
    delivered as (
        select {{ record_hash(columns) }} as record_hash, count(*) as records
        from {{ source_relation }}
        where _batch_id = {{ newest }}
        group by 1
    ),
    staged as (
        select record_hash, count(*) as records
        from {{ this }}
        where withdrawn_batch_id is null
        group by 1
    )
    select coalesce(delivered.record_hash, staged.record_hash) as record_hash
    from delivered
    full join staged on staged.record_hash = delivered.record_hash
    where delivered.records is distinct from staged.records;
    analyze {{ changes }};
    update {{ this }}
    set withdrawn_batch_id = {{ newest }}
    where withdrawn_batch_id is null
        and record_hash in (select record_hash from {{ changes }});
    {%- endif -%}
{%- endmacro %}

{#
    Pre-hook of int_person_registry, when built incrementally: the valid IDs whose staged
    records changed since the registry was last built (a record delivered or withdrawn by a
    batch newer than any the registry holds) go into a temporary table ``changes``, and
    their registry rows are deleted; the model then inserts their rows as they now stand.
    An ID the snapshot no longer carries stays deleted.
#}
{% macro delete_changed_persons(changes) -%}
    {%- if is_incremental() -%}
    create temporary table {{ changes }} on commit drop as
    with held as (
        select coalesce(max(batch_id), 0) as batch_id from {{ this }}
    )
    select distinct staged.id_number_normalised
    from {{ ref('stg_population__persons') }} as staged, held
    where staged.id_number_problem is null
        and (staged.batch_id > held.batch_id or staged.withdrawn_batch_id > held.batch_id);
    analyze {{ changes }};
    delete from {{ this }}
    where person_key in (select {{ person_key('id_number_normalised') }} from {{ changes }});
    {%- endif -%}
{%- endmacro %}
