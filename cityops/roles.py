"""Least-privilege database roles, and how each pipeline step connects as its own.

``sql/roles.sql`` (run by every bootstrap) creates the roles and their grants. A step
reaches its role in one of two ways:

* ``CITYOPS_<ROLE>_PASSWORD`` is set (e.g. ``CITYOPS_LOADER_PASSWORD``): the bootstrap
  gives the role that password and the step logs in as the role itself;
* otherwise the step connects with the warehouse URL and ``SET ROLE`` (a startup
  option), so every statement runs with the role's privileges only.

Street accounts (``cityops_street_<code>``) see their own street's rows of the graduate
and facade marts, through the row-level-security policies the dbt models install.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from .settings import Settings, get_settings

#: Pipeline step -> database role.
ROLES = {
    "loader": "cityops_loader",
    "transformer": "cityops_transformer",
    "bi": "cityops_bi",
    "exporter": "cityops_exporter",
}
STREET_GROUP = "cityops_street"
_STREET_CODE = re.compile(r"[0-9]{9}", re.ASCII)


def role_name(step: str) -> str:
    try:
        return ROLES[step]
    except KeyError:
        raise ValueError(f"unknown role {step!r}; known: {', '.join(ROLES)}") from None


def role_url(url: str, step: str, settings: Settings | None = None) -> str:
    """The URL a step connects with: the role's own login, or the owner's with SET ROLE."""
    settings = settings or get_settings()
    role = role_name(step)
    parts = urlsplit(url)
    password = settings.role_passwords.get(step)
    if password:
        host = parts.hostname or "127.0.0.1"
        netloc = f"{role}:{quote(password, safe='')}@{host}" + (
            f":{parts.port}" if parts.port else ""
        )
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-c role={role}"))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), parts.fragment)
    )


def set_passwords(
    conn: psycopg.Connection,
    settings: Settings | None = None,
    *,
    extra: dict[str, str] | None = None,
) -> None:
    """Give each role the password its environment variable holds (never logged), else the
    one in ``extra`` (the embedded cluster's generated passwords)."""
    settings = settings or get_settings()
    for step, password in {**(extra or {}), **settings.role_passwords}.items():
        conn.execute(
            sql.SQL("alter role {} with login password {}").format(
                sql.Identifier(role_name(step)), sql.Literal(password)
            )
        )


@lru_cache(maxsize=1)
def known_streets() -> dict[str, str]:
    """Street code -> name, from the streets seed (the national division codes)."""
    seed = get_settings().dbt_project_dir / "seeds" / "ref_shanghai_streets.csv"
    with seed.open(encoding="utf-8", newline="") as f:
        return {row["street_code"]: row["street_name"] for row in csv.DictReader(f)}


def street_role(street_code: str) -> str:
    if not _STREET_CODE.fullmatch(street_code):
        raise ValueError(
            f"not a street code: {street_code!r} (the 9-digit division code, e.g. 310101002)"
        )
    if street_code not in known_streets():
        raise ValueError(
            f"no street has the code {street_code}: see dbt_project/seeds/ref_shanghai_streets.csv"
        )
    return f"cityops_street_{street_code}"


def create_street_account(
    conn: psycopg.Connection, street_code: str, password: str | None = None
) -> str:
    """Create (or update) the login of one street; it sees only that street's rows."""
    role = street_role(street_code)
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
    conn.execute(
        sql.SQL("grant {} to {}").format(sql.Identifier(STREET_GROUP), sql.Identifier(role))
    )
    if password:
        conn.execute(
            sql.SQL("alter role {} with password {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
    return role
