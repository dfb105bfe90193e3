{#
    What a valid ID number says about its holder (GB 11643-1999): the birth date (digits
    7-14) and the gender (digit 17: odd male, even female). Staging uses them where a row
    leaves the field blank and flags the value as derived (the contracts: derive what the
    same row holds, and say so). An invalid number (problem not null) says nothing.
#}
{% macro birth_date_from_id(normalised_id, problem) -%}
    case when {{ problem }} is null then to_date(substr({{ normalised_id }}, 7, 8), 'YYYYMMDD') end
{%- endmacro %}

{% macro gender_from_id(normalised_id, problem) -%}
    case when {{ problem }} is null then
        case when get_byte(textsend(substr({{ normalised_id }}, 17, 1)), 0) % 2 = 1 then '男' else '女' end
    end
{%- endmacro %}
