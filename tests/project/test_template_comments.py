"""Django's `{# … #}` comment is one line only: one spread over lines is shown to the trader as text (a ticket
once printed its own comment under the costs card). Multi-line comments use {% comment %}."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _templates() -> list[Path]:
    return [p for p in ROOT.rglob("templates/**/*.html") if ".venv" not in p.parts]


def test_no_template_opens_a_one_line_comment_it_does_not_close_on_that_line() -> None:
    found = _templates()
    assert len(found) > 20  # the search really looked at the templates
    bad = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in found
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert bad == []
