"""xero package."""
