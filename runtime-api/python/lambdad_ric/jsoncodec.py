"""JSON in and out, byte for byte as AWS's Python runtime writes it, without importing `json`.

`import json` pulls in `re` (and `enum`): ~6 ms of a ~11 ms interpreter start on a lean Python.
The C accelerator `_json` that `json` itself uses does all the work, so it is driven directly:
`to_json(x)` equals `json.dumps(x)` with AWS's options, `from_json(b)` equals `json.loads(b)`.
The `json` module is imported only to report a decoding error with its exact message, or when
`_json` is missing or behaves differently from what this module expects (checked once).

AWS's encoder (a `simplejson` one) writes a `decimal.Decimal` as its exact text (`1.50` stays
`1.50`), a NaN Decimal as `NaN`, and keeps non-ASCII characters unescaped from python3.12 on.
"""

import os
import sys

try:
    import _json
except ImportError:  # an interpreter built without the accelerator
    _json = None

_NAN = float("nan")
_INF = float("inf")


def _unescaped_unicode():
    """AWS's marshaller sets ensure_ascii=False for python3.12 and later runtimes only."""
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python3."
    if not env.startswith(prefix):
        return False
    minor = env[len(prefix):]
    return minor.isdigit() and int(minor) >= 12


def _make_encode(ensure_ascii):
    """A function (obj, default) -> str equal to json.dumps(obj, ensure_ascii=..., default=...)."""
    if _json is not None:
        quote = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
        make = _json.make_encoder

        def encode(obj, default):
            # Same arguments json.JSONEncoder.iterencode(_one_shot=True) passes: circular-reference
            # markers, no indent, ", " and ": " separators, keys unsorted, not skipped, NaN allowed.
            return "".join(make({}, default, quote, None, ": ", ", ", False, False, True)(obj, 0))

        try:
            sample = encode({"a": [1, 2.5, "\u00e9\n", None, True, _INF]}, None)
        except Exception:
            sample = None
        expected = '{"a": [1, 2.5, "%s\\n", null, true, Infinity]}' % (
            "\\u00e9" if ensure_ascii else "\u00e9")
        if sample == expected:
            return encode
    import json

    def encode(obj, default):
        return json.dumps(obj, ensure_ascii=ensure_ascii, default=default)

    return encode


_encode = _make_encode(not _unescaped_unicode())
_encode_unicode = None  # ensure_ascii=False, for JSON log lines (made on first use)


def _not_serialisable(obj):
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


class _RawDecimals:
    """`default` for one encoding: a Decimal becomes a unique placeholder string that is swapped
    for the Decimal's own text afterwards (the stdlib encoder cannot emit raw JSON itself)."""

    _token = None

    def __init__(self):
        self.texts = []

    def __call__(self, obj):
        decimal = sys.modules.get("decimal")  # a Decimal exists only once decimal is imported
        if decimal is None or not isinstance(obj, decimal.Decimal):
            _not_serialisable(obj)
        if obj.is_nan():
            return _NAN
        if _RawDecimals._token is None:
            _RawDecimals._token = "lambdad-raw-decimal-" + os.urandom(12).hex() + "-"
        self.texts.append(str(obj))
        return _RawDecimals._token + str(len(self.texts) - 1)

    def substitute(self, text):
        marker = '"' + _RawDecimals._token
        parts = text.split(marker)
        out = [parts[0]]
        for part in parts[1:]:
            end = part.index('"')
            out.append(self.texts[int(part[:end])])
            out.append(part[end + 1:])
        return "".join(out)


def to_json(obj):
    """The response / error body text, as AWS's marshaller writes it."""
    decimals = _RawDecimals()
    text = _encode(obj, decimals)
    return decimals.substitute(text) if decimals.texts else text


def to_json_log(obj):
    """json.dumps(obj, ensure_ascii=False): how AWS's JSON log formatter encodes a record."""
    global _encode_unicode
    if _encode_unicode is None:
        _encode_unicode = _make_encode(False)
    return _encode_unicode(obj, _not_serialisable)


class _ScanContext:
    """The attributes `_json.make_scanner` reads: json.JSONDecoder's defaults."""

    def __init__(self):
        self.strict = True
        self.object_hook = None
        self.object_pairs_hook = None
        self.parse_float = float
        self.parse_int = int
        self.parse_constant = {"-Infinity": -_INF, "Infinity": _INF, "NaN": _NAN}.__getitem__
        self.memo = {}


_scan = None
if _json is not None:
    try:
        _scan = _json.make_scanner(_ScanContext())
        if _scan(' {"a": [1, 2.5, "\\u00e9", null, true]}', 1) != (
                {"a": [1, 2.5, "\u00e9", None, True]}, 38):
            _scan = None
    except Exception:
        _scan = None

_WHITESPACE = " \t\n\r"


def from_json(data):
    """json.loads(data) for bytes, bytearray or str; raises what json.loads raises."""
    if _scan is not None:
        try:
            text = data if isinstance(data, str) else data.decode("utf-8")
            start = len(text) - len(text.lstrip(_WHITESPACE))
            value, end = _scan(text, start)
            if end == len(text) or not text[end:].strip(_WHITESPACE):
                return value
        except Exception:
            pass
    # Anything unusual (an error, a BOM, UTF-16) gets json.loads itself, for its exact result.
    import json
    return json.loads(data)
