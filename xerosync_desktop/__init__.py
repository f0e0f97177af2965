"""xerosync-desktop: sync TimeSolv clients into Xero as contacts."""

__version__ = "0.1.0"
