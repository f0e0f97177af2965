"""Run the built bundle as a bookkeeper would: `make package-test`, after `make package`.

    .venv/bin/python packaging/package_test.py [BUNDLE]     (default: dist/xerosync-desktop)

Runs the frozen programs, never the source tree, each with a private HOME, XDG folders and
data folder:

- `xerosync --version` says pyproject's version (and how long the command takes to start);
- `xerosync status --demo` exits 0;
- `xerosync sync --demo --dry-run` prints the plan, `xerosync sync --demo --log` syncs and
  writes the log workbook, which is read back (its Run sheet quotes the version);
- the window app starts offscreen (and under Xvfb on X11, when Xvfb is installed), shows
  its main window (its log says so; the time it took is printed) and ends with exit 0 on
  SIGTERM;
- the keyring the frozen app sees is the one the source tree sees on this machine, and,
  when gnome-keyring is installed, is the Secret Service in a session that has one;
- on Linux: the .desktop file passes desktop-file-validate (when installed), the .deb
  holds what it should, and the tarball's install.sh adds and removes the menu entry.

Prints the bundle's size and the start-up times; exits 1 if any check failed. Not part of
`make test`: it needs a build, which takes minutes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
US = "Demo Company (US)"
TIMEOUT = 120  # seconds any one program may take
EXE = ".exe" if sys.platform == "win32" else ""
WINDOW_SHOWN = "main window shown"  # gui/app.py logs it once the window is shown
with (ROOT / "pyproject.toml").open("rb") as _file:
    VERSION = tomllib.load(_file)["project"]["version"]


class CheckFailed(Exception):
    """A check's finding, in words."""


