{# Grain: one row per person, employer and contribution month. #}
{{ config(materialized='incremental', unique_key=['person_key', 'employer_uscc', 'contribution_month'],
          on_schema_change='append_new_columns') }}

with

contributions as (
    select * from {{ ref('stg_employment__contributions') }}
    {% if is_incremental() %}
    where batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}
),

resolved as (
    select * from {{ ref('int_person_resolved') }}
    where source_name = 'employment'
),

final as (
    select distinct on (coalesce(resolved.person_key, 'unknown'), contributions.employer_uscc, contributions.contribution_month)
        coalesce(resolved.person_key, 'unknown') as person_key,
        contributions.employer_uscc,
        contributions.employer_name,
        contributions.contribution_month,
        resolved.match_path,
        contributions.batch_id
    from contributions
    left join resolved
        on resolved.source_file_name = contributions.source_file_name
        and resolved.row_number = contributions.row_number
    order by coalesce(resolved.person_key, 'unknown'), contributions.employer_uscc, contributions.contribution_month,
        contributions.batch_id desc
)

select * from final
