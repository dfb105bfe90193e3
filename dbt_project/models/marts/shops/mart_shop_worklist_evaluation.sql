{#
    How well the work list would have done, held out in time: shops ranked on what was known
    at the split date (as-of minus evaluation_days), then the critical violations found at
    inspections after it, up to as-of. The share of those findings at the top 20% of the
    list, against the usual order (oldest inspection first, never inspected first).
#}
with

parameters as (
    select
        max(value) filter (where parameter = 'worklist_top_share') as top_share,
        max(value) filter (where parameter = 'evaluation_days')::integer as evaluation_days
    from {{ ref('shop_code_parameters') }}
),

ranked as (
    select
        r.shop_id,
        r.on_date as split_date,
        row_number() over (order by r.risk_score desc, r.last_inspected_on nulls first, r.shop_id) as by_risk,
        row_number() over (order by r.last_inspected_on nulls first, r.shop_id) as by_oldest,
        count(*) over () as shops
    from {{ ref('int_shop_risk') }} as r
    inner join {{ ref('dim_shop') }} as s on s.shop_id = r.shop_id
    where r.date_role = 'evaluation' and s.status = '营业'
),

findings as (
    select l.shop_id, sum(i.critical_count) as critical_after
    from {{ ref('stg_shop_inspections__inspections') }} as i
    inner join {{ ref('int_shop_links') }} as l
        on l.source = 'shop_inspections' and l.record_id = i.inspection_id and l.link_status = 'linked'
    cross join parameters as p
    where i.inspected_on > date '{{ var("as_of") }}' - p.evaluation_days
        and i.inspected_on <= date '{{ var("as_of") }}'
    group by l.shop_id
),

scored as (
    select
        max(r.split_date) as split_date,
        max(r.shops) as shops_ranked,
        ceil(max(r.shops) * max(p.top_share))::integer as top_n,
        coalesce(sum(f.critical_after), 0) as critical_findings,
        coalesce(sum(f.critical_after) filter (where r.by_risk <= ceil(r.shops * p.top_share)), 0)
            as held_by_worklist,
        coalesce(sum(f.critical_after) filter (where r.by_oldest <= ceil(r.shops * p.top_share)), 0)
            as held_by_oldest_first
    from ranked as r
    cross join parameters as p
    left join findings as f on f.shop_id = r.shop_id
)

select
    date '{{ var("as_of") }}' as as_of_date,
    split_date,
    shops_ranked,
    top_n,
    critical_findings,
    held_by_worklist,
    held_by_oldest_first,
    round(held_by_worklist::numeric / nullif(critical_findings, 0), 4) as worklist_share,
    round(held_by_oldest_first::numeric / nullif(critical_findings, 0), 4) as oldest_first_share,
    round(held_by_worklist::numeric / nullif(held_by_oldest_first, 0), 3) as lift_over_oldest_first
from scored
