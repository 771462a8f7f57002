"""The live monitor's refusal (risk/monitor_stage.py)."""

from __future__ import annotations

from oms_project.lib.errors import Conflict, DomainError, InvalidInput


class RiskReducingOnly(DomainError):
    """The monitor saw a breach (margin utilisation, Greeks, a strategy's loss cap): only reducing orders pass."""

    code = "RISK_REDUCING_ONLY"
    http_status = 422
    default_message = "The risk monitor put this account or strategy in REDUCING: only reducing orders are accepted."


class RiskStatusNotReducing(Conflict):
    code = "RISK_STATUS_NOT_REDUCING"
    default_message = "This account or strategy is not in REDUCING today."


class PositionGuardsInvalid(InvalidInput):
    code = "RISK_GUARDS_INVALID"
    default_message = "The position guards are not valid."
