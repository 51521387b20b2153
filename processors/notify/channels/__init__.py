"""The channel registry. Registering a channel is ONE line in :data:`CHANNEL_MODULES`:
the module defines a :class:`~processors.notify.channels.base.Channel` subclass (its name
and options live on the class) and exposes it as ``CHANNEL``.

Modules are imported on first use, so a channel's library loads only when needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from functools import cache

from newsradar.settings import Settings
from processors.notify.channels.base import Channel, DeliveryError, PermanentDeliveryError
from processors.notify.model import ChannelTarget

CHANNEL_MODULES: tuple[str, ...] = (
    "processors.notify.channels.webhook",
    "processors.notify.channels.smtp",
    "processors.notify.channels.chat",
)

__all__ = [
    "CHANNEL_MODULES",
    "Channel",
    "DeliveryError",
    "PermanentDeliveryError",
    "build_channels",
    "channel_classes",
    "check_targets",
]


@cache
def channel_classes() -> Mapping[str, type[Channel]]:
    classes: dict[str, type[Channel]] = {}
    for module_name in CHANNEL_MODULES:
        cls = importlib.import_module(module_name).CHANNEL
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            raise TypeError(f"{module_name}.CHANNEL is not a Channel subclass")
        if cls.name in classes:
            raise ValueError(f"channel name {cls.name!r} registered twice")
        classes[cls.name] = cls
    return classes


def build_channels(settings: Settings) -> dict[str, Channel]:
    """One instance of every registered channel, configured from ``settings``."""
    return {name: cls(settings) for name, cls in channel_classes().items()}


def check_targets(targets: Iterable[ChannelTarget]) -> list[str]:
    """What is wrong with a subscription's targets: unknown channels, missing options."""
    classes = channel_classes()
    problems: list[str] = []
    for target in targets:
        cls = classes.get(target.channel)
        if cls is None:
            known = ", ".join(sorted(classes))
            problems.append(f"unknown channel {target.channel!r} (known: {known})")
        else:
            problems += cls.check_options(target.options)
    return problems
