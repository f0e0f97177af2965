"""Drive the app through the seed flow offscreen and save a screenshot of each step.

    .venv/bin/python packaging/capture_screenshots.py [OUT_DIR]

Runs on the embedded demo in a throwaway data folder, with three contacts added that are
typed otherwise than their TimeSolv clients (so the Mapping tab shows Possible matches); the
demo signs itself in at start (a browser sign-in would be followed over HTTP instead of
opening a browser); the app's questions are answered Sync / Yes. Screenshots go to
packaging/screenshots/ by default.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtGui import QDesktopServices  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from xerosync_desktop.bootstrap import build_demo  # noqa: E402
from xerosync_desktop.core.model import Status  # noqa: E402
from xerosync_desktop.gui.main_window import MainWindow  # noqa: E402
from xerosync_desktop.paths import AppPaths  # noqa: E402
from xerosync_desktop.sandbox.seed import DEMO_US_TENANT_ID  # noqa: E402

NEAR_MISSES = (("Northgate Logistics", "ap@northgate.example"), ("Patel, Jasmine", ""),
               ("Lakeside Veterinary Clinc", ""))


def follow(url: object) -> bool:
    text = url.toString()  # type: ignore[attr-defined]
    threading.Thread(target=lambda: urllib.request.urlopen(text, timeout=10).read(),
                     daemon=True).start()
    return True


def wait_for(signal: object, timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    signal.connect(lambda *_: loop.quit())  # type: ignore[attr-defined]
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


class Answer(QObject):
    """Answers the app's questions as a user would: Sync (and Yes to Confirm Mappings);
    the first Sync question is photographed before it is answered."""

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.out = out
        self.shots = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and isinstance(watched, QMessageBox):
            QTimer.singleShot(200, lambda: self._answer(watched))
        return False

    def _answer(self, box: QMessageBox) -> None:
        if box.windowTitle() == "Sync to Xero" and not self.shots:
            self.shots += 1
            shot(box, self.out, "14-sync-question.png")
        for button in box.buttons():
            if button.text() in ("Sync", "Sync the rest", "&Yes", "Yes"):
                button.click()
                return


def shot(widget: QWidget, out: Path, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(out / name))
    print(out / name)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl = follow  # type: ignore[method-assign]
    app = QApplication([])
    answer = Answer(out)
    app.installEventFilter(answer)
    with tempfile.TemporaryDirectory() as root:
        ctx = build_demo(AppPaths.under(Path(root)))
        assert ctx.sandbox is not None
        for name, email in NEAR_MISSES:  # contacts typed otherwise in Xero: Possible matches
            ctx.sandbox.add_contact(DEMO_US_TENANT_ID, Name=name, EmailAddress=email or None)
        window = MainWindow(ctx)
        window.resize(1200, 760)
        window.show()
        shot(window, out, "1-setup-not-connected.png")  # the demo signing itself in
        if not window.setup_tab.connected:
            wait_for(window.setup_tab.connect_finished)
        window.setup_tab.enable_checkbox.setChecked(True)
        window.setup_tab.save_button.click()
        wait_for(window.setup_tab.settings_saved)  # the client file is read first
        shot(window, out, "2-setup-saved.png")
        window.setup_tab.review_button.click()
        wait_for(window.mapping_tab.review_loaded)
        shot(window, out, "3-mapping-review.png")
        mapping = window.mapping_tab
        mapping.show_status(Status.POSSIBLE_MATCH)
        mapping.table.selectRow(0)
        shot(window, out, "12-mapping-possible-matches.png")
        mapping.show_status(None)
        mapping.confirm_button.click()
        wait_for(mapping.confirm_finished)
        shot(window, out, "4-mapping-confirmed.png")
        window.tabs.setCurrentWidget(window.sync_tab)
        wait_for(window.sync_tab.preview_shown)
        shot(window, out, "13-sync-preview.png")
        window.sync_tab.sync_button.click()
        wait_for(window.sync_tab.history.log_shown)  # the run's whole log, once it has ended
        shot(window, out, "5-sync-finished.png")
        window.tabs.setCurrentWidget(window.setup_tab)
        box = window.setup_tab.xero_app_box
        box.real_radio.setChecked(True)
        box.client_id_edit.setText("0123456789ABCDEF0123456789ABCDEF")
        shot(window, out, "6-setup-own-xero-app.png")
        help_menu = window.help_menu
        help_menu.show_help()
        assert help_menu.help_dialog is not None
        shot(help_menu.help_dialog, out, "15-help.png")
        help_menu.show_about()
        assert help_menu.about_dialog is not None
        shot(help_menu.about_dialog, out, "16-about.png")
        window.close()
        ctx.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
