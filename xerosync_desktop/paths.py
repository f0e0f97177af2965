"""Where the app keeps its data and logs, and where its bundled resources are.

Public API: AppPaths, user_lock_dir(), resource_path().

The sync locks live per user, outside any data folder: two data folders of one user (the
app's and a `--data-dir`) must never sync one organisation at once.
"""

from __future__ import annotations

import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "xerosync-desktop"


def user_lock_dir() -> Path:
    """The user's folder of sync locks: platformdirs' state dir, not its runtime dir.

    The runtime dir is per login session (XDG_RUNTIME_DIR): a nightly cron job without one
    would lock elsewhere than the app. The state dir is the same for every process of the user.
    """
    return platformdirs.user_state_path(APP_NAME, appauthor=False) / "locks"


@dataclass(frozen=True)
class AppPaths:
    """The per-user folders of one app instance; tests point them at a temporary dir."""

    data_dir: Path
    log_dir: Path
    lock_dir: Path = field(default_factory=user_lock_dir)  # whatever the data dir

    @classmethod
    def default(cls) -> AppPaths:
        return cls(data_dir=platformdirs.user_data_path(APP_NAME, appauthor=False),
                   log_dir=platformdirs.user_log_path(APP_NAME, appauthor=False))

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """Data and logs below one folder (`--data-dir`, tests); the locks stay the user's."""
        return cls(data_dir=root / "data", log_dir=root / "logs")

    def ensure(self) -> AppPaths:
        """Create the folders, readable by the user only.

        A folder already so is left alone: a read-only one is then named by the store, with
        what to do, rather than refused here as a folder that cannot be created.
        """
        for folder in (self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if stat.S_IMODE(folder.stat().st_mode) != 0o700:
                folder.chmod(0o700)
        return self

    @property
    def database(self) -> Path:
        return self.data_dir / "xerosync.sqlite3"

    @property
    def demo_state(self) -> Path:
        """The embedded demo Xero's organisations and contacts, kept between sessions."""
        return self.data_dir / "demo-xero.json"


def data_folder_error(paths: AppPaths, exc: OSError) -> str:
    """The sentence for a data folder that cannot be made (the window and `xerosync`)."""
    return (f"The data folder {paths.data_dir} cannot be created ({exc.strerror or exc}). "
            "Make it a folder your user can write to, or start with --data-dir pointing to "
            "one.")


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, from a source checkout, an install or a frozen bundle."""
    candidates = [
        Path(getattr(sys, "_MEIPASS", "")) / "resources",
        Path(__file__).resolve().parent.parent / "resources",
        Path(sys.prefix) / "share" / APP_NAME / "resources",
    ]
    for base in candidates:
        if (base / Path(*parts)).exists():
            return base / Path(*parts)
    return candidates[1] / Path(*parts)
