{{
    config(
        grants={'+select': ['cityops_street']},
        post_hook="{{ street_row_security('street_code') }}",
    )
}}
-- 汇商码: one row a shop of the register as of the run date - its colour, the four
-- dimensions with their grades and reasons, the rule that overrode the score, and the
-- colour at each of the last 12 month-ends.
with

colours as (
    select * from {{ ref('int_shop_colours') }}
),

history as (
    select
        shop_id,
        jsonb_agg(jsonb_build_object('on', on_date, 'colour', colour) order by on_date) as colour_history
    from colours
    where is_month_end or date_role = 'as_of'
    group by shop_id
)

select
    date '{{ var("as_of") }}' as as_of_date,
    s.shop_id,
    s.shop_name,
    s.street_name,
    s.street_code,
    s.industry,
    s.status,
    c.colour,
    c.score,
    c.score_colour,
    c.overriding_rule,
    c.licence_grade,
    c.licence_reason,
    c.inspection_grade,
    c.inspection_reason,
    c.rating_grade,
    c.rating_reason,
    c.feedback_grade,
    c.feedback_reason,
    c.last_inspected_on,
    h.colour_history
from {{ ref('dim_shop') }} as s
inner join colours as c on c.shop_id = s.shop_id and c.date_role = 'as_of'
left join history as h on h.shop_id = s.shop_id
