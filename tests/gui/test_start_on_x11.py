"""`xerosync-desktop` under a real X server (Xvfb), as `make run` starts it: it starts and
stops cleanly, or it says exactly why it cannot open its window and exits 69.

Offscreen tests cannot see any of this (issue 14): Qt's X11 plugin and its libraries are
loaded only here. Skipped where Xvfb is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from platform_helpers import needed_libraries, without_libraries, x_server
from pytestqt.qtbot import QtBot

from xerosync_desktop.gui.platform_check import (
    PLATFORM_UNAVAILABLE,
    MissingLibrary,
    parse_loader_trace,
    trace_command,
    unresolved_libraries,
    window_problem,
    xcb_plugins,
)
from xerosync_desktop.gui.platform_packages import LIBRARY_PACKAGES
from xerosync_desktop.logsetup import LOG_FILE_NAME

needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None,
                                reason="Xvfb is not installed (Debian: apt-get install xvfb)")
# the computer: libxcb-cursor0 installed, these two not
HIDDEN = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
UNSET = ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "XDG_SESSION_TYPE",
         "QT_PLUGIN_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH", "LD_LIBRARY_PATH")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb)")
    with x_server() as name:
        yield name


def desktop_env(**variables: str) -> dict[str, str]:
    """This environment without any display or Qt platform setting, plus `variables`."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    return {**env, **variables}


def launch(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "xerosync_desktop", "--demo", "--data-dir",
                             str(data_dir)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def refusal(data_dir: Path, env: dict[str, str]) -> str:
    """What the launcher printed when it refused to start; fails unless it refused (69)."""
    app = launch(data_dir, env)
    out, err = app.communicate(timeout=60)
    assert app.returncode == PLATFORM_UNAVAILABLE, err.decode(errors="replace")
    assert not out and not data_dir.exists()  # refused before anything else was done
    return err.decode()


@needs_xvfb
def test_the_app_opens_its_window_on_x11_and_stops_cleanly_on_sigterm(
        qtbot: QtBot, tmp_path: Path, display: str) -> None:
    log = tmp_path / "logs" / LOG_FILE_NAME
    env = desktop_env(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    assert window_problem(env) is None  # else it says what this computer lacks
    app = launch(tmp_path, env)
    try:
        qtbot.waitUntil(lambda: app.poll() is not None or (
            log.exists() and "main window shown" in log.read_text()), timeout=60_000)
        assert app.poll() is None, app.communicate()[1].decode(errors="replace")
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
    finally:
        app.kill()
        out, err = app.communicate()
    assert "Traceback" not in err.decode(errors="replace")
    assert "cannot open its window" not in err.decode(errors="replace")
    assert log.read_text().rstrip().endswith("xerosync-desktop stopped")


@needs_xvfb
def test_missing_x11_libraries_are_named_with_the_command_that_installs_them(
        tmp_path: Path, display: str) -> None:
    env = desktop_env(DISPLAY=display, **without_libraries(tmp_path / "qt", HIDDEN))
    # without the check, Qt itself aborts on this computer, naming one library at best
    bare = subprocess.run([sys.executable, "-c", "from PySide6.QtWidgets import QApplication; "
                           "QApplication([])"], env=env, capture_output=True, text=True)
    assert bare.returncode != 0
    assert 'Could not load the Qt platform plugin "xcb"' in bare.stderr

    said = refusal(tmp_path / "data", env)

    assert said.startswith("xerosync-desktop cannot open its window: Qt's X11 plugin (xcb) "
                           "cannot load these system libraries:\n"
                           "    libxcb-icccm.so.4: not found\n"
                           "    libxcb-keysyms.so.1: not found\n")
    if Path("/etc/debian_version").exists():
        assert "\n    sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in said
    if Path("/etc/fedora-release").exists():
        assert "\n    sudo dnf install xcb-util-wm xcb-util-keysyms\n" in said
    assert "then start xerosync-desktop again." in said
    assert str(tmp_path / "qt" / "plugins" / "platforms" / "libqxcb.so") in said


def test_no_display_at_all_is_said_instead_of_qts_abort(tmp_path: Path) -> None:
    said = refusal(tmp_path / "data", desktop_env())
    assert said == ("xerosync-desktop cannot open its window: there is no display to show it "
                    "on (neither DISPLAY nor WAYLAND_DISPLAY is set). Start it from a desktop "
                    "session (its menu or a terminal in it); over ssh, connect with `ssh -X`. "
                    "`xerosync` does the same work without a window (see `xerosync --help`).\n")


def test_an_x_display_nobody_serves_is_named(tmp_path: Path) -> None:
    number = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    said = refusal(tmp_path / "data", desktop_env(DISPLAY=f":{number}"))
    assert said.startswith(f'xerosync-desktop cannot open its window: the X display ":{number}" '
                           "(DISPLAY) does not answer, or does not let this user in.")


@needs_xvfb
def test_a_wayland_session_without_its_compositor_falls_back_to_x11(
        tmp_path: Path, display: str) -> None:
    """Qt tries Wayland first in a Wayland session, then X11: only X11 must work."""
    session = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-9",
               "XDG_RUNTIME_DIR": str(tmp_path)}
    assert window_problem({**desktop_env(DISPLAY=display), **session}) is None
    said = window_problem({**desktop_env(), **session})
    assert said is not None and "(DISPLAY is not set, and the Wayland display wayland-9 is " \
                                "not running)" in said
    (tmp_path / "wayland-9").touch()  # the compositor's socket: Qt will use Wayland
    assert window_problem({**desktop_env(), **session}) is None
    assert window_problem({**desktop_env(QT_QPA_PLATFORM="xcb"), **session}) == (
        "xerosync-desktop cannot open its window: QT_QPA_PLATFORM=xcb asks for X11 only, and "
        "DISPLAY is not set. Unset QT_QPA_PLATFORM to use the Wayland display, or set DISPLAY.")


def test_every_library_the_x11_plugin_links_has_its_packages() -> None:
    """PySide6's plugin, as installed here: each system library it links, by name."""
    plugin = xcb_plugins({})[-1]
    linked = needed_libraries(plugin) + needed_libraries(
        plugin.parent.parent.parent / "lib" / "libQt6XcbQpa.so.6")
    system = {name for name in linked if not name.startswith("libQt6")} - {
        "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"}
    assert "libxcb-icccm.so.4" in system and "libxcb-keysyms.so.1" in system
    assert system - set(LIBRARY_PACKAGES) == set()


def test_the_loader_and_ldd_name_the_same_missing_libraries(tmp_path: Path) -> None:
    """The check traces with the dynamic loader, or `ldd` where the loader is not known."""
    env = desktop_env(**without_libraries(tmp_path / "qt", HIDDEN))
    plugin = xcb_plugins(env)[0]
    assert plugin.is_relative_to(tmp_path)  # QT_PLUGIN_PATH's copy comes first, as in Qt
    traced = trace_command(plugin, None, shutil.which("ldd"))
    assert traced is not None
    command, variables = traced
    by_ldd = subprocess.run(command, env={**env, **variables}, capture_output=True, text=True)
    expected = [MissingLibrary("libxcb-icccm.so.4"), MissingLibrary("libxcb-keysyms.so.1")]
    assert parse_loader_trace(by_ldd.stdout, by_ldd.stderr) == expected
    assert unresolved_libraries(plugin, env) == expected
    assert unresolved_libraries(xcb_plugins(desktop_env())[0], desktop_env()) is not None
