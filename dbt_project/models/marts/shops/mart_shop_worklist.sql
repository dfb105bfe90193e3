{{
    config(
        grants={'+select': ['cityops_street']},
        post_hook="{{ street_row_security('street_code') }}",
    )
}}
-- Inspectors' work list as of the run date: each street's open shops ranked by the risk of
-- a critical finding at the next inspection, with the top reasons.
select
    date '{{ var("as_of") }}' as as_of_date,
    s.street_name,
    s.street_code,
    row_number() over (
        partition by s.street_code order by r.risk_score desc, r.last_inspected_on nulls first, s.shop_id
    ) as street_rank,
    s.shop_id,
    s.shop_name,
    s.road || s.house_no as address,
    s.industry,
    r.risk_score,
    r.reason_1,
    r.reason_2,
    r.reason_3,
    r.last_inspected_on,
    c.colour
from {{ ref('dim_shop') }} as s
inner join {{ ref('int_shop_risk') }} as r on r.shop_id = s.shop_id and r.date_role = 'as_of'
inner join {{ ref('mart_shop_code') }} as c on c.shop_id = s.shop_id
where s.status = '营业'
