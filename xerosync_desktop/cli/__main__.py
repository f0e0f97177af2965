"""`python -m xerosync_desktop.cli`: the headless `xerosync` command."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
