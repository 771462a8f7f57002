"""The SDK mirrors the API's errors: every server error code has its own exception class."""

import importlib
import pkgutil

import accounts
import alerts
import housekeeping
import margin
import marketdata
import orders
import portfolio
import risk
from oms_project.lib.errors import DomainError
from stocksblitz_sdk.exceptions import StocksBlitzError, exception_for_code


def _import_all(package) -> None:
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in module.name or ".management" in module.name:
            continue
        importlib.import_module(module.name)


def _subclasses(klass):
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_error_code_has_an_sdk_exception():
    for package in (accounts, marketdata, alerts, portfolio, margin, risk, orders):
        _import_all(package)
    # Errors a test defines for itself (e.g. a stand-in stage's code) are not API codes.
    codes = {klass.code for klass in _subclasses(DomainError) if not klass.__module__.startswith("tests.")}
    assert len(codes) > 40
    missing = sorted(code for code in codes if exception_for_code(code) is None)
    assert missing == [], f"SDK exceptions missing for: {missing}"
    assert all(issubclass(exception_for_code(code), StocksBlitzError) for code in codes)
