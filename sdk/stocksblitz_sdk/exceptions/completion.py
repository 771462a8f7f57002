"""Exceptions of completion policies (orders/errors.py on the server; docs/completion-policies.md)."""

from ._base import ConflictError, ValidationError

__all__ = ["CompletionPolicyInvalidError", "CompletionNotApplicableError"]


class CompletionPolicyInvalidError(ValidationError):
    """The policy's settings do not fit together (e.g. `after_chase` without `unfilled_action="CHASE"`); the
    field is in `details["field"]`."""

    code = "COMPLETION_POLICY_INVALID"


class CompletionNotApplicableError(ConflictError):
    """A completion policy applies to working LIMIT entries and exits, and not after the order's policy ended."""

    code = "COMPLETION_NOT_APPLICABLE"
