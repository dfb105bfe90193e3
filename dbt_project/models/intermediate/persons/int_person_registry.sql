{# Registered persons keyed by person_key; the anchor every other person record resolves to. #}
{#
    PostgreSQL prices moving a row from a parallel worker above computing its HMAC, and so
    computes the 25 M keys in one process; valued at a tenth, the two cores share them.
#}
{#
    Incremental where the registry's snapshots are diffed (CITYOPS_DIFF_REGISTRY_SNAPSHOTS=1,
    see stg_population__persons): after a new snapshot, only the IDs whose records the
    snapshot added, changed or withdrew are recomputed (found by the staged records'
    batches, newer than the newest batch the registry holds); the pre-hook deletes their
    rows first. Otherwise a table rebuilt from the staged records.
#}
{{ config(
    materialized='incremental' if diff_registry_snapshots() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[{'columns': ['person_key'], 'unique': True}],
    pre_hook=[
        "set local parallel_tuple_cost = 0.01",
        "{{ delete_changed_persons('person_registry_changes') }}",
    ],
) }}
with

persons as {{ 'materialized' if is_incremental() else 'not materialized' }} (
    select * from {{ ref('stg_population__persons') }}
    where id_number_problem is null
        and withdrawn_batch_id is null
    {%- if is_incremental() %}
        and id_number_normalised in (select id_number_normalised from person_registry_changes)
    {%- endif %}
),

-- An ID registered twice (a legacy 15-digit record beside its 18-digit one) keeps its
-- latest record. Such IDs are rare: only their records are sorted, not all 25 M rows with
-- every column.
duplicated as not materialized (
    {%- if is_incremental() %}
    select id_number_normalised from persons
    group by id_number_normalised
    having count(*) > 1
    {%- else %}
    select id_number_normalised from {{ ref('int_person_duplicate_ids') }}
    {%- endif %}
),

-- IDs on one record each: all but a handful
single as (
    select *
    from persons
    where not exists (
        select 1 from duplicated
        where duplicated.id_number_normalised = persons.id_number_normalised
    )
),

latest_of_duplicated as (
    select distinct on (persons.id_number_normalised) persons.*
    from persons
    inner join duplicated
        on duplicated.id_number_normalised = persons.id_number_normalised
    order by
        persons.id_number_normalised,
        staging.safe_timestamp(persons.updated_at_text) desc nulls last,
        persons.batch_id desc,
        persons.row_number
),

-- Each part is keyed on its own, so the HMAC is computed in the parallel workers that scan
-- it; above a union of the parts PostgreSQL computed it in one process.
final as (
{%- for part in ['single', 'latest_of_duplicated'] %}
    select
        {{ person_key('id_number_normalised') }} as person_key,
        id_number_normalised,
        person_name,
        gender,
        birth_date,
        household_no,
        relation_to_head,
        district_code,
        street_name,
        registry_status,
        batch_id
    from {{ part }}
    {{- "\n    union all" if not loop.last }}
{%- endfor %}
)

select * from final
