"""The SDK's quickstart bot, run as a bot author would, against the real product."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quickstart_bot_trades_and_hears_live_alerts(live):
    username = live.create_user("sdk_quickstart")
    key = live.manage("create_api_key", username).strip()
    result = subprocess.run(
        [sys.executable, str(ROOT / "sdk/examples/quickstart.py"), "--api-url", live.url, "--api-key", key],
        capture_output=True, text=True, timeout=90,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "refused" not in out, out
    assert "CANCELLED" in out and "MARKET #" in out and "COMPLETE" in out, out
    # Live over the WebSocket listener, not polled: the fill's alert and the order's updates.
    assert "ALERT  INFO     ORDER_FILLED" in out, out
    assert "UPDATE order: COMPLETE" in out, out
    assert "POSITION NIFTY" in out, out
