"""Ticket and modify forms: they only parse and shape input; every trading rule lives in the services."""

from __future__ import annotations

import re
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


# The ticket's "Execution" choice (issue #11): send the order as it is, or work it as a parent execution
# (orders.services.algos, the same service as POST /api/v1/orders/twap/ and /iceberg/).
REGULAR, TWAP, ICEBERG = "REGULAR", "TWAP", "ICEBERG"
EXECUTION_CHOICES = [(REGULAR, "Regular"), (TWAP, "TWAP (spread over time)"), (ICEBERG, "Iceberg (show a part)")]
# One NSE session (09:15-15:30) and the runner's 5 s floor: the service's own bounds, said in trader words here.
TWAP_MAX_SECONDS = 6 * 3600 + 15 * 60
TWAP_MIN_INTERVAL_SECONDS = 5
TWAP_JITTER = (Decimal(20), Decimal(30))  # size +-20 %, time +-30 % of its interval: the API's defaults
_DURATION = re.compile(r"^(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s(?:ec)?)?$", re.I)


def parse_duration(text: str) -> int | None:
    """Seconds in a trader's duration: "10" (minutes), "90s", "15m", "1h30m". None if it is not one."""
    text = (text or "").strip()
    if text.isdigit():
        return int(text) * 60
    match = _DURATION.match(text)
    if not text or not match or not any(match.groupdict().values()):
        return None
    g = {k: int(v or 0) for k, v in match.groupdict().items()}
    return g["h"] * 3600 + g["m"] * 60 + g["s"]


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
    # Execution (issue #11): Regular, or worked as a TWAP / iceberg (algo_start_kwargs). The order type and price
    # say how each child is priced: a TWAP's LIMIT price is its price guard; an iceberg's legs rest at the price.
    execution = forms.ChoiceField(choices=EXECUTION_CHOICES, required=False, initial=REGULAR)
    twap_duration = forms.CharField(required=False, max_length=16)
    twap_slices = forms.IntegerField(
        required=False, min_value=1, error_messages={"min_value": "At least one slice.", "invalid": "A whole number."}
    )
    twap_interval = forms.IntegerField(
        required=False,
        min_value=TWAP_MIN_INTERVAL_SECONDS,
        error_messages={
            "min_value": f"Slices need at least {TWAP_MIN_INTERVAL_SECONDS} seconds between them.",
            "invalid": "Seconds, a whole number.",
        },
    )
    twap_randomise = forms.BooleanField(required=False, initial=True)
    iceberg_visible_lots = forms.IntegerField(
        required=False, min_value=1, error_messages={"min_value": "At least one lot shows.", "invalid": "Whole lots."}
    )

    def __init__(self, *args: Any, order_only: bool = False, **kwargs: Any) -> None:
        # order_only: the preview and the costs card judge the order itself while the trader is still filling in
        # the algorithm's fields (the execution panel is what recommends one).
        super().__init__(*args, **kwargs)
        self.order_only = order_only

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        execution = cleaned.get("execution") or REGULAR
        cleaned["execution"] = execution
        if execution == REGULAR or self.order_only:
            return cleaned
        name = "A TWAP" if execution == TWAP else "An iceberg"
        order_type = cleaned.get("order_type")
        if execution == TWAP and order_type not in (OrderType.MARKET, OrderType.LIMIT):
            self.add_error("order_type", "A TWAP sends MARKET slices, or LIMIT slices with a price guard: choose "
                                         "MARKET or LIMIT.")  # fmt: skip
        if execution == ICEBERG and order_type != OrderType.LIMIT:
            self.add_error("order_type", "An iceberg works LIMIT legs: choose LIMIT and enter the price.")
        if order_type == OrderType.LIMIT and not cleaned.get("price") and "price" not in self.errors:
            guard = "the price guard no slice may cross" if execution == TWAP else "the price its legs rest at"
            self.add_error("price", f"Enter the LIMIT price ({guard}).")
        if cleaned.get("validity") not in (None, "", Validity.DAY):
            self.add_error("validity", f"{name} chooses each child's validity itself: leave validity at DAY.")
        if any(cleaned.get(f) for f in ("stop_loss", "target", "trailing_sl")):
            self.add_error(None, f"{name} cannot carry a stop-loss or target: place them once the position exists.")
        if execution == TWAP:
            self._clean_twap(cleaned)
        else:
            self._clean_iceberg(cleaned)
        return cleaned

    def _clean_twap(self, cleaned: dict[str, Any]) -> None:
        raw = (cleaned.get("twap_duration") or "").strip()
        seconds = parse_duration(raw)
        if not raw:
            self.add_error("twap_duration", "How long should the TWAP run? e.g. 10 (minutes), 90s or 1h30m.")
        elif seconds is None:
            self.add_error("twap_duration", f"“{raw}” is not a duration: use minutes (10), or 90s, 15m, 1h30m.")
        elif not 0 < seconds <= TWAP_MAX_SECONDS:
            self.add_error("twap_duration", "A TWAP runs within one session: from 1 second to 6h15m.")
        else:
            cleaned["twap_duration_seconds"] = seconds
        slices, interval = cleaned.get("twap_slices"), cleaned.get("twap_interval")
        if "twap_slices" in self.errors or "twap_interval" in self.errors:
            return
        if slices is None and interval is None:
            self.add_error("twap_slices", "Give the number of slices, or the seconds between them.")
        elif slices is not None and interval is not None:
            self.add_error("twap_slices", "Give the number of slices or the interval between them, not both.")
        elif seconds and interval is not None and interval > seconds:
            self.add_error("twap_interval", "The interval is longer than the whole TWAP: shorten it, or run longer.")
        elif seconds and slices is not None and seconds / slices < TWAP_MIN_INTERVAL_SECONDS:
            self.add_error(
                "twap_slices",
                f"{slices} slices in {seconds} s is less than {TWAP_MIN_INTERVAL_SECONDS} s apart: "
                f"use at most {max(1, seconds // TWAP_MIN_INTERVAL_SECONDS)} slices, or run longer.",
            )

    def _clean_iceberg(self, cleaned: dict[str, Any]) -> None:
        visible, lots = cleaned.get("iceberg_visible_lots"), cleaned.get("lots")
        if "iceberg_visible_lots" in self.errors:
            return
        if visible is None:
            self.add_error("iceberg_visible_lots", "How many lots should show at a time?")
        elif lots and visible >= lots:
            self.add_error(
                "iceberg_visible_lots",
                f"Showing {visible} of {lots} lots shows the whole order: show fewer lots, or place it as Regular.",
            )

    @property
    def is_algo(self) -> bool:
        return not self.order_only and self.cleaned_data.get("execution") in (TWAP, ICEBERG)

    def algo_start_kwargs(self) -> tuple[str, dict[str, Any]]:
        """(algorithm, keyword arguments of orders.services.algos.twap_start / iceberg_start) after is_valid;
        the caller adds user, account_id and actor."""
        d = self.cleaned_data
        common: dict[str, Any] = {
            "instrument_token": d["instrument_token"],
            "transaction_type": d["side"],
            "lots": d["lots"],
            "product": d["product"],
        }
        price = d.get("price") if d["order_type"] == OrderType.LIMIT else None
        if d["execution"] == ICEBERG:
            return ICEBERG, {**common, "limit_price": price, "visible_lots": d["iceberg_visible_lots"]}
        size_jitter, time_jitter = TWAP_JITTER if d.get("twap_randomise") else (Decimal(0), Decimal(0))
        schedule = {"slices": d["twap_slices"]} if d.get("twap_slices") else {"interval_seconds": d["twap_interval"]}
        return TWAP, {
            **common,
            **schedule,
            "duration_seconds": d["twap_duration_seconds"],
            "limit_price": price,
            "size_jitter_pct": size_jitter,
            "time_jitter_pct": time_jitter,
        }

    def service_kwargs(self, *, lot_size: int) -> dict[str, Any]:
        """The service's keyword arguments (call after is_valid): quantity = lots x lot size."""
        if self.is_algo:  # never one order for the whole quantity: a TWAP / iceberg is started by ticket_algo_start
            raise ValueError("A TWAP or iceberg ticket starts a parent execution, not one order.")
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
