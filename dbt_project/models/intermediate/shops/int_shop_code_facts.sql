{#
    What each dimension of 汇商码 knows of a shop on a date: the as-of date, the work
    list's evaluation date (as-of minus evaluation_days) and the last 12 month-ends (the
    colour history). Only records dated on or before each date count, and a revocation
    only from the day it was delivered, so a date's facts are what was known then.
#}
with

parameters as (
    select
        max(value) filter (where parameter = 'feedback_window_days')::integer as feedback_days,
        max(value) filter (where parameter = 'food_safety_window_days')::integer as food_days,
        max(value) filter (where parameter = 'evaluation_days')::integer as evaluation_days
    from {{ ref('shop_code_parameters') }}
),

candidate_dates as (
    select date '{{ var("as_of") }}' as on_date, 'as_of' as date_role
    union all
    select date '{{ var("as_of") }}' - p.evaluation_days, 'evaluation'
    from parameters as p
    union all
    select
        (date_trunc('month', date '{{ var("as_of") }}') - make_interval(months => n) - interval '1 day')::date,
        'history'
    from generate_series(0, 11) as n
),

dates as (  -- the evaluation date may also be a month-end: one row a date
    select distinct on (on_date) on_date, date_role
    from candidate_dates
    order by on_date, date_role
),

shops as (
    select shop_id, street_code, industry, opened_on from {{ ref('stg_shops__register') }}
),

shop_dates as (
    select s.shop_id, s.street_code, s.industry, s.opened_on, d.on_date, d.date_role
    from shops as s
    cross join dates as d
    where s.opened_on is null or s.opened_on <= d.on_date
),

links as (
    select source, record_id, shop_id
    from {{ ref('int_shop_links') }}
    where link_status = 'linked'
),

-- licences: each required licence held on the date, else why not
licences as (
    select l.shop_id, x.licence_no, x.licence_type, x.issued_on, x.valid_until, x.status, x.status_since
    from {{ ref('stg_shop_licences__licences') }} as x
    inner join links as l on l.source = 'shop_licences' and l.record_id = x.licence_no
),

required_licences as (
    select
        sd.shop_id,
        sd.on_date,
        q.licence_type,
        bool_or(
            x.issued_on <= sd.on_date
            and (x.valid_until is null or x.valid_until >= sd.on_date)
            and not (x.status <> '有效' and x.status_since <= sd.on_date)
        ) as held,
        bool_or(x.status = '吊销' and x.status_since <= sd.on_date) as revoked,
        max(x.valid_until) filter (where x.issued_on <= sd.on_date) as last_valid_until,
        count(x.licence_no) filter (where x.issued_on <= sd.on_date) as issued
    from shop_dates as sd
    inner join {{ ref('shop_required_licences') }} as q on q.industry = sd.industry
    left join licences as x on x.shop_id = sd.shop_id and x.licence_type = q.licence_type
    group by sd.shop_id, sd.on_date, q.licence_type
),

licence_facts as (
    select
        shop_id,
        on_date,
        string_agg(
            case
                when coalesce(held, false) then null
                when revoked then licence_type || '已吊销'
                when issued = 0 then '缺少' || licence_type
                else licence_type || '已过期(有效期至' || last_valid_until || ')'
            end, '; ' order by licence_type
        ) as licence_problem
    from required_licences
    group by shop_id, on_date
),

-- inspections: a follow-up replaces the inspection it follows up
inspections as (
    select l.shop_id, i.inspection_id, i.inspected_on, i.kind, i.points, i.critical_count
    from {{ ref('stg_shop_inspections__inspections') }} as i
    inner join links as l on l.source = 'shop_inspections' and l.record_id = i.inspection_id
    where i.inspected_on is not null
),

inspections_by_date as (
    select
        sd.shop_id,
        sd.on_date,
        i.inspection_id,
        i.inspected_on,
        i.kind,
        i.points,
        i.critical_count,
        lead(i.kind) over (
            partition by sd.shop_id, sd.on_date order by i.inspected_on, i.inspection_id
        ) as next_kind
    from shop_dates as sd
    inner join inspections as i on i.shop_id = sd.shop_id and i.inspected_on <= sd.on_date
),

