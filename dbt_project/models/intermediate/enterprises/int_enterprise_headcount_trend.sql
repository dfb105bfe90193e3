-- Each employer's insured headcount as the enterprise file and the policy facts read it:
-- the months as one object, the feed's latest month and the headcount 11 months before
-- it (the start of the 12-month trend; null when the feed is shorter).
select
    uscc,
    jsonb_object_agg(to_char(month, 'YYYY-MM'), headcount order by month) as headcount_by_month,
    max(month) as headcount_month,
    (array_agg(headcount order by month desc))[1] as headcount_latest,
    (array_agg(headcount order by month desc))[12] as headcount_12m_start
from {{ ref('int_enterprise_headcount') }}
group by uscc
