"""Synthetic risk arrays (margin.span.synthetic) against NSE's own arrays.

Reference: the BANKNIFTY extracts of 8 Aug 2025 in /work/shared/data/span/ (5 intraday SPAN files,
2,284 options each, from `lakshyaverma2414/nse-span-risk-parser` Test/span_0N.csv, MIT). Each row's
`worst_RA_per_unit` is abs(min(a[1..16])) of the exchange's array: the worst loss of a SHORT unit,
so the synthetic array is reduced the same way.

The day's NSE parameters the extract does not carry are inputs, one set for all 11,420 rows:
- price scan 11.3% of spot: the σ part of max(floor, 6σ√2). Read off the deep-ITM rows (delta ±1,
  whose worst loss is the PSR itself: 6,218–6,262 on spot 55,181); above the published 9.3% index
  floor. The Jun-2026 series (residual maturity > 9 months) then lands on the published 17.7% floor
  by the method alone (9,816 ≈ 17.7% × 55,521), which checks the floor rule.
- volatility 18.4% for every strike and expiry (NSE revalues with one volatility per underlying:
  inverting sampled rows gives a median of 18.4%, 80% within 18.2–19.0%, no smile; docs/span.md);
- vol scan 5% (T7 reports BANKNIFTY volScan 0.05; 25% × 18.4% = 4.6% leaves 10 rows ≥ ₹1 outside 10%);
- look-ahead 1 day and rate 6% (module defaults, see synthetic.py).
"""

from __future__ import annotations

import csv
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from margin.span.params import INDEX_FLOORS, INDEX_LONG_DATED_FLOORS, STOCK_FLOORS
from margin.span.synthetic import floors_for, future_risk_array, price_scan_range, synthetic_option, vol_scan_range
from margin.span.types import ContractKind, RiskArray


def _shared_dir() -> Path:
    """../shared next to the checkout (OMS_SHARED_DIR overrides; a checkout elsewhere finds /work/shared)."""
    beside = Path(__file__).resolve().parents[2].parent / "shared"
    candidates = [os.environ.get("OMS_SHARED_DIR", ""), beside, "/work/shared"]
    for c in candidates:
        if c and (Path(c) / "data" / "span").is_dir():
            return Path(c)
    return beside


SHARED = _shared_dir()
EXTRACTS = sorted((SHARED / "data" / "span").glob("banknifty_20250808_extract_0*.csv"))
AS_OF = date(2025, 8, 8)
SIGMA_FRACTION = Decimal("0.113")
VOLATILITY = Decimal("0.184")
VOL_SCAN = Decimal("0.05")
TOLERANCE = Decimal("0.10")

# Rows that the published method cannot match within 10%, with why (asserted to be exactly these):
# far-OTM options whose exchange worst loss is below ₹1 per unit. The file rounds array values
# to the paisa, so a value of 0.01–0.30 carries a rounding error of up to 50% by itself, and at
# 2×PSR from the strike the option value is exponentially sensitive to the volatility (a 0.5
# vol-point change moves it by more than 10%). A 0.00 value (no loss in any scenario) is matched
# when the synthetic value also rounds to 0.00.
UNMATCHABLE_BELOW = Decimal("1.00")


def _require_extracts() -> None:
    if not EXTRACTS:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"SPAN extracts missing under {SHARED}/data/span (required under CI)")
        pytest.skip(f"SPAN extracts not found under {SHARED}/data/span")


def _short_worst(ra: RiskArray) -> Decimal:
    """abs(min(a)), the extract's statistic."""
    return abs(min(ra.losses()))


def _rows(path: Path):
    with path.open(newline="") as fh:
        yield from csv.DictReader(fh)


