"""The window app's start script in the packaged build (PyInstaller runs a script, not an
entry point): `[project.gui-scripts] xerosync-desktop`."""

import sys

from xerosync_desktop.gui.app import main

sys.exit(main())
