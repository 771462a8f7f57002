"""The API's one JSON parser (settings `DEFAULT_PARSER_CLASSES`): DRF's, plus three refusals that
make a body mean exactly one thing.

- Nesting deeper than `MAX_JSON_DEPTH` answers 400 `JSON_TOO_DEEP` (no body of ours nests more than
  three levels; without a limit `[[[[...]]]]` hits Python's recursion limit and answered 500).
- A field named twice in one object answers 400 `DUPLICATE_FIELD` (JSON parsers disagree on which
  copy wins; `{"account_id": 1, "account_id": 2}` must not silently pick an account).
- `NaN`/`Infinity` stay refused as DRF refuses them (400 `MALFORMED_REQUEST`).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from oms_project.lib.errors import DuplicateField, JsonTooDeep

MAX_JSON_DEPTH = 32


def _strict_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateField(f"The field {key!r} is given more than once; send it once.", details={"fields": [key]})
        out[key] = value
    return out


def json_depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value (a scalar is 0, `[]` and `{}` are 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth) for child in children)
    return deepest


def _too_deep() -> JsonTooDeep:
    return JsonTooDeep(
        f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", details={"max_depth": MAX_JSON_DEPTH}
    )


def loads(text: str | bytes) -> Any:
    """Decode one JSON document under the rules above (also used for WebSocket frames, `lib/ws.py`).
    Raises JsonTooDeep or DuplicateField (DomainErrors), or ValueError for malformed JSON."""
    try:
        data = json.loads(text, parse_constant=_strict_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise _too_deep() from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise _too_deep()
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
