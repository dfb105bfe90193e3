{# Grain: one row per graduate (student number and university), resolved to a person. #}
with

graduates as (
    select * from {{ ref('stg_education__graduates') }}
),

resolved as (
    select * from {{ ref('int_person_resolved') }}
    where source_name = 'education'
),

final as (
    select
        graduates.student_no,
        graduates.university,
        coalesce(resolved.person_key, 'unknown') as person_key,
        resolved.match_path,
        resolved.confidence as match_confidence,
        graduates.degree,
        graduates.major,
        graduates.expected_graduation_on,
        graduates.origin_district,
        graduates.delivered_on
    from graduates
    left join resolved
        on resolved.source_file_name = graduates.delivered_on || '/' || graduates.source_file_name
        and resolved.row_number = graduates.row_number
)

select * from final
