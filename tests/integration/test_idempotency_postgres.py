"""Idempotency keys in a real PostgreSQL schema, shared by every replica of a service."""

from backbone.idempotency import Begun, Kept, PostgresIdempotency


def test_postgres_keys_claim_once_across_replicas(postgres: str, pg_schema: str) -> None:
    one, other = PostgresIdempotency(postgres, pg_schema), PostgresIdempotency(postgres, pg_schema)

    assert one.begin("t:u:POST:/x:k", "d") == (Begun.NEW, None)
    assert other.begin("t:u:POST:/x:k", "d") == (Begun.IN_PROGRESS, None)
    one.finish("t:u:POST:/x:k", Kept(201, "application/json", b'{"id": 1}'))
    assert other.begin("t:u:POST:/x:k", "d") == (
        Begun.REPLAY,
        Kept(201, "application/json", b'{"id": 1}'),
    )
    assert other.begin("t:u:POST:/x:k", "other") == (Begun.MISMATCH, None)
