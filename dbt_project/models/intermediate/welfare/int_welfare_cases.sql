{#
    One row per 低保 case from the newest roll of its district, with the head resolved to the
    registry (and so to a registry household).
#}
with

roll as (
    select * from {{ ref('stg_welfare__roll_members') }}
),

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

cases as (
    select
        case_no,
        min(head_name) as head_name,
        min(head_id_number_normalised) filter (where staging.id_number_problem(head_id_number_normalised) is null)
            as head_id_number_normalised,
        min(street_name) as street_name,
        min(district_code) as district_code,
        min(start_date) as start_date,
        max(end_date) as end_date,
        max(monthly_amount_yuan) as monthly_amount_yuan,
        min(roll_status) as roll_status,
        max(roll_month) as roll_month,
        count(*) as members_listed
    from roll
    group by case_no
),

final as (
    select
        cases.case_no,
        registry.person_key as head_person_key,
        registry.household_no,
        cases.head_name,
        cases.district_code,
        cases.street_name,
        cases.start_date,
        cases.end_date,
        cases.monthly_amount_yuan,
        cases.roll_status,
        cases.roll_month,
        cases.members_listed
    from cases
    left join registry
        on registry.id_number_normalised = cases.head_id_number_normalised
)

select * from final
