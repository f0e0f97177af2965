"""`python -m xerosync_desktop.sandbox` as a process: first line, SIGTERM, refused host."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    pass

LINE = re.compile(r"^Xero sandbox listening on (http://127\.0\.0\.1:(\d+))\n$")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "xerosync_desktop.sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name != "posix", reason="signals as on POSIX")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_process_prints_its_url_first_and_stops_cleanly(
        stop_signal: signal.Signals, tmp_path: Path) -> None:
    process = _start("--port", "0", "--data", "empty", "--state", str(tmp_path / "s.json"))
    try:
        first = process.stdout.readline()
        match = LINE.match(first)
        assert match, first
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(match.group(1) + "/connections", timeout=5)
        assert caught.value.code == 401
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_non_loopback_host_is_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "xerosync_desktop.sandbox", "--host",
                             "0.0.0.0"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "0.0.0.0" in result.stderr
