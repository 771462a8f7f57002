"""The house number/time formats: the template filters and the browser's OMS.fmt agree case for case.

Both read tests/project/format_cases.json: Python here through `oms_project.lib.formatting` and the
`{% load oms_format %}` filters, JavaScript under node (static/js/format.js). The browser suite checks
the same formatter inside Chromium (tests/e2e/test_pages.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from oms_project.lib import formatting as f

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((Path(__file__).with_name("format_cases.json")).read_text())["cases"]
PY = {
    "inr": f.inr, "number": f.number, "price": f.price, "pnl": f.pnl, "pnlClass": f.pnl_class, "pct": f.pct,
    "lots": f.lots, "sideQty": f.side_qty, "lotCount": f.lot_count, "tickDigits": f.tick_digits, "ist": f.ist,
    "article": f.article,
}


@pytest.mark.parametrize(("name", "args", "shown"), CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_python_formats(name, args, shown):
    assert PY[name](*args) == shown


def test_decimals_floats_and_ints_format_alike():
    assert f.inr(Decimal("123450.50")) == f.inr(123450.5) == f.inr("123450.5") == "₹1,23,450.50"
    assert f.inr(-5) == "-₹5.00"
    assert f.number(10**7, 0) == "1,00,00,000"  # one crore
    assert f.ist(datetime(2026, 12, 1, 8, 33, 22, tzinfo=UTC)) == "01 Dec 14:03:22 IST"


def test_template_filters_render_the_same():
    html = Template(
        "{% load oms_format %}{{ a|inr }}|{{ p|price:'0.05' }}|{{ l|pnl }}|{{ l|pnl_class }}|{{ q|side_qty }}|"
        "{{ q|lots:65 }}|{{ n|inr }}|{{ 'urgent'|article }}"
    ).render(Context({"a": Decimal("123450.5"), "p": Decimal("25999.4000"), "l": Decimal("-10"), "q": -130,
                      "n": None}))
    assert html == "₹1,23,450.50|25,999.40|-₹10.00|neg|SELL 130|130 (2 lots)|–|an urgent"


def test_javascript_formatter_under_node():
    from tests.conftest import require_service

    require_service("node", bool(shutil.which("node")), "install Node.js")  # fails, never skips, under CI
    script = f"""
    const fmt = require({json.dumps(str(ROOT / 'static/js/format.js'))});
    const cases = require({json.dumps(str(Path(__file__).with_name('format_cases.json')))}).cases;
    const bad = [];
    for (const [name, args, shown] of cases) {{
      const got = fmt[name](...args);
      if (got !== shown) {{
        bad.push(`${{name}}(${{JSON.stringify(args)}}) = ${{JSON.stringify(got)}}, want ${{JSON.stringify(shown)}}`);
      }}
    }}
    // Numbers as the WebSocket delivers them (floats), not only strings.
    const extra = [
      [fmt.inr(123450.5), "₹1,23,450.50"], [fmt.inr(1.005), "₹1.01"], [fmt.price(25999.4, 0.05), "25,999.40"],
      [fmt.pnl(-0.1 - 0.2), "-₹0.30"],
      [fmt.inr(1e21), "₹1,00,00,00,00,00,00,00,00,00,000.00"], [fmt.inr(1e-7), "₹0.00"],
    ];
    extra.forEach(([got, want], i) => {{
      if (got !== want) bad.push(`extra ${{i}}: ${{got}} != ${{want}}`);
    }});
    console.log(JSON.stringify(bad));
    """
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out) == []
