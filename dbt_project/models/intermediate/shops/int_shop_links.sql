{#
    Each mention of a shop put against the register, by the first path that decides:

      shop_id        the record carries a shop id that is on the register           1.00
      uscc           a valid credit code held by one registered shop                0.99
      uscc_address   a code held by several shops (one operator): the address picks 0.99
      name_address   a shop at the same road and number with a similar name   0.85-0.97
      address_only   the one shop at that road and number (licences, inspections:  0.75
                     their holder is often a company name, not the signboard)
      name_road      no house number: the one shop of the road with that name       0.80
      name_only      ratings carry no address: the one shop with that name          0.80

    Name similarity: 1 the same full name, 0.95 the same core, 0.9 one core holds the
    other (2+ characters), 0.7 the same two-character brand. A best candidate tied with
    another is ambiguous; nothing is forced: ambiguous and unmatched records are kept with
    their status.

    Incremental: a day links only the records that are new or whose linking fields
    changed (mention_hash); a new register snapshot links every record again, since a shop
    that was not on the register may be now.
#}
{{ config(
    materialized='incremental',
    unique_key=['source', 'record_id'],
    incremental_strategy='delete+insert',
) }}
with

register as (
    select
        shop_id, uscc, shop_name_core, address_key, nullif(split_part(address_key, '|', 1), '') as road,
        regexp_replace(normalize(shop_name, NFKC), '[[:space:]　]', '', 'g') as shop_name_full,
        _batch_id
    from {{ ref('stg_shops__register') }}
),

register_batch as (
    select max(_batch_id) as register_batch_id from register
),

all_mentions as (
    select
        *,
        md5(concat_ws('|', given_shop_id, uscc, name_full, name_core, address_key)) as mention_hash
    from {{ ref('int_shop_mentions') }}
),

mentions as (
    select a.*
    from all_mentions as a
    {%- if is_incremental() %}
    left join {{ this }} as t
        on t.source = a.source and t.record_id = a.record_id and t.mention_hash = a.mention_hash
    where t.record_id is null
        or (select max(register_batch_id) from {{ this }})
            is distinct from (select register_batch_id from register_batch)
    {%- endif %}
),

by_id as (
    select m.source, m.record_id, r.shop_id, 'shop_id' as path, 1.00 as confidence, 1 as rank
    from mentions as m
    inner join register as r on r.shop_id = m.given_shop_id
),

uscc_holders as (
    select uscc, count(*) as shops from register where uscc is not null group by uscc
),

by_uscc as (
    select
        m.source, m.record_id, r.shop_id,
        case when h.shops = 1 then 'uscc' else 'uscc_address' end as path,
        0.99 as confidence,
        2 as rank
    from mentions as m
    inner join register as r on r.uscc = m.uscc
    inner join uscc_holders as h on h.uscc = r.uscc
    where h.shops = 1 or r.address_key = m.address_key
),

-- candidate pairs by equality only (each an index-friendly hash join, not one OR join):
-- the same road and number; the same road when no number is given; the same name when
-- the record has no address at all
pairs as (
    select m.source, m.record_id, r.shop_id
    from mentions as m
    inner join register as r on r.address_key = m.address_key
    union
    select m.source, m.record_id, r.shop_id
    from mentions as m
    inner join register as r on r.road = m.road
    where m.address_key = m.road || '|'
    union
    select m.source, m.record_id, r.shop_id
    from mentions as m
    inner join register as r on r.shop_name_core = m.name_core
    where m.address_key is null
    union
    select m.source, m.record_id, r.shop_id
    from mentions as m
    inner join register as r on r.shop_name_full = m.name_full
    where m.address_key is null
),

scored as (
    select
        m.source,
        m.record_id,
        r.shop_id,
        coalesce(r.address_key = m.address_key, false) as same_address,
        case
            when m.name_full = r.shop_name_full then 1.0
            when m.name_core = r.shop_name_core then 0.95
            when least(length(m.name_core), length(r.shop_name_core)) >= 2
                and (strpos(r.shop_name_core, m.name_core) > 0 or strpos(m.name_core, r.shop_name_core) > 0)
                then 0.9
            when left(m.name_core, 2) = left(r.shop_name_core, 2) then 0.7
            else 0
        end as name_score
    from pairs as p
    inner join mentions as m on m.source = p.source and m.record_id = p.record_id
    inner join register as r on r.shop_id = p.shop_id
),

ranked as (
    select
        *,
        count(*) filter (where same_address) over (partition by source, record_id) as at_address,
        max(name_score) over (partition by source, record_id, same_address) as best_score,
        count(*) filter (where name_score > 0) over (partition by source, record_id, same_address, name_score)
            as with_score
    from scored
),

by_name as (
    select
        source,
        record_id,
        shop_id,
        case
            when same_address and name_score > 0 then 'name_address'
            when same_address then 'address_only'
            when source = 'shop_ratings' then 'name_only'
            else 'name_road'
        end as path,
        case
            when same_address and name_score >= 0.95 then 0.97
            when same_address and name_score = 0.9 then 0.93
            when same_address and name_score > 0 then 0.85
            when same_address then 0.75
            else 0.80
        end as confidence,
        3 as rank
    from ranked
    where (same_address and name_score > 0 and name_score = best_score and with_score = 1)
        or (same_address and at_address = 1 and name_score = 0
            and source in ('shop_licences', 'shop_inspections'))
        or (not same_address and name_score >= 0.9 and name_score = best_score and with_score = 1)
),

candidates as (
    select * from by_id
    union all select * from by_uscc
    union all select * from by_name
),

first_path as (
    select source, record_id, min(rank) as rank
    from candidates
    group by source, record_id
),

decided as (
    select
        c.source,
        c.record_id,
        case when count(distinct c.shop_id) = 1 then min(c.shop_id) end as shop_id,
        min(c.path) as path,
        min(c.confidence) as confidence,
        count(distinct c.shop_id) as candidates
    from candidates as c
    inner join first_path as f using (source, record_id, rank)
    group by c.source, c.record_id
)

select
    m.source,
    m.record_id,
    m.mention_hash,
    (select register_batch_id from register_batch) as register_batch_id,
    d.shop_id,
    case
        when d.shop_id is not null then 'linked'
        when d.candidates > 1 then 'ambiguous'
        else 'unlinked'
    end as link_status,
    case when d.shop_id is not null then d.path end as link_path,
    case when d.shop_id is not null then d.confidence end as link_confidence,
    coalesce(d.candidates, 0) as candidates
from mentions as m
left join decided as d using (source, record_id)
