{#
    marts.office_candidates(low, high, budget, wanted, on_date, top): the units of
    dim_office_unit that meet an office request, best first, with the reason for each
    criterion (docs/domain.md, Scene 5). A unit qualifies when it is proposable (vacant,
    its building not in the facade red tier), its area is within [low, high] (high null:
    open above), its rent is within the budget plus rent_tolerance (marked over budget),
    and it lies in a wanted district or street (an empty list: anywhere). The fit is the
    weighted sum of office_match_weights (written into the function as
    constants when it is created); ties go to the lower unit id.
#}
{% macro office_candidates_function() %}
{#- The seeds' values are written into the function when it is created (the model is
    rebuilt when they change), so a BI role needs no access to the seeds' schema. -#}
{%- set weights = {} -%}
{%- set rent_tolerance = [0] -%}
{%- if execute -%}
    {%- for row in run_query("select criterion, weight from " ~ ref('office_match_weights')).rows -%}
        {%- do weights.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set found = run_query("select value from " ~ ref('enterprise_parameters') ~ " where parameter = 'rent_tolerance'").rows -%}
    {%- if found | length > 0 -%}{%- do rent_tolerance.append(found[0][0]) -%}{%- endif -%}
{%- endif -%}
{%- set rent_tolerance = rent_tolerance[-1] -%}
create or replace function {{ this.schema }}.office_candidates(
    p_low numeric, p_high numeric, p_budget numeric, p_wanted text[], p_on date, p_top integer
) returns table (
    match_rank integer, unit_id text, building_name text, building_code text,
    district_name text, street_name text, area_m2 numeric, rent numeric, grade text,
    available_on date, facade_risk_tier text, over_budget boolean, fit numeric,
    area_reason text, rent_reason text, place_reason text, building_reason text
)
language sql stable as $fn$
    with
    w as (
        select
            {{ weights.get('area', 0) }}::numeric as area,
            {{ weights.get('rent', 0) }}::numeric as rent,
            {{ weights.get('place', 0) }}::numeric as place,
            {{ weights.get('grade', 0) }}::numeric as grade,
            {{ weights.get('availability', 0) }}::numeric as availability
    ),
    tolerance as (
        select {{ rent_tolerance }}::numeric as rent
    ),
    wanted as (select coalesce(p_wanted, '{}') as names),
    centre as (
        select coalesce((coalesce(p_low, 0) + coalesce(p_high, coalesce(p_low, 0) * 1.4)) / 2, 0) as m2
    ),
    scored as (
        select
            u.*,
            p_budget is not null and u.rent > p_budget as over_budget,
            case
                when u.street_name = any(wn.names) then 1.0
                when u.district_name = any(wn.names) then 0.6
                else 0.3
            end as place_fit,
            greatest(0, 1 - abs(ln(u.area_m2 / nullif(c.m2, 0)))) as area_fit,
            case
                when p_budget is null then 0
                when u.rent <= p_budget then (p_budget - u.rent) / p_budget
                else -0.5
            end as rent_fit,
            case u.grade when '甲级' then 1.0 when '乙级' then 0.5 else 0 end as grade_fit,
            greatest(0, 1 - greatest(0, coalesce(u.available_on, p_on) - p_on) / 120.0) as availability_fit
        from {{ this }} as u
        cross join wanted as wn
        cross join centre as c
        cross join tolerance as t
        where u.is_proposable
            and u.area_m2 >= coalesce(p_low, 0)
            and (p_high is null or u.area_m2 <= p_high)
            and (p_budget is null or u.rent <= p_budget * (1 + t.rent))
            and (cardinality(wn.names) = 0 or u.district_name = any(wn.names)
                or u.street_name = any(wn.names))
    ),
    ranked as (
        select
            s.*,
            round(
                w.area * coalesce(s.area_fit, 0) + w.rent * s.rent_fit + w.place * s.place_fit
                + w.grade * s.grade_fit + w.availability * s.availability_fit, 4
            ) as fit
        from scored as s
        cross join w
    )
    select
        (row_number() over (order by r.fit desc, r.unit_id))::integer,
        r.unit_id, r.building_name, r.building_code, r.district_name, r.street_name,
        r.area_m2, r.rent, r.grade, r.available_on, r.facade_risk_tier, r.over_budget, r.fit,
        format('面积 %s ㎡，需求 %s', r.area_m2,
            case when p_high is null then '≥' || p_low::text
                 else round(coalesce(p_low, 0)) || '-' || round(p_high) end || ' ㎡'),
        case
            when p_budget is null then format('租金 %s 元/㎡/天（未给预算）', r.rent)
            when r.over_budget then format('租金 %s 元/㎡/天，超出预算 %s 的 %s%%（在容差内）',
                r.rent, p_budget, round(100 * (r.rent / p_budget - 1)))
            else format('租金 %s 元/㎡/天，在预算 %s 以内', r.rent, p_budget)
        end,
        case
            when r.place_fit = 1.0 then format('位于意向街道 %s', r.street_name)
            when r.place_fit = 0.6 then format('位于意向区 %s（%s）', r.district_name, r.street_name)
            else format('%s %s（未限区域）', r.district_name, r.street_name)
        end,
        format('%s %s，幕墙风险 %s', r.building_name, coalesce(r.grade, '等级未知'),
            coalesce(r.facade_risk_tier, '未入册'))
    from ranked as r
    order by r.fit desc, r.unit_id
    limit p_top
$fn$;
{% endmacro %}
