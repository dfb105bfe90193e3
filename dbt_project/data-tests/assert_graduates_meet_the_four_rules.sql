-- Every listed graduate satisfies rules 1, 3 and 4 when re-checked from the facts.
{% set as_of = var('as_of') %}
select g.person_key
from {{ ref('mart_graduate_assistance') }} g
left join {{ ref('dim_person') }} p using (person_key)
where g.expected_graduation_on <= '{{ as_of }}'::date - interval '1 year'
    or g.expected_graduation_on > '{{ as_of }}'::date + interval '1 year'
    or p.registry_status is distinct from '正常'
    or exists (
        select 1 from {{ ref('fct_employment_month') }} e
        where e.person_key = g.person_key
            and e.contribution_month >= date_trunc('month', '{{ as_of }}'::date) - interval '3 months'
            and e.contribution_month < date_trunc('month', '{{ as_of }}'::date)
    )
