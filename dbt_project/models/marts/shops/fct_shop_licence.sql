-- 'Grain: one row per licence linked to a registered shop (its latest delivered state).'
select
    x.licence_no,
    l.shop_id,
    x.licence_type,
    x.issued_on,
    x.valid_until,
    x.status,
    l.link_path,
    l.link_confidence
from {{ ref('stg_shop_licences__licences') }} as x
inner join {{ ref('int_shop_links') }} as l
    on l.source = 'shop_licences' and l.record_id = x.licence_no and l.link_status = 'linked'
