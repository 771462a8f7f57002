"""Alert refusals, each with a stable API code."""

from __future__ import annotations

from oms_project.lib.errors import Conflict, DomainError, InvalidInput, NotFound


class AlertNotFound(NotFound):
    code = "ALERT_NOT_FOUND"
    default_message = "Alert not found."


class AlertAlreadyResponded(Conflict):
    code = "ALERT_ALREADY_RESPONDED"
    default_message = "This alert has already been answered."


class AlertExpired(Conflict):
    code = "ALERT_EXPIRED"
    default_message = "This alert has expired and can no longer be answered."


class AlertActionInvalid(DomainError):
    code = "ALERT_ACTION_INVALID"
    http_status = 400
    default_message = "That action is not offered by this alert."


class AlertTypeInvalid(InvalidInput):
    code = "ALERT_TYPE_INVALID"
    default_message = "Unknown alert type or level."
