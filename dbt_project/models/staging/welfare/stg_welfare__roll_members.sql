{#
    The 低保 rolls: each district sends a monthly snapshot; per district the newest roll
    wins (one file per district and month: dibao_<district>_<YYYYMM>.xlsx).
#}
with

source as (
    select
        *,
        substring(_source_file from 'dibao_([0-9]{6})_[0-9]{6}\.xlsx$') as roll_district_code,
        substring(_source_file from 'dibao_[0-9]{6}_([0-9]{6})\.xlsx$') as roll_month
    from {{ source('welfare', 'welfare__roll_members') }}
),

ranked as (
    select
        *,
        dense_rank() over (
            partition by roll_district_code
            order by roll_month desc, _delivered_on desc, _batch_id desc
        ) as roll_rank
    from source
),

renamed as (
    select
        btrim(case_no) as case_no,
        btrim(head_name) as head_name,
        staging.id_number_normalise(head_id_number) as head_id_number_normalised,
        btrim(member_name) as member_name,
        staging.id_number_normalise(member_id_number) as member_id_number_normalised,
        staging.id_number_problem(staging.id_number_normalise(member_id_number)) as member_id_number_problem,
        btrim(relation) as relation_to_head,
        btrim(street) as street_name,
        staging.safe_date(start_date) as start_date,
        staging.safe_date(end_date) as end_date,
        staging.safe_numeric(monthly_amount) as monthly_amount_yuan,
        btrim(status) as roll_status,
        roll_district_code as district_code,
        to_date(roll_month, 'YYYYMM') as roll_month,
        regexp_replace(_source_file, '^.*/', '') as source_file_name,
        _row_number as row_number,
        _batch_id as batch_id
    from ranked
    where roll_rank = 1
),

final as (
    select * from renamed
)

select * from final
