"""excel package."""
