"""Compact JSON text, the one form of every JSON Lines output, made as cheaply as Python allows.

`compact(x)` is exactly `json.dumps(x, ensure_ascii=False, separators=(",", ":"))`. A batch
serializes tens of small objects a case (placements, reasons, pieces of recommendations), and
`json.dumps` with options builds a new encoder for each: here the C encoder is built once. It
skips the circular-reference check, which only data the engine never builds would need.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

string: Callable[[str], str] = encode_basestring
"""A str as compact JSON text (what `compact` gives for a str, without the encoder's dispatch)."""


def _build() -> Callable[[Any], str]:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the standard encoder, the same text
        return _ENCODER.encode
    try:  # markers None: no circular-reference check; then default, the str encoder, indent, separators,
        # sort_keys, skipkeys, allow_nan, as json.JSONEncoder.iterencode passes them
        chunks = make(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)
    except TypeError:  # a Python whose accelerator takes other arguments: the standard encoder
        return _ENCODER.encode

    def encode(data: Any) -> str:
        if isinstance(data, str):
            return encode_basestring(data)
        return "".join(chunks(data, 0))

    return encode


compact: Callable[[Any], str] = _build()
"""`json.dumps(data, ensure_ascii=False, separators=(",", ":"))`."""


def number(x: float) -> int | float:
    """A whole-number float as an int, so the JSON reads 3 rather than 3.0."""
    return int(x) if float(x).is_integer() else x
