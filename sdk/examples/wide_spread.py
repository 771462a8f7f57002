"""The seeds' SDK example 1, "Basic Order with Exception Handling", as written: a MARKET order into a very wide
spread is refused with WideSpreadException, and the bot re-places it as a LIMIT at e.recommended_limit_price.
Only the instrument and the quantity are arguments (the seed's 12345 / 100 are placeholders).

    python sdk/examples/wide_spread.py --api-url http://127.0.0.1:8000 --api-key <key> --token <t> --quantity <q>
"""

from __future__ import annotations

import argparse

from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.exceptions import WideSpreadException


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--token", type=int, required=True)
    parser.add_argument("--quantity", type=int, required=True)
    args = parser.parse_args()

    client = StocksBlitzClient(api_url=args.api_url, api_key=args.api_key)

    # --- the seed's example, unchanged but for the instrument and the quantity -------------------
    try:
        order = client.orders.place_market(
            instrument_token=args.token,
            quantity=args.quantity,
            side="BUY"
        )
    except WideSpreadException as e:
        # Spread too wide - use limit instead
        print(f"Spread: {e.spread_pct}%")
        order = client.orders.place_limit(
            instrument_token=args.token,
            quantity=args.quantity,
            side="BUY",
            price=e.recommended_limit_price
        )
    # ----------------------------------------------------------------------------------------------
        print(f"Spread (₹): {e.spread_abs}; estimated slippage: ₹{e.estimated_slippage}; impact {e.impact_bps} bps")
        print(f"Recommended limit: {e.recommended_limit_price}")
    print(f"ORDER #{order.id} {order.order_type} {order.price} {order.status}")
    client.close()


if __name__ == "__main__":
    main()
