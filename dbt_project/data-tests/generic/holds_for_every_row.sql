{# Rows for which `expression` (a boolean SQL expression over the model's columns) fails. #}
{% test holds_for_every_row(model, expression) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
