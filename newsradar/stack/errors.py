from __future__ import annotations


class StackError(RuntimeError):
    """A local service could not be obtained, started or stopped; the message says why."""
