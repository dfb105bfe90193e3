{#
    A policy condition's value (jsonb) in the three forms the macro policy_condition_holds()
    reads: as a list of texts (a text is a list of one), as a number, as a boolean.
#}
{% macro policy_value_texts(value) -%}
    case jsonb_typeof({{ value }})
        when 'array' then array(select jsonb_array_elements_text({{ value }}))
        when 'string' then array[{{ value }} #>> '{}']
    end
{%- endmacro %}

{% macro policy_value_number(value) -%}
    case when jsonb_typeof({{ value }}) = 'number' then ({{ value }} #>> '{}')::numeric end
{%- endmacro %}

{% macro policy_value_bool(value) -%}
    case when jsonb_typeof({{ value }}) = 'boolean' then ({{ value }} #>> '{}')::boolean end
{%- endmacro %}

{#
    The version of each policy in force on ``on_date``: of its accepted versions, the one
    published last whose valid_from has come - unless that version has expired. Any date
    rebuilds the catalogue as it stood then.
#}
{% macro policies_in_force(versions, on_date) -%}
    select *
    from (
        select
            v.*,
            row_number() over (
                partition by v.policy_id order by v.published_on desc, v.batch_id desc
            ) as newest_first
        from {{ versions }} as v
        where v.valid_from <= {{ on_date }}
    ) as ranked
    where newest_first = 1 and (valid_until is null or valid_until >= {{ on_date }})
{%- endmacro %}
