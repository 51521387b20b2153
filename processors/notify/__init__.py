"""The notifier stage: reads the ``alerts`` topic and delivers each alert to its
subscription's channels (webhook, email, chat through apprise).

The logic is pure and testable without Kafka: :func:`deliver_batch` takes decoded alerts,
the delivery state and the channels; :mod:`processors.notify.consumer` is a thin Kafka loop
around it.
"""

from processors.notify.deliver import BatchReport, Outcome, RetryPolicy, deliver_batch
from processors.notify.model import (
    ChannelTarget,
    DeliveryLookup,
    Mode,
    RecordLookup,
    SubscriptionDelivery,
)
from processors.notify.state import NotifyState

__all__ = [
    "BatchReport",
    "ChannelTarget",
    "DeliveryLookup",
    "Mode",
    "NotifyState",
    "Outcome",
    "RecordLookup",
    "RetryPolicy",
    "SubscriptionDelivery",
    "deliver_batch",
]
