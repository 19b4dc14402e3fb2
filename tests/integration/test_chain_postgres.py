"""Tamper evidence on a real PostgreSQL: each of the four tamperings, by direct SQL, is named.

The links are written by the recorder inside the transaction that stores the events
(while eventsourcing holds the table lock); these tests then change the events table
behind its back, as someone with database access could, and `verify` must find it.
"""

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from backbone.chain import chain_key, read_postgres, verify
from backbone.stores import StoreSettings
from bench.pipeline import SOURCE, open_source, produce
from tests.support.postgres import unique_name
from tests.support.tamper import postgres_tamperings

SECRET = "a deployment's master secret"


@pytest.fixture
def chained(postgres: str) -> Iterator[str]:
    """A fresh schema prefix whose source store holds 8 chained events."""
    prefix = unique_name("t_chain") + "_"
    store = StoreSettings(
        kind="postgres", postgres_dsn=postgres, schema_prefix=prefix, chain_secret=SECRET
    )
    app = open_source(store)
    produce(app, 8, per_save=3)
    app.close()
    yield prefix + SOURCE
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(prefix + SOURCE))
        )


def test_links_are_written_with_the_events_and_verify(postgres: str, chained: str) -> None:
    events, links = read_postgres(postgres, chained, "Source")

    verdict = verify("source", chain_key(SECRET), events, links)

    assert verdict.ok, verdict.breaks
    assert verdict.events == len(links) == 8


@pytest.mark.parametrize("kind", ["modified", "deleted", "inserted", "reordered"])
def test_each_tampering_by_direct_sql_is_found_with_its_position(
    postgres: str, chained: str, kind: str
) -> None:
    tamper, position = postgres_tamperings(postgres, chained, "source_events")[kind]

    tamper()
    verdict = verify("source", chain_key(SECRET), *read_postgres(postgres, chained, "Source"))

    assert not verdict.ok
    assert (verdict.breaks[0].position, verdict.breaks[0].kind) == (position, kind)
