"""Housekeeping refusals, each with a stable API code (the SDK has one exception class per code)."""

from __future__ import annotations

from oms_project.lib.errors import Conflict, DomainError, NotFound


class BrokerPaused(DomainError):
    """Placement on this broker account is paused: its last health checks failed (reachability, token,
    latency). It resumes by itself when a check passes."""

    code = "BROKER_PAUSED"
    http_status = 503
    default_message = "Order placement on this broker account is paused: the broker is not answering properly."


class JobUnknown(NotFound):
    code = "HOUSEKEEPING_JOB_UNKNOWN"
    default_message = "No housekeeping job by that name."


class JobBusy(Conflict):
    code = "HOUSEKEEPING_JOB_BUSY"
    default_message = "This job is running right now; try again when it finishes."


class MismatchNotFound(NotFound):
    code = "MISMATCH_NOT_FOUND"
    default_message = "Mismatch not found."


class MismatchNotAdoptable(Conflict):
    code = "MISMATCH_NOT_ADOPTABLE"
    default_message = "This mismatch cannot be resolved by adopting the broker's state."


class OrderNotOrphaned(Conflict):
    code = "ORDER_NOT_ORPHANED"
    default_message = "This order is not listed as orphaned."
