"""newsradar: the shared package (records, settings, CLI, query language, local stack)."""

__version__ = "0.1.0"
