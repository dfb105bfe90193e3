-- Facts point at known dimension members (unknown members included explicitly).
select 'fct_facade_inspection' as fact, count(*) as orphans
from {{ ref('fct_facade_inspection') }} f
left join {{ ref('dim_building') }} b using (building_code)
where b.building_code is null
having count(*) > 0
union all
select 'fct_graduation', count(*)
from {{ ref('fct_graduation') }} f
left join {{ ref('dim_person') }} p using (person_key)
where p.person_key is null
having count(*) > 0
union all
select 'fct_employment_month', count(*)
from {{ ref('fct_employment_month') }} f
left join {{ ref('dim_person') }} p using (person_key)
where p.person_key is null
having count(*) > 0
