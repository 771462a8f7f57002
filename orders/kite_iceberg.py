"""Kite's own iceberg variety (issue #11): its rules as data, and whether an ICEBERG execution fits them. Pure,
no Django. Used by `orders.services.algos` (route an iceberg to Kite as ONE order, or slice it ourselves) and by
the local Kite sandbox (`devtools/kite_sandbox/rules.py`: refuse what Kite refuses).

Sources (/work/shared/research/kite-api.md §2.1-2.2, anchors-peers.md "Kite (terminal) features"):
- `POST /orders/iceberg` with `iceberg_legs` and `iceberg_quantity` (kiteconnect 5.2.2 `place_order` arguments,
  `VARIETY_ICEBERG = "iceberg"`); Kite Connect's parameter text: the number of legs "should be between 2 and 10",
  the leg quantity is the total split over the legs (quantity / iceberg_legs).
- `iceberg_legs = 1` is refused with a 400 InputException (Kite forum comment/46708). The upper bound of 10 is the
  Kite Connect docs' figure; the Kite terminal allows up to 50 (anchors-peers.md), kite-api.md notes the 10 as
  not re-verified: we keep the API's 10, the stricter one.
- Each leg is an exchange order, so a leg may not exceed the contract's freeze quantity (kite-api.md §6), and it
  is a whole number of lots. The variety is for LIMIT orders (the brief of #11; Kite's order window offers the
  iceberg with a price).
- Only the first leg's order id comes back; each next leg is placed when the previous one is executed
  (anchors-peers.md, Kite forum comment/39111, comment/51724).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

VARIETY = "iceberg"
MIN_LEGS = 2
MAX_LEGS = 10
ORDER_TYPES = frozenset({"LIMIT"})


@dataclass(frozen=True, slots=True)
class KiteIcebergFit:
    """Whether an iceberg of `total` showing `visible` at a time can be Kite's own iceberg order. `native` with
    `legs` and `leg_quantity` (Kite's iceberg_legs / iceberg_quantity), else `reason` in trader words."""

    native: bool
    legs: int
    leg_quantity: int
    reason: str = ""

    def as_json(self) -> dict[str, object]:
        return {"native": self.native, "legs": self.legs, "leg_quantity": self.leg_quantity, "reason": self.reason}


def refusal(
    *,
    quantity: int,
    legs: int | None,
    leg_quantity: int | None,
    lot_size: int,
    freeze_quantity: int | None,
    order_type: str,
) -> str | None:
    """Why Kite refuses this iceberg order (its InputException text, in Kite's style), or None when it passes.
    `quantity` is the whole order; `legs` / `leg_quantity` are iceberg_legs / iceberg_quantity as sent."""
    if order_type not in ORDER_TYPES:
        return "Iceberg orders can only be placed as LIMIT orders."
    if legs is None or not MIN_LEGS <= legs <= MAX_LEGS:
        return f"Invalid `iceberg_legs`: the number of legs should be between {MIN_LEGS} and {MAX_LEGS}."
    if not leg_quantity or leg_quantity <= 0:
        return "Invalid `iceberg_quantity`."
    lot = max(lot_size, 1)
    if leg_quantity % lot:
        return f"Iceberg quantity should be a multiple of the lot size {lot}."
    if leg_quantity * legs < quantity or leg_quantity * (legs - 1) >= quantity:
        return (
            f"Iceberg quantity {leg_quantity} does not split the order quantity {quantity} into {legs} legs "
            f"(it should be about {math.ceil(quantity / legs)})."
        )
    if freeze_quantity and leg_quantity > freeze_quantity:
        return (
            f"Iceberg quantity {leg_quantity} ({leg_quantity // lot} lots) is higher than the maximum quantity of "
            f"{freeze_quantity} ({freeze_quantity // lot} lots) allowed by the exchanges for one leg."
        )
    return None


def fit(*, total: int, visible: int, lot_size: int, freeze_quantity: int | None) -> KiteIcebergFit:
    """Kite's iceberg for an execution of `total` units showing `visible` (both whole lots) at a LIMIT price."""
    lot = max(lot_size, 1)
    legs = math.ceil(total / visible) if visible > 0 else 0

    def no(reason: str) -> KiteIcebergFit:
        return KiteIcebergFit(False, legs, visible, reason)

    if legs < MIN_LEGS:
        return no("the visible quantity shows the whole order: one leg, sent as a plain LIMIT order")
    if legs > MAX_LEGS:
        return no(
            f"{legs} legs of {visible // lot} lot{'s' if visible // lot != 1 else ''}: Kite's iceberg takes "
            f"{MIN_LEGS} to {MAX_LEGS} legs"
        )
    if freeze_quantity and visible > freeze_quantity:
        return no(f"a leg of {visible} is above the exchange's freeze quantity of {freeze_quantity}")
    why = refusal(
        quantity=total,
        legs=legs,
        leg_quantity=visible,
        lot_size=lot,
        freeze_quantity=freeze_quantity,
        order_type="LIMIT",
    )
    if why:
        return no(why)
    return KiteIcebergFit(True, legs, visible)


def leg_progress(*, total: int, leg_quantity: int, legs: int, filled: int) -> dict[str, int]:
    """Kite's `meta.iceberg` of an iceberg that has `filled` units done: the working leg (1-based), its size,
    and what remains after it (as in orders.json: leg 1 of 5 x 200 of 1,000 leaves 800)."""
    leg = min(legs, filled // leg_quantity + 1) if leg_quantity > 0 else 1
    this_leg = min(leg_quantity, total - (leg - 1) * leg_quantity)
    return {
        "leg": leg,
        "legs": legs,
        "leg_quantity": this_leg,
        "total_quantity": total,
        "remaining_quantity": max(0, total - (leg - 1) * leg_quantity - this_leg),
    }


def route(
    *, is_paper: bool, total: int, visible: int, lot_size: int, freeze_quantity: int | None
) -> tuple[dict[str, object], str]:
    """An ICEBERG execution's stored params and status message. On a Kite account an iceberg that fits Kite's
    rules is ONE child of variety iceberg (`visible_quantity` = the total; Kite shows `leg_quantity` at a time);
    otherwise we slice it ourselves and the record (`params["kite_iceberg"]`, the message) says why."""
    params: dict[str, object] = {"visible_quantity": visible}
    if is_paper:
        return params, ""
    answer = fit(total=total, visible=visible, lot_size=lot_size, freeze_quantity=freeze_quantity)
    params["kite_iceberg"] = answer.as_json()
    if answer.native:
        params["visible_quantity"] = total
        return params, f"Kite iceberg: {answer.legs} legs of {answer.leg_quantity}"
    return params, f"sliced here, not Kite's iceberg: {answer.reason}"[:300]


def child_fields(params: dict[str, object]) -> dict[str, object]:
    """The child intent's variety fields for an execution's stored params (nothing unless routed to Kite)."""
    kite = params.get("kite_iceberg") or {}
    if not isinstance(kite, dict) or not kite.get("native"):
        return {}
    return {"variety": VARIETY, "iceberg_legs": int(kite["legs"]), "iceberg_quantity": int(kite["leg_quantity"])}
