"""The start-up check's rules on plain data: which platforms Qt tries, what a loader trace
says is missing, which distribution this is, and the words and command the user gets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xerosync_desktop.gui.platform_check import (
    MissingLibrary,
    libraries_text,
    parse_loader_trace,
    platforms_to_try,
    trace_command,
    window_problem,
)
from xerosync_desktop.gui.platform_packages import Distro, install_advice, parse_os_release

DEBIAN = Distro("Debian GNU/Linux 12 (bookworm)", "debian")
FEDORA = Distro("Fedora Linux 40 (Workstation Edition)", "fedora")
ARCH = Distro("Arch Linux", "")


@pytest.mark.parametrize(("env", "tried"), [
    ({}, ["xcb"]),
    ({"DISPLAY": ":0"}, ["xcb"]),
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, ["xcb"]),
    ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
    ({"XDG_SESSION_TYPE": "wayland"}, ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, ["xcb"]),
    ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "xcb:nograb; offscreen"}, ["xcb", "offscreen"]),
    ({"QT_QPA_PLATFORM": "  "}, ["xcb"]),
    ({"QT_QPA_PLATFORM": "XCB"}, ["xcb"]),
])
def test_the_platforms_qt_tries_follow_its_rules(env: dict[str, str],
                                                 tried: list[str]) -> None:
    assert platforms_to_try(env) == tried


@pytest.mark.parametrize("env", [
    {"QT_QPA_PLATFORM": "offscreen"},
    {"QT_QPA_PLATFORM": "minimal"},
    {"QT_QPA_PLATFORM": "eglfs"},
    {"QT_QPA_PLATFORM": "wayland"},  # Qt's own message if that fails: it never tries X11
])
def test_platforms_other_than_x11_are_left_to_qt(env: dict[str, str]) -> None:
    assert window_problem(env) is None


def test_nothing_is_checked_on_windows_or_macos(monkeypatch: pytest.MonkeyPatch) -> None:
    for platform in ("win32", "darwin"):
        monkeypatch.setattr(sys, "platform", platform)
        assert window_problem({}) is None  # no display there either: not Qt's X11


FOUND = """\
\tlinux-vdso.so.1 (0x00007ffd1e5f2000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x0)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f422edb3000)
\t/lib64/ld-linux-x86-64.so.2 (0x00007f422fa7f000)
"""
NOT_FOUND = """\
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007fbc1d6d8000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f422eda4000)
\tlibxcb-icccm.so.4 => not found
"""
DAMAGED = ("/opt/PySide6/Qt/plugins/platforms/libqxcb.so: error while loading shared "
           "libraries: /usr/local/lib/libxcb-icccm.so.4: file too short\n")
TOO_OLD = ("/opt/PySide6/Qt/plugins/platforms/libqxcb.so: /lib/x86_64-linux-gnu/"
           "libxkbcommon.so.0: version `V_0.5.0' not found (required by /opt/libqxcb.so)\n")


@pytest.mark.parametrize(("stdout", "stderr", "missing"), [
    (FOUND, "", []),
    ("", "", []),
    ("\tnot a dynamic executable\n", "", []),
    (NOT_FOUND, "", [MissingLibrary("libxcb-icccm.so.4"), MissingLibrary("libxcb-keysyms.so.1")]),
    ("", DAMAGED, [MissingLibrary("/usr/local/lib/libxcb-icccm.so.4", "file too short")]),
    (FOUND, TOO_OLD, [MissingLibrary("/lib/x86_64-linux-gnu/libxkbcommon.so.0",
                                     "version `V_0.5.0' not found")]),
])
def test_a_loader_trace_names_what_cannot_be_loaded(stdout: str, stderr: str,
                                                    missing: list[MissingLibrary]) -> None:
    assert parse_loader_trace(stdout, stderr) == missing


def test_the_trace_runs_the_loader_else_ldd_else_nothing() -> None:
    plugin = Path("/opt/libqxcb.so")
    loader = Path("/lib64/ld-linux-x86-64.so.2")
    assert trace_command(plugin, loader, "/usr/bin/ldd") == (
        [str(loader), str(plugin)], {"LD_TRACE_LOADED_OBJECTS": "1"})
    assert trace_command(plugin, None, "/usr/bin/ldd") == (["/usr/bin/ldd", str(plugin)], {})
    assert trace_command(plugin, None, None) is None  # then Qt has the last word


@pytest.mark.parametrize(("text", "distro"), [
    ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n',
     DEBIAN),
    ('NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nID_LIKE=debian\n',
     Distro("Ubuntu 24.04.1 LTS", "debian")),
    ('NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Linux Mint 22"\n',
     Distro("Linux Mint 22", "debian")),
    ('NAME="Fedora Linux"\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Workstation Edition)"\n',
     FEDORA),
    ('NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
     Distro("Rocky Linux", "fedora")),
    ("# a comment\nNAME='Red Hat Enterprise Linux'\nID=rhel\nID_LIKE=fedora\n",
     Distro("Red Hat Enterprise Linux", "fedora")),
    ('NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\n', ARCH),
    ('NAME="openSUSE Tumbleweed"\nID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n',
     Distro("openSUSE Tumbleweed", "")),
    ('ID=debian\nPRETTY_NAME="Debian unclosed\n', Distro("Debian unclosed", "debian")),
    ("", Distro("this system", "")),
])
def test_the_distribution_comes_from_os_release(text: str, distro: Distro) -> None:
    assert parse_os_release(text) == distro


@pytest.mark.parametrize(("sonames", "distro", "advice"), [
    (["libxcb-icccm.so.4", "libxcb-keysyms.so.1"], DEBIAN,
     "Install them on Debian GNU/Linux 12 (bookworm) with:\n"
     "    sudo apt-get install libxcb-icccm4 libxcb-keysyms1"),
    (["libxcb-icccm.so.4", "libxcb-keysyms.so.1"], FEDORA,
     "Install them on Fedora Linux 40 (Workstation Edition) with:\n"
     "    sudo dnf install xcb-util-wm xcb-util-keysyms"),
    (["libxcb-randr.so.0", "libxcb-shape.so.0", "libxcb-cursor.so.0"], FEDORA,  # one package
     "Install them on Fedora Linux 40 (Workstation Edition) with:\n"
     "    sudo dnf install libxcb xcb-util-cursor"),
    (["libxcb-icccm.so.4", "libfoo.so.2"], FEDORA,
     "Install them on Fedora Linux 40 (Workstation Edition) with:\n"
     "    sudo dnf install xcb-util-wm 'libfoo.so.2()(64bit)'"),
    (["libxcb-icccm.so.4", "libfoo.so.2"], DEBIAN,
     "Install them on Debian GNU/Linux 12 (bookworm) with:\n"
     "    sudo apt-get install libxcb-icccm4\n"
     "and the packages that hold libfoo.so.2 (`apt-file search libfoo.so.2` names them),"),
    (["libfoo.so.2"], DEBIAN,
     "Install the packages that hold them on Debian GNU/Linux 12 (bookworm) "
     "(`apt-file search libfoo.so.2` names them),"),
    (["libxcb-icccm.so.4", "libxcb-keysyms.so.1"], ARCH,
     "Install the packages that hold them with the package manager of Arch Linux (on Debian "
     "and Ubuntu: libxcb-icccm4 libxcb-keysyms1; on Fedora: xcb-util-wm xcb-util-keysyms),"),
    (["libfoo.so.2"], ARCH,
     "Install the packages that hold them with the package manager of Arch Linux,"),
])
def test_the_one_command_that_installs_them(sonames: list[str], distro: Distro,
                                            advice: str) -> None:
    assert install_advice(sonames, distro) == advice


def test_the_users_message_lists_the_libraries_then_the_command() -> None:
    missing = [MissingLibrary("libxcb-icccm.so.4"), MissingLibrary("libxcb-keysyms.so.1"),
               MissingLibrary("/usr/local/lib/libxcb-cursor.so.0", "file too short")]
    plugin = Path("/opt/PySide6/Qt/plugins/platforms/libqxcb.so")
    assert libraries_text(missing, plugin, DEBIAN) == (
        "xerosync-desktop cannot open its window: Qt's X11 plugin (xcb) cannot load these "
        "system libraries:\n"
        "    libxcb-icccm.so.4: not found\n"
        "    libxcb-keysyms.so.1: not found\n"
        "    /usr/local/lib/libxcb-cursor.so.0: file too short\n"
        "Install them on Debian GNU/Linux 12 (bookworm) with:\n"
        "    sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0\n"
        "then start xerosync-desktop again.\n"
        "(Checked: /opt/PySide6/Qt/plugins/platforms/libqxcb.so)")