graded as (
    select
        b.*,
        -- a critical violation not cleared by a follow-up caps the grade at B
        case when b.critical_count > 0 and g.grade = 'A' then 'B' else g.grade end as grade,
        row_number() over (
            partition by b.shop_id, b.on_date order by b.inspected_on desc, b.inspection_id desc
        ) as recency
    from inspections_by_date as b
    inner join {{ ref('shop_inspection_grades') }} as g
        on b.points >= g.min_points and (g.max_points is null or b.points <= g.max_points)
    where b.next_kind is distinct from 'follow_up'
),

inspection_facts as (
    select
        b.shop_id,
        b.on_date,
        count(*) as inspections,
        max(b.inspected_on) as last_inspected_on,
        sum(b.critical_count) filter (where b.inspected_on > b.on_date - 365) as critical_365d,
        max(g.grade) filter (where g.recency = 1) as latest_grade,
        max(g.grade) filter (where g.recency = 2) as previous_grade,
        max(g.points) filter (where g.recency = 1) as latest_points,
        max(g.inspected_on) filter (where g.recency = 1) as latest_graded_on,
        max(g.critical_count) filter (where g.recency = 1) as latest_critical
    from inspections_by_date as b
    left join graded as g
        on g.shop_id = b.shop_id and g.on_date = b.on_date and g.inspection_id = b.inspection_id
    group by b.shop_id, b.on_date
),

-- industry ratings: the latest one
rating_facts as (
    select distinct on (sd.shop_id, sd.on_date)
        sd.shop_id, sd.on_date, r.grade as rating, r.rated_on, r.association
    from shop_dates as sd
    inner join links as l on l.source = 'shop_ratings' and l.shop_id = sd.shop_id
    inner join {{ ref('stg_shop_ratings__ratings') }} as r
        on r.rating_key = l.record_id and r.rated_on <= sd.on_date
    order by sd.shop_id, sd.on_date, r.rated_on desc, r.rating_key desc
),

-- consumer feedback over the window
feedback as (
    select l.shop_id, f.kind, f.category, f.stars, f.received_on
    from {{ ref('stg_consumer_feedback__feedback') }} as f
    inner join links as l on l.source = 'consumer_feedback' and l.record_id = f.feedback_id
    where f.received_on is not null
),

feedback_facts as (
    select
        sd.shop_id,
        sd.on_date,
        count(*) filter (where f.kind = 'complaint') as complaints,
        count(*) filter (
            where f.kind = 'complaint' and f.category = '食品安全' and f.received_on > sd.on_date - p.food_days
        ) as food_safety_complaints,
        count(*) filter (
            where f.kind = 'complaint' and f.category in ('食品安全', '卫生')
                and f.received_on > sd.on_date - p.food_days
        ) as food_hygiene_complaints,
        count(f.stars) filter (where f.kind = 'review') as reviews,
        sum(f.stars) filter (where f.kind = 'review') as star_sum
    from shop_dates as sd
    cross join parameters as p
    inner join feedback as f
        on f.shop_id = sd.shop_id and f.received_on <= sd.on_date and f.received_on > sd.on_date - p.feedback_days
    group by sd.shop_id, sd.on_date
),

street_stars as (
    select sd.street_code, sd.on_date, sum(ff.star_sum)::numeric / nullif(sum(ff.reviews), 0) as street_mean_stars
    from feedback_facts as ff
    inner join shop_dates as sd using (shop_id, on_date)
    group by sd.street_code, sd.on_date
)

select
    sd.shop_id,
    sd.on_date,
    sd.date_role,
    sd.street_code,
    sd.industry,
    sd.opened_on,
    lf.licence_problem,
    coalesce(i.inspections, 0) as inspections,
    i.last_inspected_on,
    coalesce(i.critical_365d, 0) as critical_365d,
    i.latest_grade,
    i.previous_grade,
    i.latest_points,
    i.latest_graded_on,
    coalesce(i.latest_critical, 0) as latest_critical,
    r.rating,
    r.rated_on,
    r.association,
    coalesce(ff.complaints, 0) as complaints,
    coalesce(ff.food_safety_complaints, 0) as food_safety_complaints,
    coalesce(ff.food_hygiene_complaints, 0) as food_hygiene_complaints,
    coalesce(ff.reviews, 0) as reviews,
    ff.star_sum,
    ss.street_mean_stars
from shop_dates as sd
left join licence_facts as lf using (shop_id, on_date)
left join inspection_facts as i using (shop_id, on_date)
left join rating_facts as r using (shop_id, on_date)
left join feedback_facts as ff using (shop_id, on_date)
left join street_stars as ss on ss.street_code = sd.street_code and ss.on_date = sd.on_date
