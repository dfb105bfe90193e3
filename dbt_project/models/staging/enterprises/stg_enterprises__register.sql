with

source as (
    {{ latest('enterprises', 'enterprises__register') }}
),

streets as (
    select s.street_code, s.street_name, s.district_code, d.district_name
    from {{ ref('ref_shanghai_streets') }} as s
    inner join {{ ref('ref_shanghai_districts') }} as d using (district_code)
),

districts as (
    select district_code, district_name from {{ ref('ref_shanghai_districts') }}
),

renamed as (
    select
        staging.uscc_normalised(s.uscc) as uscc,
        btrim(s.uscc) as uscc_as_delivered,
        btrim(s.enterprise_name) as enterprise_name,
        nullif(btrim(s.legal_rep_name), '') as legal_rep_name,
        staging.id_number_normalise(s.legal_rep_id_number) as legal_rep_id_number,
        btrim(s.registered_address) as registered_address,
        staging.office_address_key(s.registered_address) as address_key,
        staging.office_building_named(s.registered_address) as building_named,
        d.district_code,
        btrim(s.district) as district_name,
        st.street_code,
        nullif(btrim(s.street), '') as street_name,
        upper(btrim(s.industry_code)) as industry_code,
        staging.safe_numeric(s.registered_capital_wan) as registered_capital_wan,
        staging.safe_date(s.established_on) as established_on,
        btrim(s.status) as status,
        coalesce(
            array_remove(string_to_array(regexp_replace(coalesce(s.qualifications, ''), '[[:space:]]', '', 'g'), ';'), ''),
            '{}'
        ) as qualifications,
        s._delivered_on as snapshot_on,
        s._batch_id as batch_id
    from source as s
    left join districts as d on d.district_name = btrim(s.district)
    left join streets as st
        on st.street_name = btrim(s.street) and st.district_name = btrim(s.district)
)

select * from renamed
