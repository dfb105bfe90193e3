{#
    Grain: one row per registered building as of the run date. All 30 factors (raw and
    normalised), the weighted score 0-100, the tier, the top 3 contributing factors, and
    the recommended action with its deadline. Hard rules override the score: an open
    severity-3 case or a breakage in the last 30 days makes the building red with an
    emergency action within 24 hours.
#}
{{ config(
    grants={'+select': ['cityops_street']},
    post_hook="{{ street_row_security('street_code') }}",
) }}
{% set as_of = var('as_of') %}
{% set factors = [
    'facade_age_years', 'years_since_major_repair', 'sealant_age_years', 'height_m', 'curtain_wall_area_m2',
    'glass_type_risk', 'wall_system_risk', 'is_street_facing', 'crowd_use_risk', 'has_no_property_manager',
    'days_since_last_inspection', 'is_inspection_overdue', 'defects_3y', 'worst_severity_last_inspection',
    'glass_breakages_5y', 'spontaneous_breakages_5y', 'sealant_failures_3y', 'loose_hardware_3y',
    'frame_corrosion_3y', 'open_cases', 'repeated_findings', 'drone_anomalies_1y', 'max_gust_12m_ms',
    'gale_days_12m', 'typhoon_warning_days_12m', 'extreme_heat_days_12m', 'max_temp_swing_12m_c',
    'heavy_rain_days_12m', 'is_coastal_district', 'breakages_within_500m_1y'
] %}

with

factor_values as (
    select * from {{ ref('int_facade_factor_values') }}
),

factors as (
    select * from {{ ref('facade_risk_factors') }}
),

tiers as (
    select * from {{ ref('facade_risk_tiers') }}
),

streets as (
    select * from {{ ref('ref_shanghai_streets') }}
),

long as (
    select
        factor_values.building_code,
        factors.factor_no,
        factors.factor,
        factors.weight,
        values_.raw_value,
        least(greatest(coalesce(values_.raw_value, 0) / nullif(factors.cap, 0), 0), 1) as normalised_value
    from factor_values
    cross join lateral (
        values
        {%- for factor in factors %}
            ('{{ factor }}', {{ factor }}::numeric){{ ',' if not loop.last }}
        {%- endfor %}
    ) as values_ (factor, raw_value)
    inner join factors
        on factors.factor = values_.factor
),

contributions as (
    select
        long.*,
        long.weight * long.normalised_value as contribution,
        row_number() over (partition by building_code order by long.weight * long.normalised_value desc, factor_no)
            as contribution_rank
    from long
),

scored as (
    select
        building_code,
        round((100 * sum(contribution) / sum(weight))::numeric, 2) as risk_score,
        array_agg(factor order by contribution_rank) filter (where contribution_rank <= 3 and contribution > 0)
            as top_factors,
        {%- for factor in factors %}
        max(normalised_value) filter (where factor = '{{ factor }}') as {{ factor }}_norm{{ ',' if not loop.last }}
        {%- endfor %}
    from contributions
    group by building_code
),

tiered as (
    select
        scored.*,
        (
            select tiers.tier from tiers
            where scored.risk_score >= tiers.min_score
            order by tiers.min_score desc
            limit 1
        ) as score_tier
    from scored
),

final as (
    select
        factor_values.building_code,
        factor_values.district_code,
        factor_values.district_name,
        streets.street_code,
        factor_values.street_name,
        tiered.risk_score,
        case when factor_values.open_severity3_cases > 0 or factor_values.breakages_30d > 0
            then 'red' else tiered.score_tier end as risk_tier,
        tiered.score_tier,
        factor_values.open_severity3_cases > 0 or factor_values.breakages_30d > 0 as is_hard_rule_override,
        case
            when factor_values.open_severity3_cases > 0 then 'open severity-3 case'
            when factor_values.breakages_30d > 0 then 'breakage in the last 30 days'
        end as hard_rule,
        tiered.top_factors[1] as top_factor_1,
        tiered.top_factors[2] as top_factor_2,
        tiered.top_factors[3] as top_factor_3,
        case when factor_values.open_severity3_cases > 0 or factor_values.breakages_30d > 0
            then 'emergency: remove, fence off, warn within 24 h' else tiers.action end as recommended_action,
        case when factor_values.open_severity3_cases > 0 or factor_values.breakages_30d > 0
            then 24 else tiers.deadline_hours end as action_deadline_hours,
        ('{{ as_of }}'::date + make_interval(hours => case
            when factor_values.open_severity3_cases > 0 or factor_values.breakages_30d > 0 then 24
            else tiers.deadline_hours end))::date as action_due_on,
        '{{ as_of }}'::date as as_of_date,
        {%- for factor in factors %}
        factor_values.{{ factor }},
        tiered.{{ factor }}_norm{{ ',' if not loop.last }}
        {%- endfor %}
    from factor_values
    inner join tiered
        on tiered.building_code = factor_values.building_code
    inner join tiers
        on tiers.tier = tiered.score_tier
    left join streets
        on streets.district_code = factor_values.district_code
        and streets.street_name = factor_values.street_name
)

select * from final