class Checks:
    """Runs named checks, prints each outcome and what they measured."""

    def __init__(self, bundle: Path, scratch: Path) -> None:
        self.bundle = bundle
        self.scratch = scratch
        self.failed: list[str] = []
        self.facts: list[str] = []
        self._count = 0

    def run(self, name: str, check: Callable[[], str | None]) -> None:
        started = time.monotonic()
        try:
            note = check()
        except CheckFailed as exc:
            self.failed.append(name)
            print(f"FAIL  {name}: {exc}", flush=True)
            return
        took = time.monotonic() - started
        print(f"ok    {name} ({took:.1f} s){': ' + note if note else ''}", flush=True)

    def home(self) -> tuple[dict[str, str], Path]:
        """A fresh environment (private HOME and XDG folders) and data folder."""
        self._count += 1
        root = self.scratch / f"run{self._count}"
        home = root / "home"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("XDG_", "PYTHON", "QT_", "LD_"))}
        env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"),
                   XDG_STATE_HOME=str(home / ".local/state"),
                   XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_CACHE_HOME=str(home / ".cache"), PYTHONIOENCODING="utf-8")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        return env, root / "app"

    def cli(self, *args: str, env: dict[str, str] | None = None,
            data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
        """The frozen `xerosync` with its own folders unless given."""
        if env is None or data_dir is None:
            env, data_dir = self.home()
        return run([str(self.bundle / f"xerosync{EXE}"), *args, "--data-dir", str(data_dir)], env)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CheckFailed(f"{' '.join(command)} did not end within {TIMEOUT} s") from exc


def expect(done: subprocess.CompletedProcess[str], code: int = 0) -> str:
    if done.returncode != code:
        raise CheckFailed(f"exit {done.returncode} (wanted {code}); stdout: "
                          f"{done.stdout[-800:]!r}; stderr: {done.stderr[-800:]!r}")
    return done.stdout


def check_version(checks: Checks) -> str:
    env, data_dir = checks.home()
    started = time.monotonic()
    out = expect(run([str(checks.bundle / f"xerosync{EXE}"), "--version"], env))
    took = time.monotonic() - started
    if out.strip() != f"xerosync {VERSION}":
        raise CheckFailed(f"printed {out.strip()!r}, wanted 'xerosync {VERSION}'")
    out = expect(run([str(checks.bundle / f"xerosync-desktop{EXE}"), "--version"], env))
    if out.strip() != f"xerosync-desktop {VERSION}":
        raise CheckFailed(f"xerosync-desktop printed {out.strip()!r}")
    checks.facts.append(f"xerosync --version: {took * 1000:.0f} ms from start to exit")
    return out.strip()


def check_status(checks: Checks) -> str:
    out = expect(checks.cli("status", "--demo"))
    if not out.startswith("Xero:         the embedded demo Xero"):
        raise CheckFailed(f"unexpected status: {out!r}")
    return "exit 0"


def check_dry_run(checks: Checks) -> str:
    out = expect(checks.cli("sync", "--demo", "--org", US, "--dry-run"))
    summary = [line for line in out.splitlines() if line.startswith("Dry run for")]
    if not summary or "Create  " not in out:
        raise CheckFailed(f"no plan printed: {out[-800:]!r}")
    return summary[0]


def check_sync_with_log(checks: Checks) -> str:
    env, data_dir = checks.home()
    log = checks.scratch / "sync log.xlsx"
    out = expect(checks.cli("sync", "--demo", "--org", US, "--log", str(log), env=env,
                            data_dir=data_dir))
    if "Sync finished: 25 created, 7 updated" not in out:
        raise CheckFailed(f"unexpected result: {out[-800:]!r}")
    again = expect(checks.cli("sync", "--demo", "--org", US, env=env, data_dir=data_dir))
    if "0 created, 0 updated, 32 unchanged" not in again:
        raise CheckFailed(f"the demo did not keep its contacts: {again[-400:]!r}")
    if not log.is_file():
        raise CheckFailed(f"{log} was not written")
    workbook = load_workbook(log, read_only=True)
    facts = {row[0]: row[1] for row in workbook["Run"].iter_rows(values_only=True)}
    lines = sum(1 for _ in workbook["Log"].iter_rows(min_row=2, values_only=True))
    if facts.get("App version") != VERSION or facts.get("Outcome") != "Finished":
        raise CheckFailed(f"the Run sheet says {facts!r}")
    if lines == 0:
        raise CheckFailed("the Log sheet holds no line")
    return f"{lines} log lines; Run sheet: version {facts['App version']}, Finished"


def check_window(checks: Checks, platform: str, display: str | None = None) -> str:
    """Start the window app, wait for its log to say the window is shown, SIGTERM it."""
    env, data_dir = checks.home()
    env["QT_QPA_PLATFORM"] = platform
    if display:
        env["DISPLAY"] = display
    log = data_dir / "logs" / "xerosync.log"
    started = time.monotonic()
    errors = checks.scratch / f"window-{platform}.stderr"
    with errors.open("w") as stderr:  # a file: a pipe nobody reads could fill and block it
        process = subprocess.Popen([str(checks.bundle / f"xerosync-desktop{EXE}"), "--demo",
                                    "--data-dir", str(data_dir)], env=env,
                                   stdout=stderr, stderr=stderr)
    try:
        while WINDOW_SHOWN not in (log.read_text() if log.is_file() else ""):
            if process.poll() is not None:
                raise CheckFailed(f"it ended with exit {process.returncode} before showing "
                                  f"its window: {errors.read_text()[-800:]!r}")
            if time.monotonic() - started > TIMEOUT:
                raise CheckFailed(f"no window within {TIMEOUT} s")
            time.sleep(0.05)
        shown = time.monotonic() - started
        if sys.platform == "win32":  # no SIGTERM: TerminateProcess, whose exit code is 1
            process.terminate()
            process.wait(timeout=30)
            checks.facts.append(f"window app ({platform}): shown {shown:.2f} s after start")
            return f"shown after {shown:.2f} s (Windows: terminated, not SIGTERM)"
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired as exc:
            raise CheckFailed("still running 30 s after SIGTERM") from exc
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if code != 0:
        raise CheckFailed(f"exit {code} after SIGTERM: {errors.read_text()[-800:]!r}")
    checks.facts.append(f"window app ({platform}): main window shown {shown:.2f} s after "
                        "start")
    return f"shown after {shown:.2f} s, exit 0 on SIGTERM"


def check_window_on_x11(checks: Checks) -> str | None:
    if shutil.which("Xvfb") is None:
        return "skipped: Xvfb is not installed (Debian package xvfb)"
    server = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], stdout=subprocess.PIPE, text=True)
    try:
        number = server.stdout.readline().strip()  # type: ignore[union-attr]
        if not number:
            raise CheckFailed("Xvfb did not start")
        return check_window(checks, "xcb", f":{number}")
    finally:
        server.terminate()
        server.wait()


KEYRING_SCRIPT = """
printf '%s' package-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
"""


def check_keyring(checks: Checks) -> str:
    """The frozen app finds the keyring the source tree finds: its backends' metadata came."""
    env, data_dir = checks.home()

    frozen = [str(checks.bundle / f"xerosync{EXE}")]
    source = [sys.executable, "-m", "xerosync_desktop.cli"]
    wrap: list[str] = []
    if shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"):
        # a login session's keyring: D-Bus and an unlocked GNOME Keyring of this HOME only
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        wrap = ["dbus-run-session", "--", "sh", "-c", KEYRING_SCRIPT, "sh"]

    def keyring_line(command: list[str], run_env: dict[str, str]) -> str:
        out = expect(run([*wrap, *command, "status", "--demo", "--data-dir", str(data_dir)],
                         run_env))
        return next((line for line in out.splitlines() if line.startswith("Keyring:")), "")

    seen_frozen = keyring_line(frozen, env)
    seen_source = keyring_line(source, dict(env, PYTHONPATH=str(ROOT)))
    if seen_frozen != seen_source:
        raise CheckFailed(f"the frozen app sees '{seen_frozen}', the source tree "
                          f"'{seen_source}'")
    if "none usable" in seen_frozen:
        if wrap:
            raise CheckFailed(f"no keyring, although GNOME Keyring runs: {seen_frozen}")
        return (f"{seen_frozen} (as the source tree; install gnome-keyring to check the "
                "Secret Service)")
    return seen_frozen.removeprefix("Keyring:").strip()


