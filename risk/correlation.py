"""Correlation of the underlyings and liquidity-based sizing (issue #12). Pure: no Django.

Rolling correlation: the Pearson correlation of the underlyings' log returns over the last `window` bars of
their intraday history (1-minute closes; marketdata's history, risk.selectors_monitor.correlation_matrix).

Correlated exposure: with e the ₹ delta per underlying and C their correlation matrix,
    effective = √(eᵀ C e)            (₹: what the book moves like, one-sigma-weighted as if one asset)
    gross     = Σ |e_i|               (₹: everything counted apart)
and clusters: underlyings joined when ρ ≥ `threshold` (0.7: NIFTY and BANKNIFTY move together), each cluster's
net ₹ counted together — two longs in a cluster add up, a long and a short offset.

Sizing advice (lots), the smallest of:
    risk        risk budget (capital × risk_pct %) / (stop distance × lot size)     — the risk-per-trade limit
    volume      participation_pct % of the contract's volume today / lot size        — not to be the market
    oi          oi_pct % of the contract's open interest / lot size                  — exits stay possible
A constraint whose input is missing (no stop, no volume yet at the open) is left out; `binding` names the one
that decides. The percentages are house parameters (no seed figure), settings.RISK_SIZING.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DEFAULT_THRESHOLD = 0.7


def log_returns(prices: FloatArray) -> FloatArray:
    """Row-wise log returns of a names × T price matrix (T − 1 columns)."""
    prices = np.asarray(prices, dtype=np.float64)
    if (prices <= 0).any():
        raise ValueError("prices must be positive")
    return np.diff(np.log(prices), axis=1)


def rolling_correlation(prices: FloatArray, window: int) -> FloatArray:
    """names × names correlation of the last `window` returns (a name with no movement correlates 0 with the
    others and 1 with itself)."""
    returns = log_returns(prices)[:, -window:]
    if returns.shape[1] < 2:
        raise ValueError("need at least 3 prices for a correlation")
    centred = returns - returns.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred * centred).sum(axis=1))
    safe = np.where(norms > 0, norms, 1.0)
    corr = (centred @ centred.T) / np.outer(safe, safe)
    corr = np.where(np.outer(norms > 0, norms > 0), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return np.clip(corr, -1.0, 1.0)


@dataclass(frozen=True, slots=True)
class Cluster:
    names: tuple[str, ...]
    net_inr: float
    gross_inr: float


@dataclass(frozen=True, slots=True)
class CorrelatedExposure:
    gross_inr: float
    net_inr: float
    effective_inr: float
    clusters: tuple[Cluster, ...] = field(default_factory=tuple)


def correlated_exposure(
    names: Sequence[str], corr: FloatArray, exposure: Mapping[str, float], threshold: float = DEFAULT_THRESHOLD
) -> CorrelatedExposure:
    """The book's exposure by underlying (₹ delta) seen through the correlation matrix of `names`. Underlyings
    in `exposure` but not in `names` are uncorrelated with everything."""
    all_names = list(names) + [n for n in exposure if n not in names]
    k = len(all_names)
    c = np.eye(k)
    m = len(names)
    c[:m, :m] = np.asarray(corr, dtype=np.float64)
    e = np.array([float(exposure.get(n, 0.0)) for n in all_names])
    effective = math.sqrt(max(float(e @ c @ e), 0.0))
    # clusters: connected components of ρ ≥ threshold among the names held
    held = [i for i in range(k) if e[i] != 0.0]
    parent = {i: i for i in held}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a_i, a in enumerate(held):
        for b in held[a_i + 1 :]:
            if c[a, b] >= threshold:
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in held:
        groups.setdefault(find(i), []).append(i)
    clusters = tuple(
        sorted(
            (
                Cluster(
                    tuple(all_names[i] for i in members),
                    float(sum(e[i] for i in members)),
                    float(sum(abs(e[i]) for i in members)),
                )
                for members in groups.values()
            ),
            key=lambda cl: -abs(cl.net_inr),
        )
    )
    return CorrelatedExposure(float(np.abs(e).sum()), float(e.sum()), effective, clusters)


@dataclass(frozen=True, slots=True)
class SizingAdvice:
    lots: int | None  # None: nothing to size by
    binding: str  # "risk" | "volume" | "oi" | ""
    by_constraint: dict[str, int]


def sizing_advice(
    *,
    lot_size: int,
    capital: float | None = None,
    risk_pct: float | None = None,
    stop_distance: float | None = None,
    volume: int | None = None,
    oi: int | None = None,
    participation_pct: float = 1.0,
    oi_pct: float = 5.0,
) -> SizingAdvice:
    """The largest whole number of lots each constraint allows, and the smallest of them."""
    if lot_size <= 0:
        raise ValueError("lot_size must be positive")
    caps: dict[str, int] = {}
    if capital and risk_pct and stop_distance and stop_distance > 0:
        caps["risk"] = int(math.floor(capital * risk_pct / 100.0 / (stop_distance * lot_size)))
    if volume:
        caps["volume"] = int(math.floor(volume * participation_pct / 100.0 / lot_size))
    if oi:
        caps["oi"] = int(math.floor(oi * oi_pct / 100.0 / lot_size))
    if not caps:
        return SizingAdvice(None, "", {})
    binding = min(caps, key=lambda k: caps[k])
    return SizingAdvice(max(caps[binding], 0), binding, caps)
