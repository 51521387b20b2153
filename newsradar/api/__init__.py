"""The subscriptions HTTP API: ``create_app(settings)``; served by ``newsradar api``."""

from newsradar.api.app import Store, create_app

__all__ = ["Store", "create_app"]
