{#
    The household registry's records, as delivered by its snapshots; IDs normalised. Raw ID
    numbers stop at staging and intermediate.

    With CITYOPS_DIFF_REGISTRY_SNAPSHOTS=1 the model is incremental: a new snapshot is
    diffed against the staged records (macros/snapshot_diff.sql) and only the records it
    adds or changes are parsed and staged; the records it no longer carries are withdrawn
    (`withdrawn_batch_id`), not deleted. Otherwise (the default) each snapshot is staged in
    full: at city scale on 2 cores that was faster (129 s against 191 s diffed, the diff
    reading the 25 M delivered records twice and the staged ones once; bench/README.md).
    Either way the current records (`withdrawn_batch_id is null`) are exactly the newest
    snapshot's.
#}
{{ config(
    materialized='incremental' if diff_registry_snapshots() else 'table',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ withdraw_changed_records(source('population', 'population__persons'),"
        " 'stg_population__persons__changes') }}",
) }}
with

source as (
    {{ latest('population', 'population__persons') }}
),

hashed as (
    select
        *,
        {{ record_hash(delivered_columns(source('population', 'population__persons'))) }} as record_hash
    from source
),

delivered as (
    select * from hashed
    {%- if is_incremental() %}
    -- only what the snapshot adds or changes (the pre-hook withdrew what it dropped)
    where record_hash in (select record_hash from stg_population__persons__changes)
    {%- endif %}
),

normalised as (
    select
        *,
        staging.id_number_normalise(id_number) as id_number_normalised
    from delivered
),

renamed as (
    select
        id_number_normalised,
        staging.id_number_problem(id_number_normalised) as id_number_problem,
        btrim(name) as person_name,
        nullif(btrim(gender), '') as gender_delivered,
        staging.safe_date(birth_date) as birth_date_delivered,
        btrim(household_no) as household_no,
        btrim(relation_to_head) as relation_to_head,
        btrim(district_code) as district_code,
        btrim(street) as street_name,
        btrim(address) as address,
        btrim(status) as registry_status,
        -- as delivered: parsed only where it decides something (the registry orders an
        -- ID's duplicate records by it, a handful of rows); parsing all 25 M at city scale
        -- cost about 100 s of CPU on the critical path
        btrim(updated_at) as updated_at_text,
        record_hash,
        _row_number as row_number,
        _batch_id as batch_id,
        _delivered_on as delivered_on,
        null::bigint as withdrawn_batch_id
    from normalised
),

derived as (
    select
        id_number_normalised,
        id_number_problem,
        person_name,
        coalesce(gender_delivered, {{ gender_from_id('id_number_normalised', 'id_number_problem') }}) as gender,
        gender_delivered is null and id_number_problem is null as is_gender_derived,
        coalesce(birth_date_delivered, {{ birth_date_from_id('id_number_normalised', 'id_number_problem') }}) as birth_date,
        birth_date_delivered is null and id_number_problem is null as is_birth_date_derived,
        household_no,
        relation_to_head,
        district_code,
        street_name,
        address,
        registry_status,
        updated_at_text,
        record_hash,
        row_number,
        batch_id,
        delivered_on,
        withdrawn_batch_id
    from renamed
),

final as (
    select * from derived
)

select * from final
