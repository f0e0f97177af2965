"""Shared fixtures: headless Qt, private folders, a real sandbox, the app's window.

No test touches the user's real data folder or keyring: HOME and the XDG folders point into
each test's tmp_path, and every app instance gets `AppPaths.under(tmp_path)`.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from xerosync_desktop.paths import AppPaths


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for name, sub in (("HOME", ""), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CONFIG_HOME", ".config"),
                      ("XDG_CACHE_HOME", ".cache")):
        folder = home / sub
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv("BROWSER", raising=False)  # the app would start the user's browser
    return home


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this test only: what the app stored, readable by the test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def collect_garbage_on_this_thread() -> Iterator[None]:
    """Collect each test's reference cycles here, on the GUI thread.

    A cycle holding a Qt widget (a window and the lambdas connected to its signals) left
    to the collector can be freed on whatever thread allocates next, such as a sandbox
    request thread, and a QWidget destroyed off the GUI thread crashes the process.
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reaches the user's keyring: none works unless a test installs one."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def port() -> int:
    """A free loopback port (for a sign-in's redirect URI registered before it listens)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "app").ensure()


@pytest.fixture
def sandbox() -> Iterator[object]:
    """A real Xero sandbox on an ephemeral 127.0.0.1 port, with the demo organisations."""
    from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox

    with XeroSandbox(SandboxOptions(port=0, data="demo")) as running:
        yield running


class FakeBrowser:
    """Plays the system browser: follows the authorize URL over real HTTP, redirects and all."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.landed: list[str] = []  # where each visit ended, after the redirects
        self.errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    def open(self, url: object) -> bool:
        text = url.toString() if hasattr(url, "toString") else str(url)
        self.opened.append(text)
        thread = threading.Thread(target=self._follow, args=(text,), daemon=True)
        self._threads.append(thread)
        thread.start()
        return True

    def _follow(self, url: str) -> None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                self.landed.append(response.geturl())
        except BaseException as exc:  # reported to the test
            self.errors.append(exc)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBrowser]:
    """QDesktopServices.openUrl follows the sign-in instead of opening a real browser."""
    from PySide6.QtGui import QDesktopServices

    fake = FakeBrowser()
    monkeypatch.setattr(QDesktopServices, "openUrl", fake.open)
    yield fake
    fake.join()
