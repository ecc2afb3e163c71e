"""Compact JSON text, the one form of every JSON Lines output, from msgspec's C encoder.

`compact(x)` is `json.dumps(x, ensure_ascii=False, separators=(",", ":"))` on every value the
engine writes, with two documented differences (output version 2, `OUTPUT_VERSION`): a float whose
repr has an exponent is written the way msgspec writes it (`1e16`, `0.00001234`, where Python
writes `1e+16`, `1.234e-05`: the same number), and a non-finite float is `null` (Python writes
`NaN`, which is not JSON). Tuples are arrays.

Pre-encoded JSON (a proof shared by many cases, kept in `engine/model/sharing.Shared`) goes into
a value as `Raw(bytes)`, which the encoder writes as it is: no text is spliced by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

Raw = msgspec.Raw

OUTPUT_VERSION = 2
"""The version of the JSON output's form, in every result's `engine.output_version`.

1. (no `output_version` field) JSON written by Python's json module.
2. JSON written by msgspec: the same fields and values, byte for byte the same text except that a float
   whose repr has an exponent is written `1e16` / `0.00001234` (Python: `1e+16` / `1.234e-05`, the same
   number) and a non-finite float as `null` (Python: `NaN`, which is not JSON; the engine refuses such
   values in cases and rules, so none reaches an output).
"""

_ENCODER = msgspec.json.Encoder()

encode: Callable[[Any], bytes] = _ENCODER.encode
"""A value as compact JSON, UTF-8 bytes."""


def compact(data: Any) -> str:
    """A value as compact JSON text."""
    return _ENCODER.encode(data).decode("utf-8")


def string(text: str) -> str:
    """A str as compact JSON text."""
    return _ENCODER.encode(text).decode("utf-8")


def number(x: float) -> int | float:
    """A whole-number float as an int, so the JSON reads 3 rather than 3.0."""
    return int(x) if float(x).is_integer() else x
