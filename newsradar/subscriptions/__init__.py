"""Subscriptions: saved queries, stored durably in the compacted Kafka topic
``subscriptions`` — the one source of truth the CLI, the HTTP API and every worker share.

A write is a Kafka produce (acks=all); a worker follows the topic and applies each change
to its in-memory query index within a second, without a restart.
"""

from newsradar.subscriptions.model import SubscriptionError, new_subscription, validate_query
from newsradar.subscriptions.store import SubscriptionStore

__all__ = ["SubscriptionError", "SubscriptionStore", "new_subscription", "validate_query"]
