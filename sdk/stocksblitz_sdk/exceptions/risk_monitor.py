"""The live monitor's refusal (risk/monitor_errors.py on the server)."""

from ._base import APIError

__all__ = ["RiskReducingOnlyError"]


class RiskReducingOnlyError(APIError):
    """The monitor set the account or strategy to REDUCING after a breach: only reducing orders pass today."""

    code = "RISK_REDUCING_ONLY"
