{#
    Row-level security for a per-street mart (post-hook). Street accounts
    (cityops_street_<code>, members of cityops_street) see their own street's rows only;
    BI and the exporter see every street, or one when the session sets `cityops.street`
    (a convenience for tools that serve one street; it is not a security boundary).
    The owner (cityops_transformer) is not subject to the policies.
#}
{% macro street_row_security(column='street_code') %}
alter table {{ this }} enable row level security;
drop policy if exists all_streets on {{ this }};
create policy all_streets on {{ this }} for select to cityops_bi, cityops_exporter
    using (coalesce(nullif(current_setting('cityops.street', true), ''), {{ column }}) is not distinct from {{ column }});
drop policy if exists own_street on {{ this }};
create policy own_street on {{ this }} for select to cityops_street
    using ('cityops_street_' || {{ column }} = current_user);
{% endmacro %}
