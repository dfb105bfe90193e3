-- Every registry person carried into the warehouse has a valid GB 11643 ID after normalisation.
select person_key, id_number_normalised
from {{ ref('int_person_registry') }}
where staging.id_number_problem(id_number_normalised) is not null
