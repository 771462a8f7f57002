"""A first bot: look up an instrument, read its quote, place and cancel a LIMIT order, buy one lot
at market, and print the alerts and order updates that arrive live.

    python sdk/examples/quickstart.py --api-url http://127.0.0.1:8000 --api-key <key>
"""

from __future__ import annotations

import argparse
import time

from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.exceptions import StocksBlitzError


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", default="http://127.0.0.1:8000")
    parser.add_argument("--api-key", required=True)
    args = parser.parse_args()

    with StocksBlitzClient(api_url=args.api_url, api_key=args.api_key) as client:
        client.on_alert(lambda alert: print(f"ALERT  {alert.level:<8} {alert.type}: {alert.message}"))
        client.on_order_update(lambda update: print(f"UPDATE {update.kind}: {update.data.get('status', '')}"))
        client.start_listening()

        future = client.instruments.list(name="NIFTY", instrument_type="FUT")[0]  # the nearest NIFTY future
        key = f"{future.exchange}:{future.tradingsymbol}"
        quote = client.market.quote([key])[key]
        print(f"{key} last {quote.last_price}, lot {future.lot_size}")

        try:
            # A LIMIT order well below the market rests; then cancel it.
            bid = quote.depth.buy[0].price
            resting = client.orders.place_limit(
                instrument_token=future.instrument_token, quantity=future.lot_size, side="BUY",
                price=bid - 50, product="NRML",
            )
            print(f"LIMIT  #{resting.id} {resting.status}")
            print(f"CANCEL #{resting.id} {client.orders.cancel(resting.id).status}")

            filled = client.orders.place_market(
                instrument_token=future.instrument_token, quantity=future.lot_size, side="BUY", product="NRML"
            )
            print(f"MARKET #{filled.id} {filled.status} at {filled.average_price}")
        except StocksBlitzError as error:
            print(f"refused: {error.code}: {error.message}")

        time.sleep(2)  # let the live alerts and order updates arrive
        for position in client.positions.list():
            print(f"POSITION {position.tradingsymbol} qty {position.quantity} P&L {position.pnl}")


if __name__ == "__main__":
    main()
