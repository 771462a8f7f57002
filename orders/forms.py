"""Ticket and modify forms: they only parse and shape input; every trading rule lives in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from .domain import OrderType, Product, Side, Validity


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.value) for m in enum]


UNKNOWN_FIELD = "unknown_field"
# A price typed with a letter ("2599a.5") is refused with this, never read as empty.
PRICE_ERRORS = {
    "invalid": "must be a number such as 25999.40 (digits and one decimal point, no letters).",
    "max_decimal_places": "takes at most two decimal places.",
    "min_value": "cannot be below zero.",
}


class RefuseUnknownInputsForm(forms.Form):
    """A posted field the form does not declare is refused (error code `unknown_field`), never dropped:
    e.g. `account_id` posted by a script or an old page must not be ignored while the order goes to the
    account the switcher has selected. `page_inputs` are the page's own inputs that are not order fields."""

    page_inputs: frozenset[str] = frozenset({"csrfmiddlewaretoken"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        unknown = sorted(name for name in self.data if name not in self.fields and name not in self.page_inputs)
        if unknown:
            message = f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: nothing was done."
            if any("account" in name for name in unknown):
                message += " The order goes to the account shown at the top of the page; switch accounts there."
            raise forms.ValidationError(message, code=UNKNOWN_FIELD)
        return cleaned


class OrderTicketForm(RefuseUnknownInputsForm):
    page_inputs = frozenset({"csrfmiddlewaretoken", "q"})  # q: the instrument search box
    EXIT_PRICE = "price"
    EXIT_POINTS = "points"

    instrument_token = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose an instrument.", "invalid": "Choose an instrument."}
    )
    side = forms.ChoiceField(choices=_choices(Side), initial=Side.BUY)
    lots = forms.IntegerField(min_value=1, initial=1, error_messages={"min_value": "At least one lot."})
    product = forms.ChoiceField(choices=[(Product.NRML, "NRML (carry)"), (Product.MIS, "MIS (intraday)")],
                                initial=Product.NRML)
    order_type = forms.ChoiceField(choices=_choices(OrderType), initial=OrderType.LIMIT)
    price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2,
                               error_messages=PRICE_ERRORS)
    trigger_price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2,
                                       error_messages=PRICE_ERRORS)
    # MARKET / SL-M need market protection at the broker (kite-api.md): -1 = broker's automatic.
    market_protection = forms.IntegerField(required=False, min_value=-1, max_value=100, initial=-1)
    validity = forms.ChoiceField(choices=_choices(Validity), initial=Validity.DAY)
    validity_ttl = forms.IntegerField(required=False, min_value=1)
    exit_mode = forms.ChoiceField(choices=[(EXIT_PRICE, "Price"), (EXIT_POINTS, "Points")], initial=EXIT_PRICE,
                                  required=False)
    stop_loss = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    trailing_sl = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    # "Split into N slices" above the exchange's freeze limit (unticked: the user's preference decides).
    auto_slice = forms.BooleanField(required=False)
    # Set by the wide-spread warning's "Proceed anyway" (static/js/execution.js): send the MARKET order as asked.
    execution_override = forms.BooleanField(required=False)
    # Set by the duplicate error's "Place it again" (static/js/orders.js): a second, identical order is meant.
    confirm_duplicate = forms.BooleanField(required=False)

    def service_kwargs(self, *, lot_size: int) -> dict[str, Any]:
        """The service's keyword arguments (call after is_valid): quantity = lots x lot size."""
        d = self.cleaned_data
        order_type = d["order_type"]
        fields: dict[str, Any] = {
            "instrument_token": d["instrument_token"],
            "transaction_type": d["side"],
            "quantity": d["lots"] * lot_size,
            "product": d["product"],
            "order_type": order_type,
            "validity": d["validity"],
            # Only the fields that apply to the order type are sent (the ticket hides the others).
            "price": d.get("price") if order_type in (OrderType.LIMIT, OrderType.SL) else None,
            "trigger_price": d.get("trigger_price") if order_type in (OrderType.SL, OrderType.SLM) else None,
        }
        if order_type in (OrderType.MARKET, OrderType.SLM):
            mp = d.get("market_protection")
            fields["market_protection"] = -1 if mp is None else mp
        if d["validity"] == Validity.TTL:
            fields["validity_ttl"] = d.get("validity_ttl")
        points = d.get("exit_mode") == self.EXIT_POINTS
        if d.get("stop_loss") is not None:
            fields["stop_loss_points" if points else "stop_loss"] = d["stop_loss"]
        if d.get("target") is not None:
            fields["target_points" if points else "target"] = d["target"]
        if d.get("trailing_sl"):
            fields["trailing_stop_points"] = d["trailing_sl"]
        if d.get("auto_slice"):
            fields["auto_slice"] = True
        if d.get("execution_override"):
            fields["execution_override"] = True  # "Proceed anyway" at the wide-spread warning
        if d.get("confirm_duplicate"):
            fields["confirm_duplicate"] = True
        return fields


class OrderModifyForm(RefuseUnknownInputsForm):
    lots = forms.IntegerField(required=False, min_value=1)
    price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    trigger_price = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)

    def changes(self, *, lot_size: int) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {}
        if d.get("lots"):
            out["quantity"] = d["lots"] * lot_size
        if d.get("price") is not None:
            out["price"] = d["price"]
        if d.get("trigger_price") is not None:
            out["trigger_price"] = d["trigger_price"]
        return out
