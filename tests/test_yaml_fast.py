"""The fast YAML path (engine.io.documents._plain_yaml) builds exactly what the checked path builds,
and leaves everything it does not handle to the checked path, which reports it as before."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ROOT

from engine.io import documents as d

sys.path.insert(0, str(ROOT / "bench"))
from generate import cases  # noqa: E402

PLAIN = {
    "scalars": "a: yes\nb: 0o17\nc: 1:30\nd: 2024-01-02\ne: ~\nf: 1.5\ng: '007'\nh: -2\n1: int key\n",
    "nested": "case_id: x\ncfir:\n  innovation.complexity: -2\nequity:\n  priority_populations: [a, b]\n",
    "escapes": 'site: "caf\\u00e9 \\t tab"\n',
    "flow": "{a: [1, {b: c}], d: null}\n",
}
REFUSED = {
    "alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!python/object:os.system x\n",
    "set": "a: !!set {x}\n",
    "merge": "base: &b {x: 1}\nc:\n  <<: *b\n",
    "duplicate": "a: 1\na: 2\n",
    "deep": "a: " + "[" * 150 + "]" * 150 + "\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "unhashable key": "? [1, 2]\n: x\n",
    "lone surrogate": 'a: "\\ud800"\n',
    "key tag": "!!binary a: 1\n",
    "syntax": "a: [1, 2\n",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_plain_yaml_is_built_as_the_checked_path_builds_it(text: str) -> None:
    fast, slow = d._plain_yaml(text, "x.yaml"), d._checked_yaml(text, "x.yaml", d.CaseError)
    assert fast is not None
    assert (fast.data, fast.lines) == (slow.data, slow.lines)


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_anything_else_goes_to_the_checked_path(text: str) -> None:
    assert d._plain_yaml(text, "x.yaml") is None
    with pytest.raises(d.CaseError):
        d.parse(text, "x.yaml")


def test_generated_and_shipped_cases_parse_the_same_both_ways() -> None:
    import yaml

    texts = [yaml.safe_dump(c, sort_keys=False) for c in cases(300, seed=7)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "cases").rglob("*.yaml"))]
    for text in texts:
        fast, slow = d._plain_yaml(text, "x.yaml"), d._checked_yaml(text, "x.yaml", d.CaseError)
        assert fast is not None and (fast.data, fast.lines) == (slow.data, slow.lines)


def test_errors_keep_their_lines(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("case_id: x\nstage: installation\nstage: sustainment\n", encoding="utf-8")
    with pytest.raises(d.CaseError) as err:
        d.load(f)
    assert err.value.problems[0].line == 3 and err.value.problems[0].code == "duplicate_key"
