"""Which system package holds a shared library, and the one command that installs it.

Public API: Distro, LIBRARY_PACKAGES, parse_os_release(), install_advice().

Qt's X11 plugin links some twenty system libraries that a desktop usually has and a minimal
or server install lacks (issue 14: `libxcb-icccm4` and `libxcb-keysyms1`). The start-up
check (`platform_check`) names the missing ones by file; this module turns those names into
packages for Debian/Ubuntu (apt-get) and Fedora/RHEL (dnf), or plain library names where the
system is neither. Pure: the caller reads /etc/os-release.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# so-name: (Debian/Ubuntu package, Fedora/RHEL package). The libraries PySide6's
# libqxcb.so and libQt6XcbQpa.so.6 link (see `ldd`), and the ones older PySide6 releases
# linked (xinerama, xinput, glx).
LIBRARY_PACKAGES: Mapping[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}

_DEBIAN_FAMILY = {"debian", "ubuntu"}
_FEDORA_FAMILY = {"fedora", "rhel", "centos"}


@dataclass(frozen=True)
class Distro:
    """What /etc/os-release says: a name to show, and the family that picks the installer."""

    name: str = "this system"
    family: str = ""  # "debian", "fedora", or "" for one this module has no packages for


def parse_os_release(text: str) -> Distro:
    """The distribution from os-release's `ID`, `ID_LIKE` and `PRETTY_NAME` (shell syntax)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or key.startswith("#"):
            continue
        try:
            words = shlex.split(value)
        except ValueError:  # an unclosed quote: take the text as it is
            words = [value.strip("\"'")]
        fields[key] = " ".join(words)
    ids = {fields.get("ID", "").lower(), *fields.get("ID_LIKE", "").lower().split()}
    family = ("debian" if ids & _DEBIAN_FAMILY else
              "fedora" if ids & _FEDORA_FAMILY else "")
    name = fields.get("PRETTY_NAME") or fields.get("NAME") or fields.get("ID") or Distro.name
    return Distro(name=name, family=family)


def _packages(sonames: Iterable[str], family: str) -> tuple[list[str], list[str]]:
    """(packages to install, so-names no package is known for), each once, in order."""
    column = {"debian": 0, "fedora": 1}[family]
    found: list[str] = []
    unknown: list[str] = []
    for soname in sonames:
        if soname in LIBRARY_PACKAGES:
            package = LIBRARY_PACKAGES[soname][column]
            if package not in found:
                found.append(package)
        elif family == "fedora":  # dnf installs whatever provides it (PySide6 is 64-bit only)
            found.append(f"'{soname}()(64bit)'")
        else:
            unknown.append(soname)
    return found, unknown


def install_advice(sonames: Iterable[str], distro: Distro) -> str:
    """What to run to install the packages holding `sonames`: the one command, else names.

    Ends where the caller's "then start ... again" follows.
    """
    missing = list(dict.fromkeys(sonames))
    debian, unknown = _packages(missing, "debian")
    fedora, _ = _packages(missing, "fedora")
    if distro.family == "debian":
        lookup = f"`apt-file search {unknown[0]}` names them" if unknown else ""
        if not debian:
            return f"Install the packages that hold them on {distro.name} ({lookup}),"
        command = (f"Install them on {distro.name} with:\n"
                   f"    sudo apt-get install {' '.join(debian)}")
        return command + (f"\nand the packages that hold {', '.join(unknown)} ({lookup}),"
                          if unknown else "")
    if distro.family == "fedora":
        return f"Install them on {distro.name} with:\n    sudo dnf install {' '.join(fedora)}"
    known = f" (on Debian and Ubuntu: {' '.join(debian)}; on Fedora: {' '.join(fedora)})"
    return (f"Install the packages that hold them with the package manager of {distro.name}"
            f"{known if debian else ''},")
