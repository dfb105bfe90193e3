with

source as (
    {{ latest('shop_inspections', 'shop_inspections__inspections') }}
),

violations as (
    select
        btrim(s.inspection_id) as inspection_id,
        v.ordinality::integer as violation_no,
        btrim(v.value ->> 'code') as code,
        btrim(v.value ->> 'severity') as severity,
        staging.safe_numeric(v.value ->> 'points')::integer as points,
        v.value ->> 'note' as note
    from source as s
    cross join lateral jsonb_array_elements(s.violations::jsonb) with ordinality as v (value, ordinality)
)

select * from violations
