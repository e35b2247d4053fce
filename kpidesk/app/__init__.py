"""The use cases, no Qt: what a user does to a company (open it, import, export)."""
