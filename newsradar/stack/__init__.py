"""The local services: a real Kafka broker and a real Elasticsearch node on loopback.

Artifacts come from Maven Central through ``mvn`` and are cached under
``Settings.cache``; data, logs and pid files live under ``Settings.home``.
"""

from newsradar.stack.errors import StackError

__all__ = ["StackError"]
