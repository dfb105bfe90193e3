-- Insured staff per employer and month, from the social-insurance contributions: one row
-- for every month the feed covers, zero where an employer paid for nobody.
with

contributions as (
    select
        staging.uscc_normalised(employer_uscc) as uscc,
        contribution_month as month,
        count(*) as headcount
    from {{ ref('stg_employment__contributions') }}
    group by 1, 2
),

months as (
    select distinct month from contributions
),

employers as (
    select distinct uscc from contributions where uscc is not null
)

select
    e.uscc,
    m.month,
    coalesce(c.headcount, 0)::integer as headcount
from employers as e
cross join months as m
left join contributions as c on c.uscc = e.uscc and c.month = m.month
