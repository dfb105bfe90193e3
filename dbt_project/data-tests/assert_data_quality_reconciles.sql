-- Every loaded file reconciles (rows in the file = rows loaded + rows rejected), so every
-- delivery day of mart_data_quality does too, and its rejected rows by rule add up.
select *
from {{ ref('mart_data_quality') }}
where rows_in_files <> rows_loaded + rows_rejected
    or rows_rejected <> (
        select coalesce(sum(value::bigint), 0) from jsonb_each_text(rejected_by_rule)
    )
