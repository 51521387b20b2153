"""The channel plugin contract: a name, the options it needs, and ``send``.

A channel turns one :class:`~processors.notify.message.Message` into one delivery. It
raises :class:`DeliveryError` when the attempt failed and may succeed later (timeouts,
5xx, refused connections) and :class:`PermanentDeliveryError` when retrying cannot help
(bad options, 4xx, a refused recipient). Retries, backoff and recording are not the
channel's business: :mod:`processors.notify.deliver` does them the same way for all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from newsradar.settings import Settings
from processors.notify.message import Message


class DeliveryError(Exception):
    """This attempt failed; another attempt may succeed."""

    retryable: ClassVar[bool] = True


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: the delivery is recorded as failed at once."""

    retryable: ClassVar[bool] = False


class Channel(ABC):
    #: The name subscriptions use (``{"channel": "webhook", ...}``).
    name: ClassVar[str]
    #: Options every target of this channel must set.
    required_options: ClassVar[frozenset[str]] = frozenset()
    #: Options a target may set besides the required ones.
    optional_options: ClassVar[frozenset[str]] = frozenset()
    #: Options never printed (``--dry-run``, logs).
    secret_options: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout_s = settings.notify_timeout_s

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        """What is wrong with a target's options (empty: nothing)."""
        problems = [
            f"{cls.name}: missing option {name!r}"
            for name in sorted(cls.required_options)
            if not str(options.get(name, "")).strip()
        ]
        known = cls.required_options | cls.optional_options
        problems += [
            f"{cls.name}: unknown option {name!r}" for name in sorted(set(options) - known)
        ]
        return problems

    @classmethod
    def redact(cls, options: Mapping[str, str]) -> dict[str, str]:
        return {k: ("***" if k in cls.secret_options else v) for k, v in options.items()}

    @abstractmethod
    def send(self, message: Message, options: Mapping[str, str]) -> None:
        """Deliver ``message``; raise :class:`DeliveryError` on failure."""

    def close(self) -> None:  # noqa: B027 - most channels keep nothing open
        """Release what the channel keeps between deliveries (connections)."""
