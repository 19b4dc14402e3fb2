"""A COMMIT whose acknowledgement was lost (the server crashed or the connection dropped
just after committing) makes eventsourcing retry the insert, which then meets its own rows.
The chained recorder recognises exactly-these-events as success; anything else stays a
conflict. Found by the chaos run: the retry answered 409 and the client's next attempt
created a second job request.
"""

from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg import sql

from backbone.stores import StoreSettings
from bench.pipeline import SOURCE, Source, open_source, produce
from tests.support.postgres import unique_name

SECRET = "a deployment's master secret"


@pytest.fixture
def source(postgres: str) -> Iterator[Source]:
    """A chained source store on PostgreSQL holding 4 events, in a schema of its own."""
    prefix = unique_name("t_ambiguous") + "_"
    store = StoreSettings(
        kind="postgres", postgres_dsn=postgres, schema_prefix=prefix, chain_secret=SECRET
    )
    app = open_source(store)
    produce(app, 4, per_save=2)
    yield app
    app.close()
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(prefix + SOURCE))
        )


def stored(app: Source) -> list[StoredEvent]:
    """Every stored event, as the recorder holds them."""
    return [
        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
        for n in app.recorder.select_notifications(start=1, limit=100)
    ]


def test_reinserting_exactly_the_committed_events_is_recognised_as_committed(
    source: Source,
) -> None:
    events = stored(source)[-2:]
    ids = [n.id for n in source.recorder.select_notifications(start=1, limit=100)][-2:]

    again = source.recorder.insert_events(events)

    assert list(again or []) == ids
    assert len(stored(source)) == 4  # nothing stored twice


def test_another_event_at_a_taken_version_is_still_a_conflict(source: Source) -> None:
    first = stored(source)[0]
    other = replace(first, state=first.state + b" ")

    with pytest.raises(IntegrityError):
        source.recorder.insert_events([other])
    assert len(stored(source)) == 4
