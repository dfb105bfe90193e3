{#
    dbt's should_full_refresh(), which every materialization and is_incremental() ask, plus
    the transform's own list: the build plan (cityops/incremental.py) names in the var
    `cityops_full_refresh` the incremental models whose rows no longer match the code above
    them, and only those are rebuilt in full. A model's own `full_refresh` config and the
    --full-refresh flag still decide as they do in dbt.
#}
{% macro should_full_refresh() %}
    {%- set configured = config.get('full_refresh') -%}
    {%- if configured is none -%}
        {%- set configured = flags.FULL_REFRESH or model.name in var('cityops_full_refresh', []) -%}
    {%- endif -%}
    {{ return(configured) }}
{% endmacro %}
