{# Members listed on each case's newest roll, resolved to persons. #}
with

roll as (
    select * from {{ ref('stg_welfare__roll_members') }}
),

resolved as (
    select * from {{ ref('int_person_resolved') }}
    where source_name = 'welfare'
),

final as (
    select
        roll.case_no,
        roll.source_file_name,
        roll.row_number,
        roll.relation_to_head,
        resolved.person_key,
        resolved.match_path,
        resolved.confidence
    from roll
    left join resolved
        on resolved.source_file_name = roll.source_file_name
        and resolved.row_number = roll.row_number
)

select * from final
