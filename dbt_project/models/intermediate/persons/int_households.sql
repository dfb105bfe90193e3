with

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

final as (
    select
        household_no,
        max(person_key) filter (where relation_to_head = '户主') as head_person_key,
        min(district_code) as district_code,
        min(street_name) as street_name,
        count(*) as registered_members,
        count(*) filter (where registry_status = '正常') as resident_members
    from registry
    group by household_no
)

select * from final
