"""Personal-data keys in a real PostgreSQL schema: erase destroys the row's key for good."""

from uuid import uuid4

import psycopg
from psycopg import sql

from backbone.personal import PersonalVault, PostgresKeyStore


def test_postgres_key_table_seals_opens_and_erases(postgres: str, pg_schema: str) -> None:
    keys = PostgresKeyStore(postgres, pg_schema)
    vault = PersonalVault("master", keys)
    person = uuid4()
    sealed = vault.seal(person, "鈴木 一郎".encode())
    again = PostgresKeyStore(postgres, pg_schema)  # a second process sees the same key

    assert PersonalVault("master", again).open(person, sealed) == "鈴木 一郎".encode()
    assert vault.erase(person) is True
    assert PersonalVault("master", again).open(person, sealed) is None
    assert again.is_destroyed(person)
    with psycopg.connect(postgres) as conn:
        row = conn.execute(
            sql.SQL("SELECT wrapped, destroyed FROM {} WHERE subject = %s").format(
                sql.Identifier(pg_schema, "personal_keys")
            ),
            (person,),
        ).fetchone()
    assert row == (None, True)
