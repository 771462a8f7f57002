"""Archived rows, as the working views of lower apps leave them out, without importing housekeeping.

Housekeeping archives finished orders (a day old, or the day's at the end of the day) and settled positions
(docs/housekeeping.md, "Archiving"). What it knows lives in its own tables; the order core's working views
(order book, `GET /api/v1/orders/`, positions page and `GET /api/v1/positions/`) call `hide_archived(kind, qs)`
unless the caller asked for archived rows too (`include_archived`). Housekeeping registers one filter per
kind in its `ready()` (`register`); without one (an app test without housekeeping) nothing is hidden.
Plain Python, no Django import: a filter takes a queryset and returns it narrowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ORDERS = "orders"
POSITIONS = "positions"

Filter = Callable[[Any], Any]
_filters: dict[str, Filter] = {}


def register(kind: str, hide: Filter) -> None:
    """Called once per kind by housekeeping; registering again replaces the filter."""
    _filters[kind] = hide


def hide_archived(kind: str, queryset: Any) -> Any:
    """`queryset` without the archived rows of `kind` (unchanged when nothing is registered)."""
    hide = _filters.get(kind)
    return hide(queryset) if hide is not None else queryset
