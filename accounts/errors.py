from oms_project.lib.errors import Conflict, DomainError, NotFound


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"
    default_message = "No such trading account."


class AccountInactive(DomainError):
    code = "ACCOUNT_INACTIVE"
    http_status = 409
    default_message = "This trading account is disabled."


class KiteLoginRequired(DomainError):
    code = "KITE_LOGIN_REQUIRED"
    http_status = 409
    default_message = "This Kite account has no valid session today; log in to Kite again."


class ApiKeyNotFound(NotFound):
    code = "API_KEY_NOT_FOUND"
    default_message = "No such API key."


class DuplicateAccountName(Conflict):
    code = "DUPLICATE_ACCOUNT_NAME"
    default_message = "You already have an account with this name."
