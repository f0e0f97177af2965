"""System libraries made missing for one process, and a real X server, for the start-up tests.

A library cannot be uninstalled for a test (other processes use it), and a file of the same
name earlier in LD_LIBRARY_PATH does not hide it: the loader skips a dangling link and goes
on to the system folders. So the plugin is copied, with its libQt6XcbQpa, and both copies
are marked DF_1_NODEFLIB ("never look in the default folders"): their libraries then come
from LD_LIBRARY_PATH only, where a folder of links offers every one but those to hide.
QT_PLUGIN_PATH makes Qt pick the copy. The loader then fails exactly as on a computer
without those packages: `libxcb-icccm.so.4 => not found`, and Qt aborts.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xerosync_desktop.gui.platform_check import xcb_plugins

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NEEDED, DT_STRTAB, DT_FLAGS_1 = 1, 5, 0x6FFFFFFB
DF_1_NODEFLIB = 0x800


def _dynamic_entries(data: bytes) -> tuple[list[tuple[int, int, int]], list[tuple[int, ...]]]:
    """(tag, value, file offset) of each dynamic entry, and the PT_LOAD segments, of an
    ELF64 little-endian file (what PySide6's Linux wheels hold)."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not an ELF64 LE file"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    entries: list[tuple[int, int, int]] = []
    loads: list[tuple[int, ...]] = []
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + index * phentsize)
        if kind == PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == PT_DYNAMIC:
            for at in range(offset, offset + filesz, 16):
                tag, value = struct.unpack_from("<qQ", data, at)
                entries.append((tag, value, at))
    return entries, loads


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED names of a shared library: what it links directly."""
    data = path.read_bytes()
    entries, loads = _dynamic_entries(data)
    strtab = next(value for tag, value, _ in entries if tag == DT_STRTAB)
    base = next(offset + strtab - vaddr for vaddr, offset, size in loads
                if vaddr <= strtab < vaddr + size)
    return [data[base + value:data.index(b"\0", base + value)].decode()
            for tag, value, _ in entries if tag == DT_NEEDED]


def forbid_default_folders(path: Path) -> None:
    """Set DF_1_NODEFLIB in the file's DT_FLAGS_1 (PySide6's plugins carry one: BIND_NOW)."""
    data = bytearray(path.read_bytes())
    entries, _ = _dynamic_entries(bytes(data))
    flags = [(value, at) for tag, value, at in entries if tag == DT_FLAGS_1]
    assert flags, f"{path.name} has no DT_FLAGS_1 entry to mark: hide libraries otherwise"
    value, at = flags[0]
    struct.pack_into("<qQ", data, at, DT_FLAGS_1, value | DF_1_NODEFLIB)
    path.write_bytes(bytes(data))


def without_libraries(root: Path, hidden: set[str]) -> dict[str, str]:
    """Environment variables under which Qt's X11 plugin finds none of `hidden`."""
    plugin = xcb_plugins({})[-1]
    qpa = plugin.parent.parent.parent / "lib" / "libQt6XcbQpa.so.6"
    trace = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True)
    lib = root / "lib"
    platforms = root / "plugins" / "platforms"
    lib.mkdir(parents=True)
    platforms.mkdir(parents=True)
    for name, target in re.findall(r"^\s*(\S+) => (/\S+)", trace.stdout, re.MULTILINE):
        if name not in hidden and name != qpa.name:
            (lib / name).symlink_to(target)
    for original, copy in ((qpa, lib / qpa.name), (plugin, platforms / plugin.name)):
        shutil.copyfile(original, copy)
        forbid_default_folders(copy)
    return {"LD_LIBRARY_PATH": str(lib), "QT_PLUGIN_PATH": str(root / "plugins")}


@contextmanager
def x_server() -> Iterator[str]:
    """A new Xvfb, its display name (":N", a free number it picked) while the block runs."""
    xvfb = shutil.which("Xvfb")
    assert xvfb
    read, write = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # "" if Xvfb ended without a display
        assert number, f"Xvfb did not start (exit {server.poll()})"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)
