{# Grain: one row per station and local day. #}
{{ config(materialized='incremental', unique_key=['station_id', 'observed_on'], on_schema_change='append_new_columns') }}

with

observations as (
    select * from {{ ref('stg_weather__observations') }}
    {% if is_incremental() %}
    where observed_on >= (select coalesce(max(observed_on), '1900-01-01'::date) - 1 from {{ this }})
    {% endif %}
),

final as (
    select
        station_id,
        observed_on,
        max(gust_ms) as max_gust_ms,
        coalesce(max(gust_ms) >= 17.2, false) as is_gale_day,
        max(temp_c) as max_temp_c,
        min(temp_c) as min_temp_c,
        max(temp_c) - min(temp_c) as temp_swing_c,
        sum(precip_mm) as precip_mm,
        (array['none', 'blue', 'yellow', 'orange', 'red'])[
            max(array_position(array['none', 'blue', 'yellow', 'orange', 'red'], typhoon_warning))
        ] as worst_typhoon_warning,
        count(*) as observations
    from observations
    where observed_on is not null
    group by station_id, observed_on
)

select * from final
