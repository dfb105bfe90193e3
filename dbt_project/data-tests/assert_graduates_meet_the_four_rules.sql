-- Every listed graduate satisfies rules 1, 3 and 4 when re-checked from the facts.
-- Each graduate is looked up in dim_person and the contributions by key: joined in a
-- single expression with the EXISTS of rule 4, PostgreSQL hashed all 25 M persons instead
-- (21.8 s at city scale for a list of a few thousand).
{% set as_of = var('as_of') %}
with

graduates as materialized (
    select person_key, expected_graduation_on
    from {{ ref('mart_graduate_assistance') }}
),

recent_contributors as (
    select distinct contributions.person_key
    from {{ ref('fct_employment_month') }} as contributions
    inner join graduates
        on graduates.person_key = contributions.person_key
    where contributions.contribution_month >= date_trunc('month', '{{ as_of }}'::date) - interval '3 months'
        and contributions.contribution_month < date_trunc('month', '{{ as_of }}'::date)
)

select graduates.person_key
from graduates
left join {{ ref('dim_person') }} as persons
    on persons.person_key = graduates.person_key
left join recent_contributors
    on recent_contributors.person_key = graduates.person_key
where graduates.expected_graduation_on <= '{{ as_of }}'::date - interval '1 year'
    or graduates.expected_graduation_on > '{{ as_of }}'::date + interval '1 year'
    or persons.registry_status is distinct from '正常'
    or recent_contributors.person_key is not null
