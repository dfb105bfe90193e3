-- Every delivered version of every policy (a revision is re-sent under the same id with a
-- later published_on); the gate has already rejected versions with invalid conditions.
with

source as (
    {{ latest('policies', 'policies__policies') }}
),

renamed as (
    select
        btrim(policy_id) as policy_id,
        staging.safe_date(published_on) as published_on,
        btrim(title) as title,
        btrim(issuer) as issuer,
        btrim(level) as level,
        nullif(btrim(district), '') as district_name,
        staging.safe_date(valid_from) as valid_from,
        staging.safe_date(valid_until) as valid_until,
        btrim(mode) as mode,
        benefit::jsonb as benefit,
        conditions::jsonb as conditions,
        nullif(btrim(text_url), '') as text_url,
        _delivered_on as delivered_on,
        _batch_id as batch_id
    from source
)

select * from renamed
