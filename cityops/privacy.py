"""Person keys: HMAC-SHA256 of the normalised ID number, computed inside PostgreSQL.

No extension is needed (the embedded server has none): HMAC(K, m) =
SHA256((K ^ opad) || SHA256((K ^ ipad) || m)). The two pads are derived from
``CITYOPS_HMAC_KEY`` here and stored in ``ops.person_key_secret``, which only the
warehouse owner and ``cityops_transformer`` can read; SQL text and dbt's compiled files
only ever show ``ops.person_key(id)``.
"""

from __future__ import annotations

import hashlib
import hmac

import psycopg

BLOCK = 64


def pads(key: str) -> tuple[bytes, bytes]:
    raw = key.encode("utf-8")
    if len(raw) > BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def person_key(normalised_id: str, key: str) -> str:
    """The reference implementation (tests compare the SQL function with it)."""
    return hmac.new(key.encode("utf-8"), normalised_id.encode("utf-8"), hashlib.sha256).hexdigest()


def install_person_key(conn: psycopg.Connection, key: str) -> None:
    ipad, opad = pads(key)
    conn.execute(
        "create table if not exists ops.person_key_secret ("
        " id boolean primary key default true check (id), ipad bytea not null, opad bytea not null)"
    )
    conn.execute("revoke all on ops.person_key_secret from public")
    conn.execute(
        "insert into ops.person_key_secret (id, ipad, opad) values (true, %s, %s) "
        "on conflict (id) do update set ipad = excluded.ipad, opad = excluded.opad",
        (ipad, opad),
    )
    conn.execute(
        """
        create or replace function ops.person_key(normalised_id text) returns text
        language sql stable strict parallel safe as $$
            select encode(sha256(s.opad || sha256(s.ipad || convert_to(normalised_id, 'UTF8'))), 'hex')
            from ops.person_key_secret as s
        $$
        """
    )
    # Only the transformer may compute keys: with the function anyone could test guesses.
    conn.execute("revoke all on function ops.person_key(text) from public")
    conn.execute("grant execute on function ops.person_key(text) to cityops_transformer")
    conn.execute("grant select on ops.person_key_secret to cityops_transformer")
