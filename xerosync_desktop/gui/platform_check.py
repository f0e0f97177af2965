"""Before the window: can Qt open one here? If not, say exactly why and what to install.

Public API: window_problem(), PLATFORM_UNAVAILABLE, platforms_to_try(), xcb_plugins(),
unresolved_libraries(), trace_command(), parse_loader_trace(), MissingLibrary,
libraries_text().

On Linux, Qt aborts the whole process when its platform plugin cannot load (`Could not load
the Qt platform plugin "xcb"`), naming at best one library (issue 14: it named
libxcb-cursor0, which was installed; libxcb-icccm4 and libxcb-keysyms1 were missing). So
before the QApplication exists, `window_problem()` works out which platforms Qt will try
(QT_QPA_PLATFORM, or Wayland then X11 in a Wayland session), and for X11 (xcb):

- runs the dynamic loader in trace mode (what `ldd` runs; about 8 ms) on the xcb plugin Qt
  will load, so every library it cannot resolve is named at once, with the command that
  installs their packages (`platform_packages`);
- checks that DISPLAY is set (or a Wayland display is there), and that the X server lets
  this user in (libxcb's own connect, under 1 ms).

The whole check took 8 to 17 ms per start on a 2-core VM, beside about 2 s of imports.

Anything it cannot tell (no loader to trace with, a platform it does not know) is left to
Qt: the check refuses only what Qt would refuse. Windows and macOS are not checked.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

from .platform_packages import Distro, install_advice, parse_os_release

# sysexits.h EX_UNAVAILABLE: a service the program needs (here the window system) is not
# there. Not 1, which the app's other start-up failures use, and not Qt's 134 (SIGABRT).
PLATFORM_UNAVAILABLE = 69

XCB_PLUGIN = "libqxcb.so"
APP = "xerosync-desktop"
CLI_HINT = "`xerosync` does the same work without a window (see `xerosync --help`)."


@dataclass(frozen=True)
class MissingLibrary:
    """A library the plugin needs that the loader could not use, and the loader's words."""

    name: str  # as the plugin asks for it (its so-name), or the path of a damaged file
    reason: str = "not found"

    @property
    def soname(self) -> str:
        return Path(self.name).name


def window_problem(env: Mapping[str, str] | None = None) -> str | None:
    """What stops Qt from opening a window here, for the user; None when nothing does.

    Call before any QApplication exists; Linux only (None elsewhere).
    """
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if env is None else env
    problem = None
    for platform in platforms_to_try(env):  # Qt takes the first that starts
        if platform == "xcb":
            problem = _xcb_problem(env)
            if problem is None:
                return None
        elif not platform.startswith("wayland") or _wayland_display_exists(env):
            return None  # offscreen, minimal, eglfs, a running Wayland: Qt's own business
    return problem


