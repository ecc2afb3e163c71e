"""engine/model/jsontext.compact (msgspec's encoder) is json.dumps's compact form to the byte on every kind
of value outputs hold, but for the two documented differences of output version 2: a float whose repr has an
exponent, and a non-finite float (docs/output.md, "Output versions")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.model.jsontext import compact, string

VALUES: list[Any] = [
    "plain",
    'ünïcödé — “quotes” \\ " \n\t\u2028',
    "",
    0,
    -1,
    2**70,
    0.1,
    -0.0,
    True,
    False,
    None,
    [],
    {},
    [1, "a", None, [True, {"k": [0.5]}]],
    {"b": 1, "a": {"nested": ["x", -2]}, "ü": "v", "1": None},
    ("a", "tuple"),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_compact_is_json_dumps_compact(value: Any) -> None:
    assert compact(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e300, "1e300"),
        (1e16, "1e16"),
        (1.234e-05, "0.00001234"),
        (1e-7, "1e-7"),
        (float("nan"), "null"),
        (float("inf"), "null"),
        (float("-inf"), "null"),
    ],
)
def test_the_documented_float_forms(value: float, text: str) -> None:
    assert compact(value) == text
    if value == value and abs(value) != float("inf"):
        assert json.loads(text) == value  # the same number


def test_string_is_compact_of_a_str() -> None:
    for text in ("a", "ü “x”", "line\nbreak", ""):
        assert string(text) == compact(text) == json.dumps(text, ensure_ascii=False)


def test_what_json_refuses_it_refuses() -> None:
    with pytest.raises(TypeError):
        compact({"a": object()})
    with pytest.raises(TypeError):
        compact({("tuple", "key"): 1})


def test_encoded_json_is_the_plain_data_form_on_every_case() -> None:
    """Recommendations and proofs are encoded with their shared parts as kept fragments; the plain dict form
    (`to_dict`) is the reference it must equal, byte for byte, on every shipped case."""
    from engine import load_case, load_engine
    from tests.conftest import ROOT

    engine = load_engine()
    checked = 0
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        for rec in engine.evaluate(load_case(path)).recommendations:
            assert rec.to_json(engine.shared) == compact(rec.to_dict()), (path.name, rec.rule_id)
            for proof in rec.explanation:
                assert proof.to_json(engine.shared) == compact(proof.to_dict()), (path.name, proof.rule_id)
            checked += 1
    assert checked > 200
