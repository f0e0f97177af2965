"""timesolv package."""
