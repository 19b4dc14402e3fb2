"""The four tamperings an attacker with SQL access could try, on SQLite and PostgreSQL."""

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg import sql

Tamper = Callable[[], None]


def sqlite_tamperings(path: Path) -> dict[str, tuple[Tamper, int]]:
    """name → (what it does, the position it breaks)."""

    def run(*statements: str) -> None:
        with closing(sqlite3.connect(path)) as conn, conn:
            for statement in statements:
                conn.execute(statement)

    return {
        "modified": (lambda: run("UPDATE stored_events SET state = X'7B7D' WHERE rowid = 3"), 3),
        "deleted": (lambda: run("DELETE FROM stored_events WHERE rowid = 4"), 4),
        "inserted": (
            lambda: run(
                "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
                " SELECT 1000, originator_id, 99, topic, state FROM stored_events WHERE rowid = 2"
            ),
            1000,
        ),
        "reordered": (
            lambda: run(
                "UPDATE stored_events SET rowid = -5 WHERE rowid = 5",
                "UPDATE stored_events SET rowid = 5 WHERE rowid = 6",
                "UPDATE stored_events SET rowid = 6 WHERE rowid = -5",
            ),
            5,
        ),
    }


def postgres_tamperings(dsn: str, schema: str, table: str) -> dict[str, tuple[Tamper, int]]:
    """name → (what it does, the position it breaks), by direct SQL on the events table."""
    events = sql.Identifier(schema, table)

    def run(*statements: sql.Composed) -> None:
        with psycopg.connect(dsn, autocommit=False) as conn:
            for statement in statements:
                conn.execute(statement)

    def first(offset: int) -> int:
        with psycopg.connect(dsn) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT notification_id FROM {} ORDER BY notification_id OFFSET %s LIMIT 1"
                ).format(events),
                (offset,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    third, fourth, fifth, sixth, second = first(2), first(3), first(4), first(5), first(1)
    return {
        "modified": (
            lambda: run(
                sql.SQL("UPDATE {} SET state = '\\x7b7d'::bytea WHERE notification_id = {}").format(
                    events, sql.Literal(third)
                )
            ),
            third,
        ),
        "deleted": (
            lambda: run(
                sql.SQL("DELETE FROM {} WHERE notification_id = {}").format(
                    events, sql.Literal(fourth)
                )
            ),
            fourth,
        ),
        "inserted": (
            lambda: run(
                sql.SQL(
                    "INSERT INTO {} (originator_id, originator_version, topic, state,"
                    " notification_id) SELECT originator_id, 99, topic, state, 1000000"
                    " FROM {} WHERE notification_id = {}"
                ).format(events, events, sql.Literal(second))
            ),
            1_000_000,
        ),
        "reordered": (
            lambda: run(
                sql.SQL("UPDATE {} SET notification_id = -1 WHERE notification_id = {}").format(
                    events, sql.Literal(fifth)
                ),
                sql.SQL("UPDATE {} SET notification_id = {} WHERE notification_id = {}").format(
                    events, sql.Literal(fifth), sql.Literal(sixth)
                ),
                sql.SQL("UPDATE {} SET notification_id = {} WHERE notification_id = -1").format(
                    events, sql.Literal(sixth)
                ),
            ),
            fifth,
        ),
    }
