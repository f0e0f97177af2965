"""KeyringTokenVault: what reaches the keyring, rotation by another process, no keyring."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from xerosync_desktop.errors import NotConnectedError
from xerosync_desktop.xero.keyring_vault import (
    KEYRING_SERVICE,
    NO_KEYRING_TEXT,
    KeyringTokenVault,
    keyring_description,
)

CLIENT_ID = "0123456789ABCDEF0123456789ABCDEF"
ENTRY = (KEYRING_SERVICE, f"grant:{CLIENT_ID}")
ACCESS = "eyJhbGciOiJSUzI1NiJ9." + "a" * 1400 + ".sig"  # Xero's are JWTs over 1,000 chars


def token(refresh: str, expires_in: float = 1800) -> dict[str, Any]:
    return {"access_token": ACCESS, "refresh_token": refresh, "id_token": "eyJid." + "b" * 900,
            "expires_in": expires_in, "expires_at": time.time() + expires_in,
            "token_type": "Bearer", "scope": "offline_access accounting.contacts"}


def test_the_keyring_holds_the_refresh_token_and_its_expiry_only(memory_keyring: Any) -> None:
    vault = KeyringTokenVault(CLIENT_ID)
    vault.save(token("rt-1"))
    secret = memory_keyring.secrets[ENTRY]
    assert len(secret) < 1000 and ACCESS not in secret and "eyJid" not in secret
    stored = json.loads(secret)
    assert stored["refresh_token"] == "rt-1"
    assert stored["expires_at"] > time.time() + 59 * 24 * 3600  # 60 days unused
    assert vault.load()["access_token"] == ACCESS  # this session keeps it in memory
    assert "id_token" not in vault.load()
    assert vault.notice == ""

    later = KeyringTokenVault(CLIENT_ID).load()  # the next session
    assert later["refresh_token"] == "rt-1" and later["access_token"] == ""
    assert later["expires_at"] == 0.0  # the SDK refreshes before the first call
    assert later["scope"] == ["offline_access", "accounting.contacts"]


def test_a_token_rotated_by_another_process_is_picked_up_before_a_refresh(
        memory_keyring: Any) -> None:
    gui, nightly = KeyringTokenVault(CLIENT_ID), KeyringTokenVault(CLIENT_ID)
    gui.save(token("rt-1"))
    nightly.save(token("rt-2"))  # the CLI refreshed meanwhile: rt-1 is superseded
    assert gui.load()["refresh_token"] == "rt-1"  # still valid access token: no re-read
    gui.save(token("rt-1", expires_in=30))  # now due a refresh
    assert gui.load()["refresh_token"] == "rt-1"  # its own save is the keyring's latest
    nightly.save(token("rt-3"))
    assert gui.load()["refresh_token"] == "rt-3"


def test_without_a_keyring_tokens_last_the_session_and_the_user_is_told() -> None:
    vault = KeyringTokenVault(CLIENT_ID)  # the tests' default backend: keyring.backends.fail
    assert not vault.has_token()
    vault.save(token("rt-1"))
    assert vault.has_token() and vault.load()["refresh_token"] == "rt-1"
    assert vault.notice == NO_KEYRING_TEXT
    assert not KeyringTokenVault(CLIENT_ID).has_token()  # nothing survives the session


def test_an_oversized_token_is_kept_in_memory_not_written(memory_keyring: Any) -> None:
    vault = KeyringTokenVault(CLIENT_ID)
    vault.save(token("r" * 1200))
    assert ENTRY not in memory_keyring.secrets
    assert vault.load()["refresh_token"] == "r" * 1200
    assert "lasts for this session only" in vault.notice


def test_an_unreadable_entry_means_not_connected(memory_keyring: Any) -> None:
    memory_keyring.secrets[ENTRY] = "not json"
    vault = KeyringTokenVault(CLIENT_ID)
    with pytest.raises(NotConnectedError):
        vault.load()


def test_clear_deletes_the_entry(memory_keyring: Any) -> None:
    vault = KeyringTokenVault(CLIENT_ID)
    vault.save(token("rt-1"))
    vault.clear()
    vault.clear()  # twice is fine
    assert memory_keyring.secrets == {}
    with pytest.raises(NotConnectedError):
        vault.load()


def test_a_null_or_file_backend_counts_as_no_keyring() -> None:
    import keyring
    import keyring.backends.null

    keyring.set_keyring(keyring.backends.null.Keyring())
    vault = KeyringTokenVault(CLIENT_ID)
    assert vault.notice == NO_KEYRING_TEXT  # said before anything is lost
    vault.save(token("rt-1"))
    assert vault.load()["refresh_token"] == "rt-1"


def test_a_failed_write_removes_the_superseded_entry(memory_keyring: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.errors

    vault = KeyringTokenVault(CLIENT_ID)
    vault.save(token("rt-1"))

    def locked(*_: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    vault.save(token("rt-2"))  # rotated, but the keyring refuses it
    assert ENTRY not in memory_keyring.secrets  # rt-1 must not be found by the next session
    assert vault.load()["refresh_token"] == "rt-2" and vault.notice == NO_KEYRING_TEXT


def test_sign_out_revokes_the_newest_token_even_if_another_process_rotated_it(
        memory_keyring: Any) -> None:
    gui, nightly = KeyringTokenVault(CLIENT_ID), KeyringTokenVault(CLIENT_ID)
    gui.save(token("rt-1"))
    nightly.save(token("rt-2"))
    assert gui.newest_refresh_token() == "rt-2"


def test_a_keyring_that_refuses_everything_is_named_none() -> None:
    assert keyring_description() == "none usable: a Xero connection lasts for one session"


def test_a_keyring_that_keeps_secrets_is_named_with_its_module(memory_keyring: Any) -> None:
    assert keyring_description() == f"{memory_keyring.name} ({type(memory_keyring).__module__})"
