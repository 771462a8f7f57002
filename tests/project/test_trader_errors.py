"""Errors in trader language (#14): no codes or field dumps, a suggestion where there is one."""

from __future__ import annotations

from django.template import Context, Template

from oms_project.lib.trader_errors import explain, humanise


def test_tick_size_mismatch_reads_like_a_trader():
    err = explain({"code": "TICK_SIZE_MISMATCH",
                   "message": "Price 25999.43 is not a multiple of the tick size 0.0500; try 25999.40 or 25999.45.",
                   "details": {"field": "price", "tick_size": "0.0500"}})
    assert err.title == "Price is not on the tick grid"
    assert err.message == "This contract moves in steps of ₹0.05."
    assert err.suggestion == "Try 25,999.40 or 25,999.45."


def test_freeze_limit_offers_the_split_control():
    err = explain({"code": "FREEZE_QUANTITY_EXCEEDED", "message": "... send it with auto_slice=true ...",
                   "details": {"quantity": 1950, "freeze_quantity": 1800, "slices_needed": 2}})
    assert err.action == "split" and err.action_value == 2
    assert "auto_slice" not in err.message + err.suggestion
    assert "1,950 units" in err.message


def test_a_duplicate_offers_place_it_again_without_the_api_flag():
    err = explain({"code": "DUPLICATE_ORDER",
                   "message": "You placed the same order (#7: BUY 75 NIFTY26DECFUT) 0.6 s ago. Send it again with "
                              "confirm_duplicate=true if you mean it.",
                   "details": {"duplicate_of": 7, "window_seconds": 5.0}})
    assert err.action == "confirm_duplicate"
    assert err.message == "You placed the same order (#7) 0.6 s ago."
    assert "confirm_duplicate" not in err.message + err.suggestion
    html = Template("{% load oms_errors %}{% trader_error e testid='order-error' %}").render(Context({"e": err}))
    assert 'data-testid="confirm-duplicate"' in html and "Place it again" in html


def test_field_names_become_words_and_numbers_are_grouped():
    text = humanise("A LIMIT order takes no trigger_price (got 25999.4); order #12345 on 26 Nov 2026 at 09:15.")
    assert "trigger price" in text and "25,999.4" in text
    assert "#12345" in text and "2026" in text and "09:15" in text
    assert humanise("Order #4 SELL 60 X filled at 27930.00.") == "Order #4 SELL 60 X filled at 27,930.00."


def test_component_never_shows_the_code():
    html = Template("{% load oms_errors %}{% trader_error e testid='order-error' %}").render(Context({"e": {
        "code": "PRICE_OUT_OF_BAND", "message": "Price 30000 is outside today's band 23,400.00–28,600.00.",
        "details": {"field": "price", "lower": "23400.00", "upper": "28600.00"}}}))
    assert 'data-error-code="PRICE_OUT_OF_BAND"' in html
    assert html.count("PRICE_OUT_OF_BAND") == 1  # only in the data attribute
    assert "Enter a price between 23,400.00 and 28,600.00." in html
    assert "details" not in html and "lower:" not in html


def test_unknown_code_and_plain_message_still_render():
    assert explain({"code": "SOMETHING_NEW", "message": "It broke.", "details": {"x": 1}}).title == "Not done"
    assert explain("Exit failed: stop_loss_points too far").title == "Exit failed: stop-loss points too far"
    assert explain(None) is None