def check_desktop_file(checks: Checks) -> str | None:
    if shutil.which("desktop-file-validate") is None:
        return "skipped: desktop-file-validate is not installed (desktop-file-utils)"
    desktop = ROOT / "packaging" / "linux" / "com.xerosync.Desktop.desktop"
    done = run(["desktop-file-validate", str(desktop)], dict(os.environ))
    if done.returncode != 0 or done.stdout.strip():
        raise CheckFailed(done.stdout + done.stderr)
    return "valid"


def check_deb(checks: Checks) -> str:
    deb = DIST / f"xerosync-desktop_{VERSION}_amd64.deb"
    if not deb.is_file():
        raise CheckFailed(f"{deb} is missing: run `make package` on Linux")
    listing = expect(run(["dpkg-deb", "--contents", str(deb)], dict(os.environ)))
    wanted = ["./opt/xerosync-desktop/xerosync-desktop", "./opt/xerosync-desktop/xerosync",
              "./usr/bin/xerosync -> /opt/xerosync-desktop/xerosync",
              "./usr/bin/xerosync-desktop -> /opt/xerosync-desktop/xerosync-desktop",
              "./usr/share/applications/com.xerosync.Desktop.desktop",
              "./usr/share/icons/hicolor/48x48/apps/com.xerosync.Desktop.png",
              "./usr/share/icons/hicolor/scalable/apps/com.xerosync.Desktop.svg"]
    missing = [path for path in wanted if path not in listing]
    if missing:
        raise CheckFailed(f"the .deb lacks {missing}")
    depends = expect(run(["dpkg-deb", "--field", str(deb), "Depends"], dict(os.environ)))
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1"):
        if package not in depends:
            raise CheckFailed(f"Depends lacks {package}: {depends}")
    checks.facts.append(f"{deb.name}: {deb.stat().st_size / 2**20:.1f} MiB")
    return f"Depends: {depends.strip()[:90]}..."


def check_tarball_install(checks: Checks) -> str:
    tarball = DIST / f"xerosync-desktop-{VERSION}-linux-x86_64.tar.gz"
    if not tarball.is_file():
        raise CheckFailed(f"{tarball} is missing: run `make package` on Linux")
    env, _ = checks.home()
    unpacked = checks.scratch / "Applications"
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="tar")
    folder = unpacked / f"xerosync-desktop-{VERSION}"
    expect(run(["sh", str(folder / "install.sh")], env))
    home = Path(env["HOME"])
    entry = home / ".local/share/applications/com.xerosync.Desktop.desktop"
    icon = home / ".local/share/icons/hicolor/256x256/apps/com.xerosync.Desktop.png"
    if not entry.is_file() or not icon.is_file():
        raise CheckFailed("install.sh did not add the menu entry and the icon")
    if f'Exec="{folder}/xerosync-desktop"' not in entry.read_text():
        raise CheckFailed(f"the menu entry does not start {folder}: {entry.read_text()}")
    if shutil.which("desktop-file-validate"):
        expect(run(["desktop-file-validate", str(entry)], env))
    out = expect(run([str(home / ".local/bin/xerosync"), "--version"], env))
    if out.strip() != f"xerosync {VERSION}":
        raise CheckFailed(f"~/.local/bin/xerosync printed {out!r}")
    expect(run(["sh", str(folder / "install.sh"), "--uninstall"], env))
    if entry.exists() or icon.exists() or (home / ".local/bin/xerosync").exists():
        raise CheckFailed("install.sh --uninstall left the menu entry, icon or command")
    checks.facts.append(f"{tarball.name}: {tarball.stat().st_size / 2**20:.1f} MiB")
    return "menu entry, icons and ~/.local/bin added, then removed"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    bundle = Path(sys.argv[1]) if len(sys.argv) > 1 else DIST / "xerosync-desktop"
    if not (bundle / f"xerosync{EXE}").is_file():
        print(f"No bundle at {bundle}: run `make package` first.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="xerosync-package-test-") as scratch:
        checks = Checks(bundle, Path(scratch))
        checks.run("xerosync --version", lambda: check_version(checks))
        checks.run("xerosync status --demo", lambda: check_status(checks))
        checks.run("xerosync sync --demo --dry-run", lambda: check_dry_run(checks))
        checks.run("xerosync sync --demo --log", lambda: check_sync_with_log(checks))
        checks.run("window app, offscreen", lambda: check_window(checks, "offscreen"))
        checks.run("window app, X11 (Xvfb)", lambda: check_window_on_x11(checks))
        checks.run("keyring", lambda: check_keyring(checks))
        if sys.platform.startswith("linux"):
            checks.run(".desktop file", lambda: check_desktop_file(checks))
            checks.run(".deb", lambda: check_deb(checks))
            checks.run("tarball and install.sh", lambda: check_tarball_install(checks))
    print(f"\nbundle {bundle}: {folder_size(bundle) / 2**20:.0f} MiB")
    for fact in checks.facts:
        print(fact)
    if checks.failed:
        print(f"\n{len(checks.failed)} check(s) failed: {', '.join(checks.failed)}")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
