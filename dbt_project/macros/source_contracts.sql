{# Rendered from ingest/sources/ by `python -m cityops.contracts`; edit the specs. #}
{% macro source_contracts() -%}
    {{ return({
        "housing.housing__buildings": {"mode": "snapshot", "business_key": ["building_code"]},
        "facade_inspections.facade_inspections__inspections": {"mode": "increment", "business_key": ["inspection_id"]},
        "weather.weather__stations": {"mode": "snapshot", "business_key": ["station_id"]},
        "weather.weather__observations": {"mode": "increment", "business_key": ["station_id", "observed_at"]},
        "population.population__persons": {"mode": "snapshot", "business_key": ["id_number"]},
        "welfare.welfare__roll_members": {"mode": "snapshot", "business_key": ["case_no", "member_name", "member_id_number"]},
        "education.education__graduates": {"mode": "increment", "business_key": ["student_no", "university"]},
        "employment.employment__contributions": {"mode": "increment", "business_key": ["id_number", "employer_uscc", "contribution_month"]},
        "billboards.billboards__registry": {"mode": "snapshot", "business_key": ["billboard_id"]},
        "billboards.billboards__readings": {"mode": "increment", "business_key": ["device_id", "read_at"]},
        "shops.shops__register": {"mode": "snapshot", "business_key": ["shop_id"]},
        "shop_licences.shop_licences__licences": {"mode": "increment", "business_key": ["licence_no"]},
        "shop_inspections.shop_inspections__inspections": {"mode": "increment", "business_key": ["inspection_id"]},
        "shop_ratings.shop_ratings__ratings": {"mode": "increment", "business_key": ["association", "shop_name", "rated_on"]},
        "consumer_feedback.consumer_feedback__feedback": {"mode": "increment", "business_key": ["feedback_id"]},
        "enterprises.enterprises__register": {"mode": "snapshot", "business_key": ["uscc"]},
        "enterprise_events.enterprise_events__events": {"mode": "increment", "business_key": ["event_id"]},
        "enterprise_requests.enterprise_requests__requests": {"mode": "increment", "business_key": ["request_id"]},
        "office_space.office_space__units": {"mode": "snapshot", "business_key": ["unit_id"]},
        "policies.policies__policies": {"mode": "increment", "business_key": ["policy_id", "published_on"]},
        "policy_applications.policy_applications__applications": {"mode": "increment", "business_key": ["application_id"]},
    }) }}
{%- endmacro %}
