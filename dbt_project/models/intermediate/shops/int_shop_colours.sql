{#
    A shop's 汇商码 colour on each date of int_shop_code_facts, and why.

    Each dimension gets a grade and a reason. The score adds the points of the dimensions'
    levels (seed shop_code_points) and bands into green / yellow / red (shop_code_parameters).
    Rules then only make a colour worse: a required licence missing, expired or revoked is
    red whatever the score (the hard rule); a C, or two Bs in a row, at inspection is red; one
    B, a D rating, or 3+ food-safety complaints in 90 days make the shop at best yellow. A shop
    opened under 90 days ago with no inspection is grey: it has no grade yet.
    Every input only adds points or rules as it gets worse, so a further violation,
    complaint or worse rating can never improve a colour.
#}
with

facts as (
    select * from {{ ref('int_shop_code_facts') }}
),

parameters as (
    select
        max(value) filter (where parameter = 'grey_days_open') as grey_days,
        max(value) filter (where parameter = 'food_safety_complaints_cap') as food_cap,
        max(value) filter (where parameter = 'stars_prior_reviews') as prior_reviews,
        max(value) filter (where parameter = 'yellow_min_points') as yellow_points,
        max(value) filter (where parameter = 'red_min_points') as red_points,
        max(value) filter (where parameter = 'feedback_window_days') as feedback_days
    from {{ ref('shop_code_parameters') }}
),

points as (
    select dimension, level, threshold, points from {{ ref('shop_code_points') }}
),

measured as (
    select
        f.*,
        f.complaints * 30.0 / p.feedback_days as complaints_per_month,
        -- mean stars shrunk toward the street's mean: a shop with 2 reviews is not a 1-star shop
        case when f.reviews > 0 then
            round((f.star_sum + p.prior_reviews * coalesce(f.street_mean_stars, f.star_sum::numeric / f.reviews))
                / (f.reviews + p.prior_reviews), 2)
        end as shrunk_stars,
        f.opened_on > f.on_date - p.grey_days::integer and f.inspections = 0 as is_grey
    from facts as f
    cross join parameters as p
),

bands as (  -- the feedback bands as one row: each row below reads them without a subquery
    select
        max(threshold) filter (where dimension = 'complaints' and level = 'high') as complaints_high,
        max(threshold) filter (where dimension = 'complaints' and level = 'some') as complaints_some,
        max(threshold) filter (where dimension = 'stars' and level = 'low') as stars_low,
        max(threshold) filter (where dimension = 'stars' and level = 'fair') as stars_fair
    from points
),

levels as (
    select
        m.*,
        case
            when m.complaints_per_month >= b.complaints_high then 'high'
            when m.complaints_per_month >= b.complaints_some then 'some'
        end as complaints_level,
        case
            when m.shrunk_stars < b.stars_low then 'low'
            when m.shrunk_stars < b.stars_fair then 'fair'
        end as stars_level
    from measured as m
    cross join bands as b
),

scored as (
    select
        l.*,
        coalesce(pi.points, 0) + coalesce(pr.points, 0) + coalesce(pc.points, 0) + coalesce(ps.points, 0)
            as score
    from levels as l
    left join points as pi on pi.dimension = 'inspection' and pi.level = l.latest_grade
    left join points as pr on pr.dimension = 'rating' and pr.level = l.rating
    left join points as pc on pc.dimension = 'complaints' and pc.level = l.complaints_level
    left join points as ps on ps.dimension = 'stars' and ps.level = l.stars_level
),

ruled as (
    select
        s.*,
        case
            when s.score >= p.red_points then 'red'
            when s.score >= p.yellow_points then 'yellow'
            else 'green'
        end as score_colour,
        -- the strictest rule that holds: red rules first, then the at-best-yellow ones
        case
            when s.licence_problem is not null then 'red'
            when s.latest_grade = 'C' then 'red'
            when s.latest_grade = 'B' and s.previous_grade = 'B' then 'red'
            when s.latest_grade = 'B' then 'yellow'
            when s.rating = 'D' then 'yellow'
            when s.food_safety_complaints >= p.food_cap then 'yellow'
        end as rule_colour,
        case
            when s.licence_problem is not null then '许可证: ' || s.licence_problem
            when s.latest_grade = 'C' then '最近一次检查为C级(' || s.latest_points || '分)'
            when s.latest_grade = 'B' and s.previous_grade = 'B' then '连续两次检查为B级'
            when s.latest_grade = 'B' then '最近一次检查为B级(' || s.latest_points || '分), 至多黄码'
            when s.rating = 'D' then '行业评价为D级, 至多黄码'
            when s.food_safety_complaints >= p.food_cap
                then '90天内食品安全投诉' || s.food_safety_complaints || '次, 至多黄码'
        end as rule_text
    from scored as s
    cross join parameters as p
)

select
    shop_id,
    on_date,
    date_role,
    on_date = (date_trunc('month', on_date) + interval '1 month - 1 day')::date as is_month_end,
    street_code,
    case
        when is_grey then 'grey'
        when rule_colour = 'red' or score_colour = 'red' then 'red'
        when rule_colour = 'yellow' or score_colour = 'yellow' then 'yellow'
        else 'green'
    end as colour,
    score,
    score_colour,
    case
        when is_grey then '开业未满90天且尚无检查, 暂无评级'
        when rule_colour is not null
            and (rule_colour = 'red' and score_colour <> 'red'
                 or rule_colour = 'yellow' and score_colour = 'green')
            then rule_text
    end as overriding_rule,
    -- the four dimensions, each with its grade and the reason for it
    case when licence_problem is null then 'ok' else 'failed' end as licence_grade,
    coalesce('许可证: ' || licence_problem, '所需许可证齐全有效') as licence_reason,
    coalesce(latest_grade, 'none') as inspection_grade,
    case
        when latest_grade is null then '尚无检查记录'
        else '最近检查 ' || latest_graded_on || ' 共' || latest_points || '分'
            || case when latest_critical > 0 then ', 含严重问题(至多B级)' else '' end
            || case when previous_grade is not null then ', 上次' || previous_grade || '级' else '' end
    end as inspection_reason,
    coalesce(rating, 'none') as rating_grade,
    case when rating is null then '尚无行业评价' else association || ' ' || rated_on || ' 评为' || rating || '级' end
        as rating_reason,
    case
        when complaints_level = 'high' or stars_level = 'low' then 'poor'
        when complaints_level is not null or stars_level is not null then 'fair'
        else 'good'
    end as feedback_grade,
    '近12个月投诉' || complaints || '次(' || round(complaints_per_month, 2) || '次/月)'
        || coalesce(', 评价' || reviews || '条 平均' || shrunk_stars || '星(按街道均值修正)', '')
        || case when food_safety_complaints > 0 then ', 90天内食品安全投诉' || food_safety_complaints || '次' else '' end
        as feedback_reason,
    complaints,
    food_safety_complaints,
    food_hygiene_complaints,
    reviews,
    shrunk_stars,
    critical_365d,
    latest_points,
    last_inspected_on,
    rating,
    industry,
    opened_on
from ruled
