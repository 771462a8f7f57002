"""The live monitor's refusal (risk/monitor_errors.py on the server)."""

from ._base import APIError, ConflictError, ValidationError

__all__ = ["PositionGuardsInvalidError", "RiskReducingOnlyError", "RiskStatusNotReducingError"]


class RiskReducingOnlyError(APIError):
    """The monitor set the account or strategy to REDUCING after a breach: only reducing orders pass today."""

    code = "RISK_REDUCING_ONLY"


class RiskStatusNotReducingError(ConflictError):
    """Releasing a REDUCING status that is not (or no longer) REDUCING today."""

    code = "RISK_STATUS_NOT_REDUCING"


class PositionGuardsInvalidError(ValidationError):
    """Per-position guards with a negative or non-numeric target, stop or timeout."""

    code = "RISK_GUARDS_INVALID"
