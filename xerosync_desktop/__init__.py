"""xerosync-desktop: sync TimeSolv clients into Xero as contacts.

Public API: __version__, read_version().

One version, the one in pyproject.toml: read from the installed package's metadata, which
an install (`pip install -e .`) writes from pyproject.toml and the packaged build carries
along (the PyInstaller spec copies it), so `xerosync --version`, About and every log
workbook's Run sheet quote the same number as the installer's file name.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "xerosync-desktop"
UNKNOWN_VERSION = "0+unknown"


def read_version(distribution: str = DISTRIBUTION) -> str:
    """The installed version; UNKNOWN_VERSION for a checkout that was never installed.

    Never a number typed here, which would drift from pyproject.toml: a copy with no
    metadata says so rather than quote a version it may not be.
    """
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


__version__ = read_version()
