-- Delivery per policy in force: eligible enterprises, pushed, applied (of the eligible),
-- reach ((pushed or applied) / eligible), uptake (applied / eligible), grants decided
-- (通过) and their amount, and false pushes (pushed though a condition fails, re-checked
-- against the conditions themselves: 0 when the rules are kept).
with

matches as (
    select * from {{ ref('mart_policy_matches') }}
),

applications as (
    select * from {{ ref('stg_policy_applications__applications') }}
),

pushed as (
    select * from {{ ref('mart_policy_push') }}
),

per_policy as (
    select
        p.policy_id,
        p.title,
        p.mode,
        p.issuer,
        (select count(*) from matches as m where m.policy_id = p.policy_id) as eligible,
        (select count(*) from pushed as u where u.policy_id = p.policy_id) as pushed,
        (
            select count(distinct a.uscc) from applications as a
            where a.policy_id = p.policy_id
                and exists (select from matches as m where m.policy_id = a.policy_id and m.uscc = a.uscc)
        ) as applied_eligible,
        (select count(*) from applications as a where a.policy_id = p.policy_id) as applications,
        (select count(*) from applications as a where a.policy_id = p.policy_id and a.status = '通过')
            as grants,
        (select coalesce(sum(a.granted_wan), 0) from applications as a
            where a.policy_id = p.policy_id and a.status = '通过') as granted_wan,
        (  -- re-checked condition by condition, not through the matches
            select count(*) from pushed as u
            where u.policy_id = p.policy_id
                and exists (
                    select from {{ ref('policy_condition_evaluations') }} as e
                    where e.policy_id = u.policy_id and e.uscc = u.uscc and not e.holds
                )
        ) as false_pushes
    from {{ ref('dim_policy_version') }} as p
    where p.is_in_force
)

select
    *,
    case when mode = '申报' and eligible > 0
        then round((pushed + applied_eligible)::numeric / eligible, 3) end as reach,
    case when mode = '申报' and eligible > 0
        then round(applied_eligible::numeric / eligible, 3) end as uptake,
    case when pushed > 0 then round(false_pushes::numeric / pushed, 3) else 0 end as false_push_rate
from per_policy
