{#
    Every record that names a person outside the registry (welfare roll members,
    graduates, insurance contributors), with the evidence available to resolve it.
#}
with

welfare as (
    select * from {{ ref('stg_welfare__roll_members') }}
),

graduates as (
    select * from {{ ref('stg_education__graduates') }}
),

contributions as (
    select * from {{ ref('stg_employment__contributions') }}
),

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

districts as (
    select * from {{ ref('ref_shanghai_districts') }}
),

welfare_heads as (
    select distinct on (welfare.case_no)
        welfare.case_no,
        registry.household_no as head_household_no
    from welfare
    inner join registry
        on registry.id_number_normalised = welfare.head_id_number_normalised
    order by welfare.case_no, registry.household_no
),

welfare_mentions as (
    select
        'welfare:' || welfare.source_file_name || ':' || welfare.row_number as mention_id,
        'welfare' as source_name,
        welfare.source_file_name,
        welfare.row_number,
        welfare.member_id_number_normalised as id_number_normalised,
        welfare.member_id_number_problem as id_number_problem,
        welfare.member_name as person_name,
        null::date as birth_date,
        null::text as gender,
        welfare_heads.head_household_no as household_hint_no,
        welfare.district_code
    from welfare
    left join welfare_heads
        on welfare_heads.case_no = welfare.case_no
),

graduate_mentions as (
    select
        'education:' || graduates.delivered_on || '/' || graduates.source_file_name || ':' || graduates.row_number as mention_id,
        'education' as source_name,
        graduates.delivered_on || '/' || graduates.source_file_name as source_file_name,
        graduates.row_number,
        graduates.id_number_normalised,
        graduates.id_number_problem,
        graduates.person_name,
        graduates.birth_date,
        graduates.gender,
        null::text as household_hint_no,
        districts.district_code
    from graduates
    left join districts
        on districts.district_name = graduates.origin_district
),

employment_mentions as (
    select
        'employment:' || contributions.source_file_name || ':' || contributions.row_number as mention_id,
        'employment' as source_name,
        contributions.source_file_name,
        contributions.row_number,
        contributions.id_number_normalised,
        contributions.id_number_problem,
        contributions.person_name,
        null::date as birth_date,
        null::text as gender,
        null::text as household_hint_no,
        null::text as district_code
    from contributions
),

final as (
    select * from welfare_mentions
    union all
    select * from graduate_mentions
    union all
    select * from employment_mentions
)

select * from final
