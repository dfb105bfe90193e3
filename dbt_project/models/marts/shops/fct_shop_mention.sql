-- Every licence, inspection, rating and feedback record with the shop it was linked to,
-- by which path and how sure; ambiguous and unlinked records are kept.
select
    m.source,
    m.record_id,
    m.mentioned_name,
    l.shop_id,
    l.link_status,
    l.link_path,
    l.link_confidence,
    l.candidates
from {{ ref('int_shop_mentions') }} as m
inner join {{ ref('int_shop_links') }} as l using (source, record_id)