def platforms_to_try(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt 6 tries, in order, until one starts.

    QT_QPA_PLATFORM decides ("wayland;xcb", options after ':'); without it Qt tries Wayland
    first when the session says Wayland (WAYLAND_DISPLAY or XDG_SESSION_TYPE), then X11.
    """
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        names = (part.split(":", 1)[0].strip().lower() for part in chosen.split(";"))
        return [name for name in names if name]
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def _xcb_problem(env: Mapping[str, str]) -> str | None:
    missing: list[MissingLibrary] = []
    plugins = xcb_plugins(env)
    for plugin in plugins:  # Qt tries the next one only after the first failed to load
        missing = unresolved_libraries(plugin, env) or []
        if not missing:
            break
    parts = [libraries_text(missing, plugins[-1], _read_distro())] if missing else []
    display = env.get("DISPLAY", "")
    if not display:
        parts.append(no_display_text(env))
    elif not missing and _display_opens(display) is False:
        parts.append(display_refused_text(display))
    return "\n\n".join(parts) or None


def xcb_plugins(env: Mapping[str, str]) -> list[Path]:
    """The X11 plugin files Qt would load, in the order it tries them.

    QT_QPA_PLATFORM_PLUGIN_PATH's plugin first; then the first that QT_PLUGIN_PATH's folders
    or Qt's own plugin folder (PySide6's, in a venv or a frozen app alike) holds.
    """
    found = []
    direct = env.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if direct and (Path(direct) / XCB_PLUGIN).is_file():
        found.append(Path(direct) / XCB_PLUGIN)
    folders = [Path(p) for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders.append(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    for folder in folders:
        if (folder / "platforms" / XCB_PLUGIN).is_file():
            found.append(folder / "platforms" / XCB_PLUGIN)
            break
    return found


def unresolved_libraries(plugin: Path, env: Mapping[str, str]) -> list[MissingLibrary] | None:
    """The libraries `plugin` needs that cannot be loaded; None when this cannot be told.

    Traced in `env` (LD_LIBRARY_PATH included), as Qt will load it.
    """
    traced = trace_command(plugin, _dynamic_loader(), shutil.which("ldd"))
    if traced is None:
        return None
    command, variables = traced
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=10, env={**env, **variables})
    except (OSError, subprocess.SubprocessError):
        return None
    missing = parse_loader_trace(done.stdout, done.stderr)
    if done.returncode != 0 and not missing:
        return None  # the loader failed for another reason: not ours to guess
    return missing


def trace_command(plugin: Path, loader: Path | None,
                  ldd: str | None) -> tuple[list[str], dict[str, str]] | None:
    """The command that lists what `plugin` loads, and the variables it needs.

    The dynamic loader itself in trace mode, as `ldd` runs it but without its shell (about
    8 ms rather than 18); `ldd` where the loader is not known. Not the variable for `ldd`:
    the shell running the script would trace itself instead.
    """
    if loader is not None:
        return [str(loader), str(plugin)], {"LD_TRACE_LOADED_OBJECTS": "1"}
    if ldd is not None:
        return [ldd, str(plugin)], {}
    return None


_NOT_FOUND = re.compile(r"^\s*(\S+) => not found\s*$", re.MULTILINE)
_LOAD_ERROR = re.compile(r"error while loading shared libraries: (.+?): (.+)$", re.MULTILINE)
_VERSION = re.compile(r"^\S+: (\S+): (version `[^']+' not found)", re.MULTILINE)


def parse_loader_trace(stdout: str, stderr: str = "") -> list[MissingLibrary]:
    """The libraries a loader trace (`ldd` output) says cannot be used, each once, in order.

    `name => not found` lines; a damaged file stops the trace with `error while loading
    shared libraries: NAME: REASON`; a library too old for the plugin says `version ... not
    found`.
    """
    found = [MissingLibrary(name) for name in _NOT_FOUND.findall(stdout)]
    for text in (stdout, stderr):
        found += [MissingLibrary(name, reason) for name, reason in _LOAD_ERROR.findall(text)]
        found += [MissingLibrary(name, reason) for name, reason in _VERSION.findall(text)]
    return list(dict.fromkeys(found))


def libraries_text(missing: list[MissingLibrary], plugin: Path, distro: Distro) -> str:
    """What to tell the user about libraries the X11 plugin cannot load, and what to run."""
    listed = "\n".join(f"    {lib.name}: {lib.reason}" for lib in missing)
    return (f"{APP} cannot open its window: Qt's X11 plugin (xcb) cannot load these system "
            f"libraries:\n{listed}\n"
            f"{install_advice((lib.soname for lib in missing), distro)}\n"
            f"then start {APP} again.\n(Checked: {plugin})")


def no_display_text(env: Mapping[str, str]) -> str:
    if _wayland_display_exists(env):  # so QT_QPA_PLATFORM left Wayland out
        return (f"{APP} cannot open its window: QT_QPA_PLATFORM="
                f"{env.get('QT_QPA_PLATFORM', '')} asks for X11 only, and DISPLAY is not set. "
                "Unset QT_QPA_PLATFORM to use the Wayland display, or set DISPLAY.")
    wayland = env.get("WAYLAND_DISPLAY")
    why = (f"DISPLAY is not set, and the Wayland display {wayland} is not running" if wayland
           else "neither DISPLAY nor WAYLAND_DISPLAY is set")
    return (f"{APP} cannot open its window: there is no display to show it on ({why}). "
            "Start it from a desktop session (its menu or a terminal in it); over ssh, "
            f"connect with `ssh -X`. {CLI_HINT}")


def display_refused_text(display: str) -> str:
    return (f"{APP} cannot open its window: the X display \"{display}\" (DISPLAY) does not "
            "answer, or does not let this user in. Check that the desktop session is running "
            "and that DISPLAY and XAUTHORITY are its own (a shell from `sudo` or `su` often "
            f"loses them). {CLI_HINT}")


def _dynamic_loader() -> Path | None:
    """The dynamic loader running this process (`ld-linux-x86-64.so.2`...), from its map."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return None
    match = re.search(r"\s(/\S*/ld-linux[^/\s]*\.so\.\d+|/\S*/ld64\.so\.\d+)$", maps,
                      re.MULTILINE)
    return Path(match.group(1)) if match else None


def _read_distro() -> Distro:
    for path in (Path("/etc/os-release"), Path("/usr/lib/os-release")):
        try:
            return parse_os_release(path.read_text(errors="replace"))
        except OSError:
            continue
    return Distro()


def _wayland_display_exists(env: Mapping[str, str]) -> bool:
    """A Wayland compositor's socket is there: WAYLAND_DISPLAY (by default wayland-0), in
    XDG_RUNTIME_DIR unless it is a path, as libwayland looks for it."""
    if env.get("WAYLAND_SOCKET"):
        return True
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if name.startswith("/"):
        return Path(name).exists()
    runtime = env.get("XDG_RUNTIME_DIR", "")
    return bool(runtime) and (Path(runtime) / name).exists()


def _display_opens(display: str) -> bool | None:
    """Whether libxcb connects to `display` as Qt will; None when libxcb cannot be loaded."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(os.fsencode(display), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)
