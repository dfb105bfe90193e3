with

source as (
    {{ latest_per_key(source('education', 'education__graduates'), ['student_no', 'university']) }}
),

renamed as (
    select
        btrim(student_no) as student_no,
        btrim(university) as university,
        btrim(name) as person_name,
        staging.id_number_normalise(id_number) as id_number_normalised,
        staging.id_number_problem(staging.id_number_normalise(id_number)) as id_number_problem,
        staging.safe_date(birth_date) as birth_date,
        btrim(gender) as gender,
        btrim(degree) as degree,
        btrim(major) as major,
        staging.safe_date(expected_graduation) as expected_graduation_on,
        nullif(btrim(origin_district), '') as origin_district,
        regexp_replace(_source_file, '^.*/', '') as source_file_name,
        _delivered_on as delivered_on,
        _row_number as row_number,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
