"""A cosmos profile mapping for the ``warehouse`` Airflow connection.

cosmos' PostgresUserPasswordProfileMapping requires a password; the embedded warehouse
and many local servers use trust authentication and have none. This mapping is the same
with the password optional: set, it still travels as a secret environment variable.
"""

from __future__ import annotations

from typing import Any

from cosmos.profiles.postgres.user_pass import PostgresUserPasswordProfileMapping


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    required_fields = ["host", "user", "dbname"]

    @property
    def profile(self) -> dict[str, Any | None]:
        profile = super().profile
        if not self.get_dbt_value("password"):
            profile["password"] = ""  # dbt-postgres requires the key; trust auth ignores it
        return profile

    @property
    def env_vars(self) -> dict[str, str]:
        if not self.get_dbt_value("password"):
            return {}
        return super().env_vars
