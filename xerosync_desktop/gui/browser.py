"""Opening an address in a web browser, as the user's environment asks.

Public API: open_in_browser(), browser_commands().

`BROWSER`, when set, wins on every platform, read as Python's webbrowser and xdg-open read
it: commands separated by os.pathsep (':' on Linux and macOS, ';' on Windows), each run
with the address in place of `%s`, or after its words; the first whose program is found
is started, detached. Without it the system's default browser opens (QDesktopServices:
xdg-open or the desktop's own on Linux, the default browser on macOS and Windows). A
browser that was started may still not show the page (the command failed, there is no
display), so the caller shows the address as well, to copy.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices

NO_BROWSER_TEXT = "No web browser could be opened on this computer."


def browser_commands(value: str, url: str, windows: bool = os.name == "nt") -> list[list[str]]:
    """The commands a BROWSER value names, each with the address in its place."""
    commands = []
    for entry in value.split(";" if windows else ":"):
        try:
            words = [w.strip('"') for w in shlex.split(entry, posix=not windows)]
        except ValueError:  # an unclosed quote: not a command
            continue
        if not words or not words[0]:
            continue
        if any("%s" in word for word in words[1:]):
            commands.append([words[0]] + [word.replace("%s", url) for word in words[1:]])
        else:
            commands.append(words + [url])
    return commands


def open_in_browser(url: str, environ: Mapping[str, str] = os.environ) -> str:
    """Start a browser on `url`: '' when one was started, else the sentence saying why not."""
    value = environ.get("BROWSER", "").strip()
    if value:
        for program, *arguments in browser_commands(value, url):
            found = shutil.which(program)
            if found and QProcess.startDetached(found, arguments)[0]:
                return ""
        return f"No program named in BROWSER ({value}) could be started."
    return "" if QDesktopServices.openUrl(QUrl(url)) else NO_BROWSER_TEXT
