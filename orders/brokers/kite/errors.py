from oms_project.lib.errors import DomainError


class KitePostbackChecksumInvalid(DomainError):
    code = "KITE_POSTBACK_CHECKSUM_INVALID"
    http_status = 403
    default_message = "The postback's checksum does not match any Kite account."


class KitePostbackInvalid(DomainError):
    code = "KITE_POSTBACK_INVALID"
    http_status = 400
    default_message = "The postback body is not a Kite order update."


class KiteLoginStateInvalid(DomainError):
    code = "KITE_LOGIN_STATE_INVALID"
    http_status = 400
    default_message = "This Kite login link is invalid or has expired; start the login again."


class KiteLoginFailed(DomainError):
    code = "KITE_LOGIN_FAILED"
    http_status = 400
    default_message = "Kite did not complete the login."


class KiteAccountRequired(DomainError):
    code = "KITE_ACCOUNT_REQUIRED"
    http_status = 400
    default_message = "This action needs a Kite account."


class KiteBrokerError(DomainError):
    """A broker failure surfaced to a page (login exchange, instrument refresh)."""

    code = "KITE_BROKER_ERROR"
    http_status = 502
    default_message = "Kite refused or did not answer."
