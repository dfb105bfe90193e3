{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 一户一档: one file per enterprise - register facts, its building (and that building's
-- facade risk tier), insured headcount by month with its 12-month trend, the change
-- events in the order they occurred, its requests, the licences of the shops it runs
-- (where the shop's credit code is the enterprise's), the alerts that hold and the
-- 政策通 policies it matches on the run date.
with

enterprises as (
    select * from {{ ref('dim_enterprise') }}
),

risk as (
    select building_code, risk_tier from {{ ref('mart_facade_risk') }}
),

headcount as (
    select * from {{ ref('int_enterprise_headcount_trend') }}
),

events as (
    select
        uscc,
        count(*) as events,
        jsonb_agg(
            jsonb_build_object('on', occurred_at, 'type', event_type, 'old', old_value, 'new', new_value)
            order by occurred_at, event_id
        ) as event_history
    from {{ ref('stg_enterprise_events__events') }}
    where uscc is not null
    group by uscc
),

requests as (
    select
        uscc,
        count(*) as requests,
        count(*) filter (where is_open) as open_requests,
        count(*) filter (where is_overdue) as overdue_requests
    from {{ ref('mart_enterprise_requests') }}
    where uscc is not null
    group by uscc
),

licences as (
    select
        s.uscc,
        jsonb_agg(
            jsonb_build_object(
                'licence_no', l.licence_no, 'shop_id', l.shop_id, 'type', l.licence_type,
                'status', l.status, 'valid_until', l.valid_until
            ) order by l.shop_id, l.licence_type, l.licence_no
        ) as licences
    from {{ ref('fct_shop_licence') }} as l
    inner join {{ ref('dim_shop') }} as s using (shop_id)
    where s.uscc is not null
    group by s.uscc
),

alerts as (
    select uscc, array_agg(rule order by rule) as alerts
    from {{ ref('mart_enterprise_alerts') }}
    group by uscc
),

policy_summaries as (  -- each policy's entry once, not once per enterprise it matches
    select
        policy_id,
        jsonb_build_object(
            'policy_id', policy_id, 'title', title, 'mode', mode, 'issuer', issuer,
            'benefit', benefit_kind, 'amount_wan', benefit_amount_wan
        ) as summary
    from {{ ref('dim_policy_version') }}
    where is_in_force
),

policies as (
    select m.uscc, jsonb_agg(p.summary order by m.policy_id) as policies_matched
    from {{ ref('mart_policy_matches') }} as m
    inner join policy_summaries as p using (policy_id)
    group by m.uscc
)

select
    e.uscc,
    e.enterprise_name,
    e.legal_rep_name,
    e.registered_address,
    e.district_code,
    e.district_name,
    e.street_code,
    e.street_name,
    e.industry_code,
    e.registered_capital_wan,
    e.established_on,
    e.status,
    e.qualifications,
    e.building_code,
    e.building_link_path,
    e.building_link_confidence,
    k.risk_tier as building_facade_risk_tier,
    h.headcount_month,
    coalesce(h.headcount_latest, 0) as headcount_latest,
    h.headcount_12m_start,
    case when h.headcount_12m_start > 0
        then round((h.headcount_latest - h.headcount_12m_start)::numeric
            / h.headcount_12m_start, 3)
    end as headcount_growth_12m,
    h.headcount_by_month,
    coalesce(v.events, 0) as events,
    v.event_history,
    coalesce(q.requests, 0) as requests,
    coalesce(q.open_requests, 0) as open_requests,
    coalesce(q.overdue_requests, 0) as overdue_requests,
    coalesce(l.licences, '[]'::jsonb) as licences,
    coalesce(a.alerts, '{}') as alerts,
    coalesce(p.policies_matched, '[]'::jsonb) as policies_matched
from enterprises as e
left join risk as k using (building_code)
left join headcount as h using (uscc)
left join events as v using (uscc)
left join requests as q using (uscc)
left join licences as l using (uscc)
left join alerts as a using (uscc)
left join policies as p using (uscc)
