"""Logging: one rotating file per user, with a filter that blanks anything shaped like a secret.

Public API: setup_logging(), RedactingFilter, QuietFileHandler, redact().

Code never logs tokens, codes, verifiers or headers; the filter is the safety net. A log file
that cannot be written (a full disk, a read-only folder) never stops the app and never
prints logging's "--- Logging error ---" traceback on stderr: the record is dropped.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "xerosync.log"
CLI_LOG_FILE_NAME = "xerosync-cli.log"

_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),  # JWT
    re.compile(r"(?i)(bearer\s+)[^\s'\",]+"),
    re.compile(r"(?i)((?:access|refresh|id)_token|code_verifier|client_secret)"
               r"(['\"]?\s*[=:]\s*['\"]?)[^&\s'\",}]+"),
    re.compile(r"(?i)(\b(?:code|token|state)=)()[^&\s'\",}]+"),
)


def redact(text: str) -> str:
    """`text` with every token-shaped value replaced by `[redacted]`."""
    text = _PATTERNS[0].sub("[redacted]", text)
    text = _PATTERNS[1].sub(r"\1[redacted]", text)
    for pattern in _PATTERNS[2:]:
        text = pattern.sub(r"\1\2[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact()`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = redact(message)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


class QuietFileHandler(RotatingFileHandler):
    """The rotating log file, opened at the first record; a failed write drops its record.

    The file is closed after a failure and opened again for the next record, so logging
    resumes once space is freed, without the unwritten bytes of the failed one.
    """

    def handleError(self, record: logging.LogRecord) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            with suppress(OSError, ValueError):
                stream.close()


def setup_logging(log_dir: Path, level: int = logging.INFO,
                  file_name: str = LOG_FILE_NAME) -> Path:
    """Send logging to `log_dir/file_name` (1 MB x 5); returns the file's path.

    The app and `xerosync` write separate files: a rotating file shared by two processes
    breaks on rotation (Windows refuses to rename an open file).
    """
    with suppress(OSError):  # no folder: the handler drops each record, quietly
        log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / file_name
    handler = QuietFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8",
                               delay=True)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(level)
    for old in [h for h in root.handlers if getattr(h, "_xerosync", False)]:
        root.removeHandler(old)
        old.close()
    handler._xerosync = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in ("xero_python", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
