-- 'Grain: one row per inspection linked to a registered shop, with its points and grade.'
select
    i.inspection_id,
    l.shop_id,
    i.inspected_on,
    i.kind,
    i.violation_count,
    i.critical_count,
    i.points,
    case when i.critical_count > 0 and g.grade = 'A' then 'B' else g.grade end as grade,
    l.link_path,
    l.link_confidence
from {{ ref('stg_shop_inspections__inspections') }} as i
inner join {{ ref('int_shop_links') }} as l
    on l.source = 'shop_inspections' and l.record_id = i.inspection_id and l.link_status = 'linked'
left join {{ ref('shop_inspection_grades') }} as g
    on i.points >= g.min_points and (g.max_points is null or i.points <= g.max_points)
