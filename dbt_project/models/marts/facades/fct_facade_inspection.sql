{# Grain: one row per inspection (latest delivered version). Unlinked inspections point at UNKNOWN. #}
with

inspections as (
    select * from {{ ref('stg_facade_inspections__inspections') }}
),

links as (
    select * from {{ ref('int_inspections_linked_to_buildings') }}
),

final as (
    select
        inspections.inspection_id,
        coalesce(links.building_code, 'UNKNOWN') as building_code,
        links.link_path,
        links.link_confidence,
        inspections.inspected_on,
        inspections.method,
        inspections.finding,
        inspections.severity,
        inspections.finding <> '无' as has_defect,
        inspections.finding in ('玻璃破损', '玻璃自爆', '面板脱落') as is_breakage,
        inspections.case_id,
        inspections.delivered_on
    from inspections
    left join links
        on links.inspection_id = inspections.inspection_id
)

select * from final
