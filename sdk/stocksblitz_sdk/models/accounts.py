from __future__ import annotations

from datetime import datetime

from ._base import SdkModel


class TradingAccount(SdkModel):
    id: int
    kind: str
    name: str
    is_default: bool
    has_session: bool
    created_at: datetime
