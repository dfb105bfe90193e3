with

source as (
    {{ latest('employment', 'employment__contributions') }}
),

renamed as (
    select
        staging.id_number_normalise(id_number) as id_number_normalised,
        staging.id_number_problem(staging.id_number_normalise(id_number)) as id_number_problem,
        btrim(name) as person_name,
        btrim(employer_uscc) as employer_uscc,
        btrim(employer_name) as employer_name,
        to_date(btrim(contribution_month), 'YYYYMM') as contribution_month,
        regexp_replace(_source_file, '^.*/', '') as source_file_name,
        _row_number as row_number,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
