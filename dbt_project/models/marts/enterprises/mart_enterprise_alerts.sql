{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 经营异动: the abnormal-change alerts that hold on the run date, one row per enterprise
-- and rule, with the facts behind it and the day it first held. Events count once (the
-- feed repeats them) and in the order they occurred (it delivers some late), so a late
-- abnormal_list_in never outlives the abnormal_list_out that followed it. Thresholds are
-- the seed enterprise_parameters; docs/domain.md (Scene 5) states the rules.
{% set as_of = var('as_of') %}
with

parameters as (
    select
        max(value) filter (where parameter = 'window_days')::int as window_days,
        max(value) filter (where parameter = 'legal_rep_changes')::int as legal_rep_changes,
        max(value) filter (where parameter = 'headcount_drop_share') as drop_share,
        max(value) filter (where parameter = 'headcount_min_base') as min_base,
        max(value) filter (where parameter = 'headcount_months')::int as headcount_months,
        make_date(
            extract(year from date '{{ as_of }}' - 1)::int
                - case when date '{{ as_of }}' - 1 < make_date(
                    extract(year from date '{{ as_of }}' - 1)::int,
                    max(value) filter (where parameter = 'annual_report_month')::int,
                    max(value) filter (where parameter = 'annual_report_day')::int
                ) then 1 else 0 end,
            max(value) filter (where parameter = 'annual_report_month')::int,
            max(value) filter (where parameter = 'annual_report_day')::int
        ) as report_deadline
    from {{ ref('enterprise_parameters') }}
),

enterprises as (
    select * from {{ ref('dim_enterprise') }}
),

events as (
    select
        *,
        row_number() over (
            partition by uscc,
                case when event_type like 'abnormal_list_%' then 'abnormal_list' else event_type end
            order by occurred_at desc, event_id desc
        ) as newest_first
    from {{ ref('stg_enterprise_events__events') }}
    where uscc is not null and occurred_at < date '{{ as_of }}'
),

moved_out as (
    select
        e.uscc,
        'moved_out_of_district' as rule,
        e.occurred_at::date as first_held_on,
        jsonb_build_object(
            'old_address', e.old_value, 'new_address', e.new_value,
            'old_district', staging.district_in_address(e.old_value),
            'new_district', staging.district_in_address(e.new_value)
        ) as facts,
        format('注册地址迁出%s：%s → %s（%s）',
            coalesce(staging.district_in_address(e.old_value), '原区'),
            e.old_value, e.new_value, e.occurred_at::date) as explanation
    from events as e
    cross join parameters as p
    where e.event_type = 'address_change' and e.newest_first = 1
        and e.occurred_at::date > date '{{ as_of }}' - 1 - p.window_days
        and staging.district_in_address(e.old_value)
            is distinct from staging.district_in_address(e.new_value)
),

status_events as (
    select * from events where event_type = 'status_change'
),

status_ended as (
    select
        e.uscc,
        'status_ended' as rule,
        e.occurred_at::date as first_held_on,
        jsonb_build_object('old_status', e.old_value, 'new_status', e.new_value) as facts,
        format('登记状态变更：%s → %s（%s）', e.old_value, e.new_value, e.occurred_at::date)
            as explanation
    from status_events as e
    where e.newest_first = 1 and e.new_value in ('吊销', '注销', '迁出')
    union all
    -- the register says so before the feed does
    select
        d.uscc,
        'status_ended',
        d.snapshot_on,
        jsonb_build_object('register_status', d.status),
        format('登记状态为%s（登记册 %s）', d.status, d.snapshot_on)
    from enterprises as d
    where d.has_ended and not exists (select from status_events as s where s.uscc = d.uscc)
),

abnormal_list as (
    select
        e.uscc,
        'abnormal_list' as rule,
        e.occurred_at::date as first_held_on,
        jsonb_build_object('listed_at', e.occurred_at, 'entry', e.new_value) as facts,
        format('列入经营异常名录（%s），未移出', e.occurred_at::date) as explanation
    from events as e
    where e.event_type in ('abnormal_list_in', 'abnormal_list_out') and e.newest_first = 1
        and e.event_type = 'abnormal_list_in'
),

annual_report_missing as (
    select
        d.uscc,
        'annual_report_missing' as rule,
        p.report_deadline + 1 as first_held_on,
        jsonb_build_object(
            'report_year', extract(year from p.report_deadline)::int - 1,
            'deadline', p.report_deadline
        ) as facts,
        format('未在%s前报送%s年度报告', p.report_deadline,
            extract(year from p.report_deadline)::int - 1) as explanation
    from enterprises as d
    cross join parameters as p
    where not d.has_ended
        and extract(year from d.established_on) <= extract(year from p.report_deadline) - 1
        and not exists (
            select from events as e
            where e.uscc = d.uscc and e.event_type = 'annual_report_filed'
                and e.new_value = (extract(year from p.report_deadline)::int - 1)::text
        )
),

rep_changes as (
    select
        e.uscc,
        e.occurred_at,
        e.old_value,
        e.new_value,
        row_number() over (partition by e.uscc order by e.occurred_at, e.event_id) as nth,
        count(*) over (partition by e.uscc) as changes,
        p.legal_rep_changes
    from events as e
    cross join parameters as p
    where e.event_type = 'legal_rep_change'
        and e.occurred_at::date > date '{{ as_of }}' - 1 - p.window_days
),

legal_rep_changes as (
    select
        uscc,
        'legal_rep_changes' as rule,
        max(occurred_at::date) filter (where nth = legal_rep_changes) as first_held_on,
        jsonb_build_object(
            'changes', max(changes),
            'history', jsonb_agg(jsonb_build_object('on', occurred_at::date, 'from', old_value, 'to', new_value) order by nth)
        ) as facts,
        format('12个月内法定代表人变更%s次', max(changes)) as explanation
    from rep_changes
    where changes >= legal_rep_changes
    group by uscc
),

headcount as (
    select
        h.uscc,
        h.month,
        h.headcount,
        lag(h.headcount, p.headcount_months) over (partition by h.uscc order by h.month) as before,
        p.drop_share,
        p.min_base
    from {{ ref('int_enterprise_headcount') }} as h
    cross join parameters as p
),

headcount_held as (
    select
        *,
        coalesce(before >= min_base and headcount <= before * (1 - drop_share), false) as held,
        max(month) over (partition by uscc) as last_month
    from headcount
),

headcount_streaks as (
    select
        uscc,
        max(month) filter (where not held) as last_not_held,
        bool_or(held and month = last_month) as holds_now
    from headcount_held
    group by uscc
),

headcount_drop as (
    select
        h.uscc,
        'headcount_drop' as rule,
        min(h.month) filter (where h.month > coalesce(s.last_not_held, date '1900-01-01'))
            as first_held_on,
        jsonb_build_object(
            'month', max(h.month), 'headcount', max(h.headcount) filter (where h.month = h.last_month),
            'before', max(h.before) filter (where h.month = h.last_month)
        ) as facts,
        format('参保人数 %s 人（%s）较三个月前 %s 人下降 %s%%',
            max(h.headcount) filter (where h.month = h.last_month),
            to_char(max(h.month), 'YYYY-MM'),
            max(h.before) filter (where h.month = h.last_month),
            round(100 * (1 - max(h.headcount) filter (where h.month = h.last_month)::numeric
                / nullif(max(h.before) filter (where h.month = h.last_month), 0)))) as explanation
    from headcount_held as h
    inner join headcount_streaks as s using (uscc)
    where s.holds_now
    group by h.uscc
),

alerts as (
    select * from moved_out
    union all select * from status_ended
    union all select * from abnormal_list
    union all select * from annual_report_missing
    union all select * from legal_rep_changes
    union all select * from headcount_drop
)

select
    a.uscc,
    d.enterprise_name,
    d.district_code,
    d.street_code,
    d.street_name,
    a.rule,
    case a.rule
        when 'moved_out_of_district' then '注册地址迁出本区'
        when 'status_ended' then '吊销、注销或迁出'
        when 'abnormal_list' then '列入经营异常名录'
        when 'annual_report_missing' then '未按时报送年报'
        when 'legal_rep_changes' then '法定代表人频繁变更'
        when 'headcount_drop' then '参保人数骤降'
    end as rule_name,
    a.first_held_on,
    a.facts,
    a.explanation
from alerts as a
left join enterprises as d using (uscc)
