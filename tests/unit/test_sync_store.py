"""The store's sync parts: the contact mirror, intents, fingerprints and the run lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xerosync_desktop.core.model import Contact, ContactStatus
from xerosync_desktop.errors import SyncBusyError
from xerosync_desktop.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    (tmp_path / "data").mkdir()
    with Store(tmp_path / "data" / "store.sqlite3") as opened:
        yield opened


def test_the_mirror_never_goes_back_to_an_older_contact(store: Store) -> None:
    assert store.mirror.read_mark_ms("t") is None  # never read: read everything
    with store.transaction():
        store.mirror.apply_read("t", [Contact("a", "Acme", updated_ms=2000),
                                      Contact("b", "Beta", updated_ms=1000)], started_ms=2500)
    with store.transaction():
        store.mirror.apply_written("t", [Contact("a", "Acme Ltd", updated_ms=3000)])
        store.mirror.apply_read("t", [Contact("a", "Acme", updated_ms=2000)])  # stale page
    assert [(c.name, c.updated_ms) for c in store.mirror.contacts("t")] == [
        ("Beta", 1000), ("Acme Ltd", 3000)]
    assert store.mirror.read_mark_ms("t") == 2500  # only reads with Xero's time move it
    with store.transaction():
        store.mirror.apply_read("t", [Contact("b", "Beta", ContactStatus.ARCHIVED,
                                              updated_ms=4000)], started_ms=5000)
        store.mirror.apply_read("t", [], started_ms=4800)  # an older read ends later
    assert store.mirror.read_mark_ms("t") == 5000
    assert store.mirror.contacts("t")[-1].is_archived
    assert store.mirror.contacts("other") == []


def test_a_read_without_xeros_time_leaves_the_mark_for_a_full_read(store: Store) -> None:
    with store.transaction():
        store.mirror.apply_read("t", [Contact("a", "Acme", updated_ms=9000)])
    assert store.mirror.read_mark_ms("t") == 0  # falsy: the next read reads everything


def test_intents_are_open_until_settled(store: Store) -> None:
    with store.transaction():
        first = store.intents.record("t", 1, "create", "k1", ["c1", "c3"])
        store.intents.record("t", 1, "update", "k2", ["c2"])
    assert [(i.verb, i.client_ids) for i in store.intents.open("t")] == [
        ("create", ("c1", "c3")), ("update", ("c2",))]
    with store.transaction():
        store.intents.settle([first])
    assert [i.idempotency_key for i in store.intents.open("t")] == ["k2"]


def test_a_confirmed_link_forgets_what_a_sync_sent(store: Store) -> None:
    with store.transaction():
        store.mappings.save("t", {"c1": "id1", "c2": "id2"}, "synced", {"c1": "f1", "c2": "f2"})
        store.mappings.save("t", {"c2": "id9"}, "confirmed")
    assert store.mappings.fingerprints("t") == {"c1": "f1"}
    assert store.mappings.for_tenant("t") == {"c1": "id1", "c2": "id9"}


def test_one_run_per_organisation_and_the_lock_comes_back(store: Store, tmp_path: Path) -> None:
    other = Store(tmp_path / "data" / "store.sqlite3")  # another process's connection
    first = store.run_lock("t", "Acme Law", "the xerosync app").acquire()
    with pytest.raises(SyncBusyError, match=r"A sync to Acme Law is already running: the "
                                            r"xerosync app \(process \d+, started "):
        other.run_lock("t", "Acme Law", "the xerosync command").acquire()
    with other.run_lock("elsewhere", "Beta", "the xerosync command"):
        pass  # another organisation is free
    first.release()
    with other.run_lock("t", "Acme Law", "the xerosync command") as second:
        assert second.recovered is None  # released properly: nothing to recover
    other.close()


def test_the_lock_is_the_users_whatever_the_data_folder(tmp_path: Path) -> None:
    locks = tmp_path / "user-locks"
    for folder in ("app", "elsewhere"):
        (tmp_path / folder).mkdir()
    with Store(tmp_path / "app" / "s.sqlite3", locks) as app, \
            Store(tmp_path / "elsewhere" / "s.sqlite3", locks) as elsewhere:
        with app.run_lock("t", "Acme Law", "the xerosync app"):
            with pytest.raises(SyncBusyError, match=rf"the xerosync app \(process \d+, started "
                                                    rf".*, data folder {tmp_path / 'app'}\)"):
                elsewhere.run_lock("t", "Acme Law", "the xerosync command").acquire()
            with elsewhere.run_lock("other", "Beta", "the xerosync command"):
                pass  # another organisation is free from any folder
        with elsewhere.run_lock("t", "Acme Law", "the xerosync command") as taken:
            assert taken.recovered is None  # the app's run was this folder's, not ended
    assert not list(locks.glob("*.json"))  # holders say who holds a lock only while held
