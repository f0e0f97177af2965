"""Which shared libraries the Linux bundle leaves to the system, and the packages holding them.

Public API: LEFT_TO_SYSTEM, DROPPED_PLUGINS, needed(), keep_bundled(), system_needs(),
debian_depends().

PyInstaller copies every library a binary links, the build machine's X11, OpenGL, fontconfig,
D-Bus and GLib included. Those are the ones a desktop loads its own drivers, config and
plugins into (Mesa wants its own libstdc++, fontconfig reads the system's config format), so
a copy from the build machine is trouble on a newer system. They are left to the system and
declared as the .deb's dependencies; what only they needed is dropped from the bundle too.
The rest (Python's own libraries: OpenSSL, SQLite, libffi...) stays bundled, as usual.

Run by the spec (keep_bundled) and by build_packages.py (debian_depends); Linux only.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from xerosync_desktop.gui.platform_packages import LIBRARY_PACKAGES

# The C library: part of every system (libc6), its version checked by debian_depends().
GLIBC = frozenset({"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                   "libresolv.so.2", "ld-linux-x86-64.so.2", "libutil.so.1"})
# The desktop stack beyond the X11 plugin's libraries (platform_packages): the C++ runtime
# (Mesa's drivers need the system's), and Qt's Wayland and EGL plugins' libraries.
OTHER_PACKAGES = {
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libdrm.so.2": "libdrm2",
}
LEFT_TO_SYSTEM = frozenset({*LIBRARY_PACKAGES, *OTHER_PACKAGES})
# Ubuntu 24.04 renamed these in its 64-bit time_t transition; Debian 12 has the old names.
T64_NAMES = {"libglib2.0-0": "libglib2.0-0t64", "libpng16-16": "libpng16-16t64"}
# Qt's GTK 3 theme plugin would pull GTK, Pango, Cairo, ATK... from the build machine; Qt
# draws its own dialogs without it (Fusion style).
DROPPED_PLUGINS = frozenset({"libqgtk3.so"})
MIN_GLIBC = "2.36"  # Debian 12's; the build machine's is the floor (see the Makefile)


def needed(path: Path) -> list[str]:
    """The so-names an ELF file links directly (its DT_NEEDED entries), from objdump."""
    done = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True,
                          check=False)
    return [line.split()[1] for line in done.stdout.splitlines()
            if line.strip().startswith("NEEDED")]


def keep_bundled(binaries: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """PyInstaller's (dest, source, kind) binaries minus what is left to the system.

    Walks the links from every binary that is not a system library (Python's extension
    modules, Qt, its plugins), never into a library left to the system: a system library
    reached only through one of those (GTK's, D-Bus's) is not kept.
    """
    by_name = {Path(dest).name: entry for entry in binaries for dest in [entry[0]]}
    roots = [entry for entry in binaries
             if not _from_system(entry[1]) and Path(entry[0]).name not in DROPPED_PLUGINS]
    kept = {entry[0]: entry for entry in roots}
    todo = [Path(entry[1]) for entry in roots]
    while todo:
        for name in needed(todo.pop()):
            entry = by_name.get(name)
            if entry is None or name in LEFT_TO_SYSTEM or entry[0] in kept:
                continue
            kept[entry[0]] = entry
            todo.append(Path(entry[1]))
    return [entry for entry in binaries if entry[0] in kept]


def _from_system(source: str) -> bool:
    return source.startswith(("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"))


def system_needs(bundle: Path) -> set[str]:
    """So-names the bundle's binaries link that it does not hold."""
    files = [path for path in bundle.rglob("*") if path.is_file() and _is_elf(path)]
    held = {path.name for path in bundle.rglob("*")}
    return {name for path in files for name in needed(path)} - held


def debian_depends(sonames: Iterable[str]) -> str:
    """The Depends field for `sonames`; raises SystemExit naming any it has no package for."""
    packages = {f"libc6 (>= {MIN_GLIBC})"}
    unknown = []
    for soname in sorted(set(sonames) - GLIBC):
        package = OTHER_PACKAGES.get(soname) or LIBRARY_PACKAGES.get(soname, ("",))[0]
        if not package:
            unknown.append(soname)
        elif package in T64_NAMES:
            packages.add(f"{T64_NAMES[package]} | {package}")
        else:
            packages.add(package)
    if unknown:
        raise SystemExit(f"The bundle links {', '.join(unknown)}, which no package is known "
                         "for: add them to packaging/linux/system_libraries.py "
                         "(OTHER_PACKAGES), then build again.")
    return ", ".join(sorted(packages))


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"
