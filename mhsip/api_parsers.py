"""JSON request bodies, parsed with a nesting limit.

Python's json module recurses once per `[` or `{`: 100,000 nested brackets in a body raise
RecursionError, which is not a parse error, so DRF answered it with an HTML 500. Every JSON
body of the API is parsed here: too deep (or too deep for the interpreter) is a 400 like any
other malformed body. No body of the API needs more than a few levels (a bulk item's incident
dates are the deepest: envelope → items → item → incident_dates → measure → day)."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 20


def too_deep(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `value` nests lists and dicts more than `limit` levels (iterative: a deep value
    must not exhaust the stack here either)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        container, depth = stack.pop()
        if depth > limit:
            return True
        children = container.values() if isinstance(container, dict) else container
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_loads_limited(text: str | bytes):
    """The parsed body; ParseError (400) when it is not JSON or nests too deeply."""
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        deep = True
    except (UnicodeDecodeError, ValueError) as error:
        raise ParseError(f"JSON parse error - {error}") from None
    else:
        deep = too_deep(value)
    if deep:
        raise ParseError(
            f"JSON parse error - the body nests lists or objects more than {MAX_JSON_DEPTH} "
            "levels deep."
        )
    return value


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with the nesting limit above (REST_FRAMEWORK's only parser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        return json_loads_limited(raw)
