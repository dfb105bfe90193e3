with

source as (
    {{ latest('policy_applications', 'policy_applications__applications') }}
),

renamed as (
    select
        btrim(application_id) as application_id,
        btrim(policy_id) as policy_id,
        staging.uscc_normalised(uscc) as uscc,
        staging.safe_date(submitted_on) as submitted_on,
        btrim(status) as status,
        staging.safe_numeric(granted_wan) as granted_wan,
        staging.safe_date(decided_on) as decided_on,
        _batch_id as batch_id
    from source
)

select * from renamed
