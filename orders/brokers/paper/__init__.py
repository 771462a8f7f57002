"""The paper broker: a venue on the simulated market (`venue.PaperVenue`) and its adapter (`broker.PaperBroker`)."""

from __future__ import annotations

from typing import Any

__all__ = ["PaperVenue", "PaperBroker", "margin_estimate"]


def __getattr__(name: str) -> Any:  # lazy: orders.models imports this package's models at app loading
    if name in ("PaperVenue", "margin_estimate"):
        from . import venue

        return getattr(venue, name)
    if name == "PaperBroker":
        from .broker import PaperBroker

        return PaperBroker
    raise AttributeError(name)
