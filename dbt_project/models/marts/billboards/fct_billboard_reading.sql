{# Grain: one row per device and reading time (duplicates and late deliveries collapsed). #}
{{ config(materialized='incremental', unique_key=['device_id', 'read_at'], on_schema_change='append_new_columns') }}

with

readings as (
    select * from {{ ref('stg_billboards__readings') }}
    {% if is_incremental() %}
    where batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    {% endif %}
),

billboards as (
    select * from {{ ref('dim_billboard') }}
),

final as (
    select
        readings.device_id,
        billboards.billboard_id,
        readings.read_at,
        readings.tilt_deg,
        readings.vibration_mm_s,
        readings.battery_pct,
        readings.batch_id
    from readings
    left join billboards
        on billboards.device_id = readings.device_id
    where readings.read_at is not null
)

select * from final
