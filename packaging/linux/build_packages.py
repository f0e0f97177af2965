"""Pack dist/xerosync-desktop/ for Linux: a tarball and a .deb.

    .venv/bin/python packaging/linux/build_packages.py      (run by `make package`)

dist/xerosync-desktop-VERSION-linux-x86_64.tar.gz: the bundle in xerosync-desktop-VERSION/,
with install.sh (a per-user menu entry, icons and the commands in ~/.local/bin), the
.desktop file and the icons.

dist/xerosync-desktop_VERSION_amd64.deb (dpkg-deb): the bundle in /opt/xerosync-desktop,
/usr/bin/xerosync and /usr/bin/xerosync-desktop linking to it, the menu entry and the
hicolor icons under /usr/share (dpkg's triggers refresh the menu and icon caches), and as
Depends the system libraries the bundle links and does not hold (system_libraries.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

from system_libraries import debian_depends, system_needs

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DIST = ROOT / "dist"
BUNDLE = DIST / "xerosync-desktop"
ICONS = ROOT / "build" / "icons" / "hicolor"
DESKTOP_FILE = HERE / "com.xerosync.Desktop.desktop"
COMMANDS = ("xerosync-desktop", "xerosync")
MAINTAINER = "xerosync-desktop maintainers <support@xerosync.example>"
SUMMARY = "Sync TimeSolv clients into Xero as contacts"
DESCRIPTION = """\
 A desktop app and the `xerosync` command: pairs the clients of a TimeSolv
 export with the contacts of a Xero organisation, lets a bookkeeper confirm
 the pairs, then creates and updates the contacts in Xero, with a full audit
 trail in Excel. Includes an embedded demo Xero (xerosync-desktop --demo)."""


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def check_bundle() -> None:
    for command in COMMANDS:
        if not (BUNDLE / command).is_file():
            raise SystemExit(f"{BUNDLE / command} is missing: run `make package`, which "
                             "builds the bundle first.")
    if not ICONS.is_dir():
        raise SystemExit(f"{ICONS} is missing: run `make package` (packaging/icons.py).")


def build_tarball(ver: str) -> Path:
    """The bundle, install.sh, the .desktop file and the icons in one folder."""
    out = DIST / f"xerosync-desktop-{ver}-linux-x86_64.tar.gz"
    top = f"xerosync-desktop-{ver}"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(BUNDLE, arcname=top)
        tar.add(HERE / "install.sh", arcname=f"{top}/install.sh")
        tar.add(DESKTOP_FILE, arcname=f"{top}/share/applications/{DESKTOP_FILE.name}")
        tar.add(ICONS, arcname=f"{top}/share/icons/hicolor")
    return out


def build_deb(ver: str) -> Path:
    """The .deb, staged under build/deb and packed by dpkg-deb (root-owned files)."""
    stage = ROOT / "build" / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    opt = stage / "opt" / "xerosync-desktop"
    shutil.copytree(BUNDLE, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    for command in COMMANDS:
        (stage / "usr" / "bin" / command).symlink_to(f"/opt/xerosync-desktop/{command}")
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(DESKTOP_FILE, share / "applications" / DESKTOP_FILE.name)
    shutil.copytree(ICONS, share / "icons" / "hicolor")
    doc = share / "doc" / "xerosync-desktop"
    doc.mkdir(parents=True)
    shutil.copyfile(ROOT / "packaging" / "CHANGELOG.md", doc / "CHANGELOG.md")
    for path in stage.rglob("*"):  # dpkg keeps modes: readable by all, nothing writable
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    size_kib = sum(p.stat().st_size for p in stage.rglob("*")
                   if p.is_file() and not p.is_symlink()) // 1024
    control = stage / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: xerosync-desktop\nVersion: {ver}\nArchitecture: amd64\n"
        f"Maintainer: {MAINTAINER}\nInstalled-Size: {size_kib}\n"
        f"Depends: {debian_depends(system_needs(BUNDLE))}\n"
        "Recommends: gnome-keyring | kwalletmanager\n"
        f"Section: misc\nPriority: optional\nDescription: {SUMMARY}\n{DESCRIPTION}\n")
    out = DIST / f"xerosync-desktop_{ver}_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage),
                    str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def main() -> int:
    if not sys.platform.startswith("linux"):
        raise SystemExit("The tarball and the .deb are built on Linux; on Windows and macOS "
                         "the bundle in dist/ is the result (see packaging/README.md).")
    check_bundle()
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is not installed (Debian package dpkg): install it, "
                         "then run `make package` again.")
    ver = version()
    for built in (build_tarball(ver), build_deb(ver)):
        print(f"{built.relative_to(ROOT)}  {built.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
