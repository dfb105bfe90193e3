-- Requests to closure by street and category: how many came in, are open, overdue and
-- closed, the closure rate and the mean satisfaction of the closed ones.
select
    street_code,
    street_name,
    category,
    count(*) as requests,
    count(*) filter (where is_open) as open_requests,
    count(*) filter (where is_overdue) as overdue_requests,
    count(*) filter (where not is_open) as closed_requests,
    round(count(*) filter (where not is_open)::numeric / count(*), 3) as closure_rate,
    round(avg(satisfaction) filter (where not is_open), 2) as mean_satisfaction,
    count(*) filter (where needs_follow_up) as follow_ups
from {{ ref('mart_enterprise_requests') }}
group by street_code, street_name, category
