{# The household registry as of its latest snapshot. Raw ID numbers stop at staging and intermediate. #}
with

source as (
    {{ latest_snapshot(source('population', 'population__persons')) }}
),

normalised as (
    select
        *,
        staging.id_number_normalise(id_number) as id_number_normalised
    from source
),

renamed as (
    select
        id_number_normalised,
        staging.id_number_problem(id_number_normalised) as id_number_problem,
        btrim(name) as person_name,
        btrim(gender) as gender,
        staging.safe_date(birth_date) as birth_date,
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
        _row_number as row_number,
        _batch_id as batch_id,
        _delivered_on as snapshot_on
    from normalised
),

final as (
    select * from renamed
)

select * from final
