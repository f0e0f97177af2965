"""Running `xerosync` as a subprocess against a real sandbox, with private folders.

Every run gets `--data-dir`, a HOME and XDG folders inside the test's tmp_path and a keyring
backend that refuses everything, so no run touches the user's data or keyring. Every run's
output is checked for anything shaped like a token.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from xerosync_desktop.paths import resource_path
from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox

US = "Demo Company (US)"
US_TENANT = "7c3a1f52-4b8e-4d2a-9f61-2e5b8c0d9a11"  # fixed by the sandbox's demo data
SAMPLE = resource_path("sample", "timesolv_clients.csv")
TIMEOUT = 60
# The sandbox's access and id tokens are JWTs; its refresh tokens 64 hex digits.
TOKEN_SHAPES = re.compile(r"eyJ[A-Za-z0-9_-]{8,}|\b[0-9a-f]{64}\b")


@dataclass(frozen=True)
class Result:
    """How one run ended and what it wrote."""

    code: int
    out: str
    err: str


def cli_env(root: Path) -> dict[str, str]:
    """The environment of a run: private HOME and XDG folders, no usable keyring."""
    home = root / "home"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("XDG_", "PYTHON_KEYRING"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_STATE_HOME=str(home / ".local/state"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               PYTHONIOENCODING="utf-8")
    env.pop("COLUMNS", None)
    return env


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert not TOKEN_SHAPES.search(text), "a token reached the output"


class Cli:
    """`python -m xerosync_desktop.cli` with this test's data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "app"
        self.env = cli_env(root)

    def command(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "xerosync_desktop.cli", *map(str, args),
                "--data-dir", str(self.data_dir)]

    def __call__(self, *args: str | Path) -> Result:
        return self.together([args])[0]

    def together(self, runs: Sequence[Sequence[str | Path]]) -> list[Result]:
        """Several independent runs at the same time (they share the data folder)."""
        processes = [self.popen(*args) for args in runs]
        results = []
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT)
            assert "Traceback" not in err, err
            assert_no_token(out, err)
            results.append(Result(process.returncode, out, err))
        return results

    def popen(self, *args: str | Path) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                encoding="utf-8")

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / "xerosync-cli.log"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    (tmp_path / "home").mkdir(exist_ok=True)
    return Cli(tmp_path)


@pytest.fixture
def xero() -> Iterator[XeroSandbox]:
    """A sandbox with the demo organisations, for `--sandbox URL`."""
    with XeroSandbox(SandboxOptions(port=0, data="demo")) as running:
        yield running


def names(sandbox: XeroSandbox, status: str | None = None) -> dict[str, dict]:
    """The US organisation's contacts by name (of one ContactStatus when given)."""
    return {c["Name"]: c for c in sandbox.contacts(US_TENANT)
            if status is None or c["ContactStatus"] == status}


def write_clients(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A TimeSolv client export with Client ID, Client Name and Status."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [("Client ID", "Client Name", "Status"), *rows])
    return path
