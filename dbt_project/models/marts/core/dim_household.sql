with

households as not materialized (
    select * from {{ ref('int_households') }}
),

cases as (
    select * from {{ ref('int_welfare_cases') }}
),

final as (
    select
        households.household_no,
        households.head_person_key,
        households.district_code,
        households.street_name,
        households.registered_members,
        households.resident_members,
        cases.case_no as welfare_case_no,
        cases.case_no is not null as has_welfare_case
    from households
    left join cases
        on cases.household_no = households.household_no
)

select * from final
