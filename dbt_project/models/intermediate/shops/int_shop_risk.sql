{#
    Risk of a critical finding at a shop's next inspection, on the as-of date and on the
    evaluation date: a weighted sum of what the dimensions know then (seed shop_risk_weights),
    with each feature's part, so the work list can say why a shop is high on it.
#}
with

colours as (
    select * from {{ ref('int_shop_colours') }}
    where date_role in ('as_of', 'evaluation')
),

weights as (
    select feature, weight from {{ ref('shop_risk_weights') }}
),

features as (
    select
        c.shop_id,
        c.on_date,
        c.date_role,
        c.street_code,
        c.last_inspected_on,
        f.feature,
        case f.feature
            when 'critical_365d' then c.critical_365d
            when 'latest_points' then coalesce(c.latest_points, 0)
            when 'food_complaints_90d' then c.food_hygiene_complaints
            when 'complaints_365d' then c.complaints
            when 'low_stars' then greatest(0, 4 - coalesce(c.shrunk_stars, 4))
            when 'rating_points' then coalesce(strpos('ABCD', c.rating) - 1, 0)
            when 'food_handling' then case when c.industry in ('餐饮', '食品零售') then 1 else 0 end
        end::numeric * f.weight as part
    from colours as c
    cross join weights as f
),

labelled as (
    select
        *,
        case feature
            when 'critical_365d' then '近一年严重违规'
            when 'latest_points' then '最近检查扣分'
            when 'food_complaints_90d' then '90天内食品安全/卫生投诉'
            when 'complaints_365d' then '近一年投诉'
            when 'low_stars' then '消费评价偏低'
            when 'rating_points' then '行业评价较差'
            when 'food_handling' then '经营食品'
        end as reason,
        row_number() over (partition by shop_id, on_date order by part desc, feature) as part_rank
    from features
)

select
    shop_id,
    on_date,
    date_role,
    street_code,
    last_inspected_on,
    round(sum(part), 3) as risk_score,
    max(reason) filter (where part_rank = 1 and part > 0) as reason_1,
    max(reason) filter (where part_rank = 2 and part > 0) as reason_2,
    max(reason) filter (where part_rank = 3 and part > 0) as reason_3
from labelled
group by shop_id, on_date, date_role, street_code, last_inspected_on
