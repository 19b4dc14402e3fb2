"""Envelope encryption of personal data: seal, open, erase; on memory and SQLite key tables."""

from pathlib import Path
from uuid import uuid4

import pytest

from backbone.personal import (
    ErasedError,
    KeyStore,
    MasterKeyError,
    MemoryKeyStore,
    PersonalVault,
    SqliteKeyStore,
)

DETAILS = "山田 花子 090-1234-5678".encode()


@pytest.fixture(params=["memory", "sqlite"])
def keys(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStore:
    if request.param == "memory":
        return MemoryKeyStore()
    return SqliteKeyStore(tmp_path / "keys.sqlite3")


def test_sealed_details_open_with_the_persons_key_and_hide_the_plaintext(keys: KeyStore) -> None:
    vault = PersonalVault("master", keys)
    person = uuid4()

    sealed = vault.seal(person, DETAILS)

    assert DETAILS not in sealed.encode()
    assert "山田" not in sealed
    assert vault.open(person, sealed) == DETAILS


def test_each_seal_differs_and_the_key_is_made_once_per_person(keys: KeyStore) -> None:
    vault = PersonalVault("master", keys)
    person = uuid4()

    first, second = vault.seal(person, DETAILS), vault.seal(person, DETAILS)

    assert first != second
    assert vault.open(person, first) == vault.open(person, second) == DETAILS


def test_another_persons_sealed_text_does_not_open(keys: KeyStore) -> None:
    vault = PersonalVault("master", keys)
    one, other = uuid4(), uuid4()
    vault.seal(other, b"x")

    with pytest.raises(ValueError, match="does not belong"):
        vault.open(other, vault.seal(one, DETAILS))


def test_erasure_makes_every_copy_unreadable_and_nothing_new_can_be_sealed(
    keys: KeyStore,
) -> None:
    vault = PersonalVault("master", keys)
    person, neighbour = uuid4(), uuid4()
    copies = [vault.seal(person, DETAILS) for _ in range(3)]
    kept = vault.seal(neighbour, DETAILS)

    assert vault.erase(person) is True

    assert [vault.open(person, copy) for copy in copies] == [None, None, None]
    assert vault.is_erased(person)
    assert vault.open(neighbour, kept) == DETAILS
    with pytest.raises(ErasedError):
        vault.seal(person, DETAILS)
    assert vault.erase(person) is False  # repeating is harmless


def test_a_different_master_secret_cannot_unwrap_the_keys(keys: KeyStore) -> None:
    person = uuid4()
    sealed = PersonalVault("master", keys).seal(person, DETAILS)

    with pytest.raises(MasterKeyError, match="does not unwrap"):
        PersonalVault("another master", keys).open(person, sealed)


def test_sqlite_zeroes_a_destroyed_key_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "keys.sqlite3"
    keys = SqliteKeyStore(path)
    person = uuid4()
    PersonalVault("master", keys).seal(person, DETAILS)
    wrapped = keys.get(person)
    assert wrapped is not None

    keys.destroy(person)

    assert wrapped not in path.read_bytes()
