{#
    Grain: one row per 低保 case on its district's newest roll. An enrolment is active on
    the as-of date when it started on or before it, has not ended before it and the roll
    says 在保 (docs/domain.md, graduate rule 2).
#}
{% set as_of = var('as_of') %}

with

cases as (
    select * from {{ ref('int_welfare_cases') }}
),

final as (
    select
        case_no,
        coalesce(head_person_key, 'unknown') as head_person_key,
        household_no,
        district_code,
        street_name,
        start_date,
        end_date,
        monthly_amount_yuan,
        roll_status,
        roll_month,
        members_listed,
        start_date <= '{{ as_of }}'::date
            and (end_date is null or end_date >= '{{ as_of }}'::date)
            and roll_status = '在保' as is_active_on_as_of
    from cases
)

select * from final
