"""Small helpers shared by test modules."""

from __future__ import annotations

import psycopg


def table_counts(url: str, *schemas: str, like: str = "%") -> dict[str, int]:
    """Row count of every table (and view) in ``schemas`` whose name matches ``like``."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select format('%%I.%%I', table_schema, table_name) from information_schema.tables "
                "where table_schema = any(%s) and table_name like %s order by 1",
                (list(schemas), like),
            )
        ]
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
