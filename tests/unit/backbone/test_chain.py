"""Tamper evidence on SQLite: a chained store verifies; each of four tamperings is named."""

from pathlib import Path

import pytest

from backbone.chain import chain_key, read_sqlite, verify
from backbone.stores import StoreSettings
from bench.pipeline import open_source, produce
from tests.support.tamper import sqlite_tamperings

SECRET = "a deployment's master secret"


def a_store(tmp_path: Path) -> Path:
    store = StoreSettings(kind="sqlite", data_dir=tmp_path, chain_secret=SECRET)
    app = open_source(store)
    produce(app, 8, per_save=3)
    app.close()
    return tmp_path / "broker.sqlite3"


def test_an_untouched_store_verifies(tmp_path: Path) -> None:
    events, links = read_sqlite(a_store(tmp_path))

    verdict = verify("broker", chain_key(SECRET), events, links)

    assert verdict.ok, verdict.breaks
    assert verdict.events == len(links) == 8
    assert len(verdict.head) == 64


@pytest.mark.parametrize("kind", ["modified", "deleted", "inserted", "reordered"])
def test_each_tampering_is_found_and_named_with_its_position(tmp_path: Path, kind: str) -> None:
    path = a_store(tmp_path)
    tamper, position = sqlite_tamperings(path)[kind]

    tamper()
    verdict = verify("broker", chain_key(SECRET), *read_sqlite(path))

    assert not verdict.ok
    assert verdict.breaks[0].position == position
    assert verdict.breaks[0].kind == kind


def test_without_the_key_nothing_verifies(tmp_path: Path) -> None:
    verdict = verify("broker", chain_key("another secret"), *read_sqlite(a_store(tmp_path)))

    assert len(verdict.breaks) == 8
