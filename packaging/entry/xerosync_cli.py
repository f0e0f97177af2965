"""The command's start script in the packaged build: `[project.scripts] xerosync`."""

import sys

from xerosync_desktop.cli import main

sys.exit(main())