def _compare(path: Path) -> tuple[int, list[tuple], list[tuple]]:
    n, bad, tiny_misses = 0, [], []
    for row in _rows(path):
        n += 1
        expiry = date.fromisoformat(row["expiry"])
        contract = synthetic_option(
            underlying="BANKNIFTY",
            kind=ContractKind.CALL if row["type"] == "C" else ContractKind.PUT,
            expiry=expiry,
            strike=Decimal(row["strike"]),
            premium=Decimal(row["premium_in_rpf"]),
            underlying_price=Decimal(row["spot_from_rpf"]),
            volatility=VOLATILITY,
            as_of=AS_OF,
            sigma_fraction=SIGMA_FRACTION,
            vol_scan=VOL_SCAN,
        )
        ours = _short_worst(contract.risk_array)
        theirs = Decimal(row["worst_RA_per_unit"])
        ok = ours == theirs if theirs == 0 else abs(ours - theirs) <= TOLERANCE * theirs
        if not ok:
            entry = (path.name, row["expiry"], row["strike"], row["type"], str(theirs), str(ours))
            (tiny_misses if theirs < UNMATCHABLE_BELOW else bad).append(entry)
    return n, bad, tiny_misses


def test_synthetic_arrays_match_every_extract_row_within_ten_percent():
    _require_extracts()
    assert len(EXTRACTS) == 5
    total, misses = 0, []
    for path in EXTRACTS:
        n, bad, tiny = _compare(path)
        total += n
        assert bad == [], f"rows off by more than 10% (worst loss ≥ ₹1): {bad[:20]}"
        misses.extend(tiny)
    assert total == 5 * 2284
    # The only misses are sub-rupee far-OTM rows (see UNMATCHABLE_BELOW), and each is within one
    # paisa, the file's rounding unit (measured: 5 rows, e.g. 0.03 vs 0.04).
    assert len(misses) <= 12, misses
    assert all(abs(Decimal(theirs) - Decimal(ours)) <= Decimal("0.01") for *_, theirs, ours in misses), misses
    print(f"\n{total} rows; {len(misses)} sub-rupee rows outside 10%: {misses}")


def test_long_dated_series_uses_published_floor():
    spot = Decimal("55521.15")
    assert floors_for(index=True, as_of=AS_OF, expiry=date(2026, 6, 30)) is INDEX_LONG_DATED_FLOORS
    assert floors_for(index=True, as_of=AS_OF, expiry=date(2026, 3, 31)) is INDEX_FLOORS
    assert floors_for(index=False) is STOCK_FLOORS
    assert price_scan_range(spot, INDEX_LONG_DATED_FLOORS, sigma_fraction=SIGMA_FRACTION) == Decimal("9827.24")
    assert price_scan_range(spot, INDEX_FLOORS, sigma_fraction=SIGMA_FRACTION) == Decimal("6273.89")
    assert price_scan_range(spot, INDEX_FLOORS) == Decimal("5163.47")  # the 9.3% minimum alone
    # 6σ√2 with σ = 1% daily = 8.49% < 9.3%: the floor wins.
    assert price_scan_range(spot, INDEX_FLOORS, daily_sigma=Decimal("0.01")) == Decimal("5163.47")


def test_vol_scan_floors():
    assert vol_scan_range(INDEX_FLOORS) == Decimal("0.04")
    assert vol_scan_range(INDEX_FLOORS, Decimal("0.12")) == Decimal("0.04")
    assert vol_scan_range(INDEX_FLOORS, Decimal("0.20")) == Decimal("0.05")
    assert vol_scan_range(STOCK_FLOORS, Decimal("0.30")) == Decimal("0.10")


def test_synthetic_future_close_to_t7():
    # T7: NIFTY Jun-2026 future, priceScan 2234.01; exchange array worst 2244.36 long / 2226.91 short.
    ra = future_risk_array(Decimal("2234.01"))
    losses = ra.losses()
    assert losses[12] == Decimal("2234.01") and losses[10] == Decimal("-2234.01")
    assert losses[14] == Decimal("-1563.81")  # 0.35 × 2 × 2234.01, T7 prints −1561.89
    assert abs(ra.worst_loss() - Decimal("2244.36")) / Decimal("2244.36") < Decimal("0.005")
    assert abs(abs(min(losses)) - Decimal("2226.91")) / Decimal("2226.91") < Decimal("0.005")


def test_missing_extracts_fail_under_ci(monkeypatch):
    mod = sys.modules[__name__]
    monkeypatch.setattr(mod, "EXTRACTS", [])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        mod._require_extracts()
