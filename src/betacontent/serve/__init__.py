"""The read-only JSON API: published documents, the application, search, export."""
