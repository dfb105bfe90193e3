with

source as (
    {{ latest('shop_ratings', 'shop_ratings__ratings') }}
),

renamed as (
    select
        md5(btrim(association) || '|' || btrim(shop_name) || '|' || btrim(rated_on)) as rating_id,
        btrim(association) || '|' || btrim(shop_name) || '|' || btrim(rated_on) as rating_key,
        nullif(btrim(shop_id), '') as shop_id,
        staging.uscc_normalised(uscc) as uscc,
        btrim(shop_name) as shop_name,
        staging.shop_name_core(shop_name) as shop_name_core,
        btrim(association) as association,
        upper(btrim(grade)) as grade,
        staging.safe_date(rated_on) as rated_on
    from source
)

select * from renamed
