"""The desktop app's entry point: arguments, logging, the composition root, the window.

Public API: main(), parse_args(), Shell.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from .. import __version__
from ..bootstrap import AppContext, build_context
from ..errors import UserError
from ..logsetup import setup_logging
from ..paths import AppPaths, data_folder_error, resource_path
from ..store import Store, XeroApp
from .dialogs import install_excepthook, show_error
from .main_window import MainWindow
from .platform_check import PLATFORM_UNAVAILABLE, window_problem
from .responsiveness import keep_window_responsive

log = logging.getLogger(__name__)
DESKTOP_FILE_NAME = "com.xerosync.Desktop"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="xerosync-desktop",
                                     description="Sync TimeSolv clients to Xero as contacts.")
    parser.add_argument("--demo", action="store_true",
                        help="use the embedded demo Xero and sample clients (the default "
                             "until real Xero is chosen in Setup)")
    parser.add_argument("--data-dir", type=Path,
                        help="keep data and logs under this folder instead of the user's")
    parser.add_argument("--sandbox", metavar="URL",
                        help="use a Xero sandbox already running at URL")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def _quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl+C and SIGTERM quit as *Stop after the call in flight and quit* does, unasked.

    Whoever sends them (a terminal, a logout, a service manager) cannot answer a question,
    and one would keep the app from ending: so any open dialog is dismissed, a sync stops
    after the call to Xero in flight (as `xerosync sync` does on these signals), and the
    window closes once it has, with the exit status 0. Nothing is lost.

    Python runs signal handlers only between bytecodes, so a timer (returned) hands it
    control now and then while Qt's event loop waits.
    """

    def quit_app(*_: object) -> None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible()]
        for dialog in (w for w in shown if isinstance(w, QDialog)):
            dialog.reject()  # its exec() returns once this handler has
        windows = [w for w in shown if isinstance(w, MainWindow)]
        for window in windows:
            window.quit_after_call_in_flight()
        if not windows:
            app.quit()

    for number in (signal.SIGINT, signal.SIGTERM):
        # the handler runs between any two bytecodes of the GUI thread, maybe inside a
        # slot: it only asks the event loop to quit the app once that slot has returned
        signal.signal(number, lambda *_: QTimer.singleShot(0, quit_app))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


class Shell:
    """Owns the one context and window; rebuilds both when Setup picks another Xero."""

    def __init__(self, paths: AppPaths, ctx: AppContext) -> None:
        self.paths = paths
        self.ctx = ctx
        self.window = self._open(ctx)

    def _open(self, ctx: AppContext) -> MainWindow:
        window = MainWindow(ctx)
        window.xero_app_requested.connect(self._switch)
        return window

    def _switch(self, choice: object) -> None:
        assert isinstance(choice, XeroApp)
        with Store(self.paths.database) as store:
            store.settings.save_xero_app(choice)
        log.info("switching to %s", "the demo Xero" if choice.demo else "real Xero")
        old_window = self.window
        old_window.shutdown()  # its jobs are cancelled and waited for
        self.ctx.close()
        try:
            self.ctx = build_context(self.paths)
        except UserError as exc:
            show_error(None, exc.message)
            QApplication.quit()
            return
        self.window = self._open(self.ctx)
        self.window.restoreGeometry(old_window.saveGeometry())
        self.window.show()  # before the old one closes, or the app would quit
        old_window.close()
        old_window.deleteLater()

    def close(self) -> None:
        self.ctx.close()


def _window_problem() -> str | None:
    """The start-up check; if the check itself fails (a folder it may not read, say), Qt is
    left to decide, as it would be without the check."""
    try:
        return window_problem()
    except Exception:  # noqa: BLE001 - never let the check stop a start Qt might manage
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if QApplication.instance() is None and (problem := _window_problem()):
        print(problem, file=sys.stderr)  # Qt would abort the process without saying why
        return PLATFORM_UNAVAILABLE
    paths = AppPaths.under(args.data_dir) if args.data_dir else AppPaths.default()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    try:
        paths.ensure()
    except OSError as exc:
        print(data_folder_error(paths, exc), file=sys.stderr)
        show_error(None, data_folder_error(paths, exc))
        return 1
    setup_logging(paths.log_dir)
    log.info("xerosync-desktop %s starting; data in %s", __version__, paths.data_dir)
    app.setApplicationName("xerosync-desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    icon = resource_path("icons", "xerosync.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    install_excepthook(paths.log_dir)
    ctx = None
    try:
        ctx = build_context(paths, demo=args.demo, sandbox_url=args.sandbox)
        shell = Shell(paths, ctx)
    except UserError as exc:
        show_error(None, exc.message)
        if ctx is not None:
            ctx.close()
        return 1
    shell.window.show()
    keep_window_responsive()
    log.info("main window shown")
    _quit_on_signals(app)
    try:
        return app.exec()
    finally:
        shell.close()
        log.info("xerosync-desktop stopped")
