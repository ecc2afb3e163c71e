"""engine/jsontext.compact is json.dumps's compact form to the byte, on every kind of value outputs hold."""

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
    1e300,
    float("nan"),
    float("inf"),
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


def test_string_is_compact_of_a_str() -> None:
    for text in ("a", "ü “x”", "line\nbreak", ""):
        assert string(text) == compact(text) == json.dumps(text, ensure_ascii=False)


def test_what_json_refuses_it_refuses() -> None:
    with pytest.raises(TypeError):
        compact({"a": object()})
    with pytest.raises(TypeError):
        compact({("tuple", "key"): 1})


def test_assembled_json_is_the_reference_form_on_every_case() -> None:
    """Recommendations and proofs build their JSON from cached pieces; the plain dict form
    (`_build_dict`) is the reference it must equal, byte for byte, on every shipped case."""
    from engine import load_case, load_engine
    from tests.conftest import ROOT

    engine = load_engine()
    checked = 0
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        for rec in engine.evaluate(load_case(path)).recommendations:
            assert rec.to_json() == compact(rec._build_dict()), (path.name, rec.rule_id)
            for proof in rec.explanation:
                assert proof.to_json() == compact(proof._build_dict()), (path.name, proof.rule_id)
            checked += 1
    assert checked > 200
