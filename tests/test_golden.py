"""Golden outputs: the example cases' JSON output is pinned, byte for byte.

When a rule change is intended, regenerate with `python scripts/update_golden.py` and review the
diff of tests/golden/: every changed line is a change in what practitioners are told.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine, load_case
from engine.render.jsonout import render_json
from tests.conftest import CASES, ROOT

EXAMPLES = sorted(CASES.glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"


def test_every_example_has_a_golden_output() -> None:
    assert len(EXAMPLES) >= 10
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(p.stem for p in EXAMPLES)


@pytest.mark.parametrize("case", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_output_matches_golden(shipped_engine: Engine, case: Path) -> None:
    expected = (GOLDEN / f"{case.stem}.json").read_text(encoding="utf-8")
    # the goldens are written with durable_rules; the plain matcher gives the same output but its name
    expected = expected.replace('"matcher": "durable"', f'"matcher": "{shipped_engine.matcher.name}"')
    actual = render_json(shipped_engine.evaluate(load_case(case)))
    assert actual == expected, f"{case.name}: output changed; if intended run `python scripts/update_golden.py`"
