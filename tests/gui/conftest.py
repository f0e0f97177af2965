"""Fixtures of the GUI tests that drive a whole main window on the demo sandbox."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from gui_helpers import Answerer
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from xerosync_desktop.bootstrap import AppContext, build_demo
from xerosync_desktop.gui.main_window import MainWindow
from xerosync_desktop.logsetup import setup_logging
from xerosync_desktop.paths import AppPaths
from xerosync_desktop.sandbox import XeroSandbox


@pytest.fixture(autouse=True)
def answerer(qapp: QApplication) -> Iterator[Answerer]:
    """Sync to Xero's question answered 'Sync' unless a test says otherwise."""
    answering = Answerer()
    qapp.installEventFilter(answering)
    yield answering
    qapp.removeEventFilter(answering)


@pytest.fixture
def ctx(paths: AppPaths, sandbox: XeroSandbox) -> Iterator[AppContext]:
    context = build_demo(paths, sandbox_url=sandbox.url)
    yield context
    context.close()


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    setup_logging(ctx.paths.log_dir, level=logging.DEBUG)  # as the app does, and chattier
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    return main
