-- Delivery per policy in force: eligible enterprises, pushed, applied (of the eligible),
-- reach ((pushed or applied) / eligible), uptake (applied / eligible), grants decided
-- (通过) and their amount, and false pushes: pushed pairs re-checked against the
-- conditions themselves, not through the matches (0 when the rules are kept).
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

conditions as (
    select * from {{ ref('dim_policy_condition') }}
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

eligible as (
    select policy_id, count(*) as eligible from matches group by policy_id
),

pushes as (
    select policy_id, count(*) as pushed from pushed group by policy_id
),

applied as (
    select
        policy_id,
        count(*) as applications,
        count(*) filter (where status = '通过') as grants,
        coalesce(sum(granted_wan) filter (where status = '通过'), 0) as granted_wan
    from applications
    group by policy_id
),

applied_eligible as (
    select a.policy_id, count(distinct a.uscc) as applied_eligible
    from applications as a
    inner join matches as m on m.policy_id = a.policy_id and m.uscc = a.uscc
    group by a.policy_id
),

false_pushes as (
    select u.policy_id, count(distinct u.uscc) as false_pushes
    from pushed as u
    inner join conditions as c on c.policy_id = u.policy_id
    inner join facts as f on f.uscc = u.uscc
    where not {{ policy_condition_holds('c.field_no', 'c.op_no', 'c.value_texts', 'c.value_number', 'c.value_bool', 'f') }}
    group by u.policy_id
),

per_policy as (
    select
        p.policy_id,
        p.title,
        p.mode,
        p.issuer,
        coalesce(e.eligible, 0) as eligible,
        coalesce(u.pushed, 0) as pushed,
        coalesce(ae.applied_eligible, 0) as applied_eligible,
        coalesce(a.applications, 0) as applications,
        coalesce(a.grants, 0) as grants,
        coalesce(a.granted_wan, 0) as granted_wan,
        coalesce(fp.false_pushes, 0) as false_pushes
    from {{ ref('dim_policy_version') }} as p
    left join eligible as e using (policy_id)
    left join pushes as u using (policy_id)
    left join applied_eligible as ae using (policy_id)
    left join applied as a using (policy_id)
    left join false_pushes as fp using (policy_id)
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
