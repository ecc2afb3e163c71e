"""scripts/evidence_share.py: the knowledge base's share of judgement-only ERIC items, against an older revision."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from engine.rulepacks.loader import load_rulebase

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("evidence_share", ROOT / "scripts" / "evidence_share.py")
assert _spec is not None and _spec.loader is not None
share = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(share)


def test_over_long_keys_are_shortened_alike_and_short_ones_kept() -> None:
    long = "eric:assess_for_readiness_and_identify_barriers_and_facilitators"
    pack = {
        "rules": [{"id": "A", "key": long}, {"id": "B", "key": "eric:audit"}],
        "tables": [{"rows": [{"key": long}]}],
    }
    out = share.short_keys(pack)
    a, b, row = out["rules"][0]["key"], out["rules"][1]["key"], out["tables"][0]["rows"][0]["key"]
    assert a == row != long  # rules that shared the key still share one
    assert len(a) == share.KEY_ROOM and a.startswith("eric:assess_for_readiness")
    assert b == "eric:audit"  # within the room: as it was
    assert len("implementation_strategy:" + a) <= 64


def test_the_default_baseline_loads_under_today_s_loader() -> None:
    """The baseline's packs (before the 64-character item keys) load once their keys are shortened."""
    try:
        subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{share.BASELINE}^{{commit}}"], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the repository's history is not here (a shallow clone or an installed copy)")
    engine = share.baseline_engine(share.BASELINE)
    assert len(engine.base.rules) < len(load_rulebase().rules)  # the older, smaller knowledge base
    keyed = [r for r in engine.base.rules if r.key]
    assert keyed and all(len(f"{r.category}:{r.key}") <= 64 for r in keyed)
