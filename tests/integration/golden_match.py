"""Comparing a reply or log line with a golden file's shape (tests/integration/golden/*/README.md):
`${REQUEST_ID}`-style placeholders stand for known values, `${TIMESTAMP}` for an ISO time, `${*}`
for any text, and a list starting with `${FRAMES}` for any stack frames before the rest."""

from __future__ import annotations

import re

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def _pattern(text: str, values: dict) -> str:
    out = []
    for part in re.split(r"(\$\{[A-Z_*]+\})", text):
        if part == "${*}":
            out.append(r"[\s\S]*")
        elif part == "${TIMESTAMP}":
            out.append(TIMESTAMP)
        elif part.startswith("${") and part.endswith("}"):
            out.append(re.escape(values[part[2:-1]]))
        else:
            out.append(re.escape(part))
    return "".join(out)


def matches(expected, actual, values: dict) -> bool:
    """`actual` has the golden shape `expected`."""
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(expected) == list(actual)
                and all(matches(expected[k], actual[k], values) for k in expected))
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        if expected and expected[0] == "${FRAMES}":
            rest = expected[1:]
            return any(matches(rest, actual[i:], values) for i in range(len(actual) + 1))
        if not expected:
            return not actual
        return matches(expected[0], actual[0] if actual else None, values) and bool(actual) \
            and matches(expected[1:], actual[1:], values)
    if isinstance(expected, str):
        return (isinstance(actual, str)
                and re.fullmatch(_pattern(expected, values), actual) is not None)
    return expected == actual
