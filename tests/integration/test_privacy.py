import psycopg
import pytest

from cityops.privacy import person_key
from cityops.settings import get_settings

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("value", ["310104199001011234", "11010519491231002X", "中文"])
def test_sql_person_key_is_hmac_sha256(db: psycopg.Connection, value: str) -> None:
    sql_key = db.execute("select ops.person_key(%s)", (value,)).fetchone()[0]
    assert sql_key == person_key(value, get_settings().hmac_key)
    assert person_key(value, "another key") != sql_key
