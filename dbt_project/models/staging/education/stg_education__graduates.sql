with

source as (
    {{ latest('education', 'education__graduates') }}
),

normalised as (
    select
        *,
        staging.id_number_normalise(id_number) as id_number_normalised
    from source
),

renamed as (
    select
        btrim(student_no) as student_no,
        btrim(university) as university,
        btrim(name) as person_name,
        id_number_normalised,
        staging.id_number_problem(id_number_normalised) as id_number_problem,
        staging.safe_date(birth_date) as birth_date_delivered,
        nullif(btrim(gender), '') as gender_delivered,
        btrim(degree) as degree,
        btrim(major) as major,
        staging.safe_date(expected_graduation) as expected_graduation_on,
        nullif(btrim(origin_district), '') as origin_district,
        regexp_replace(_source_file, '^.*/', '') as source_file_name,
        _delivered_on as delivered_on,
        _row_number as row_number,
        _batch_id as batch_id
    from normalised
),

derived as (
    select
        renamed.*,
        coalesce(birth_date_delivered, {{ birth_date_from_id('id_number_normalised', 'id_number_problem') }}) as birth_date,
        birth_date_delivered is null and id_number_problem is null as is_birth_date_derived,
        coalesce(gender_delivered, {{ gender_from_id('id_number_normalised', 'id_number_problem') }}) as gender,
        gender_delivered is null and id_number_problem is null as is_gender_derived
    from renamed
),

final as (
    select * from derived
)

select * from final
