"""Each closed vocabulary is declared once (engine/model/vocabulary.py, as the Literal type the models use);
the tuples and maps are read from it, and no other module spells the same list again (issue 24)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from engine.model import vocabulary as v

ROOT = Path(__file__).resolve().parents[1]

DECLARED = {
    "Stage": v.STAGES,
    "Level": v.LEVELS,
    "DecisionMaking": v.DECISION_MAKING,
    "ChallengeType": v.CHALLENGE_TYPES,
    "CulturalAdaptation": v.CULTURAL_ADAPTATION,
    "Setting": v.SETTINGS,
    "Group": v.GROUPS,
    "Category": v.CATEGORIES,
    "Priority": v.PRIORITIES,
}


def test_the_tuples_are_read_from_the_declared_types() -> None:
    for name, values in DECLARED.items():
        assert get_args(getattr(v, name)) == values, name
    assert get_args(v.EngagementLevel) == tuple(v.ENGAGEMENT_LEVELS)
    assert get_args(v.Horizon) == tuple(v.HORIZONS)
    assert tuple(v.CATEGORY_TITLES) == v.CATEGORIES


def test_no_other_module_spells_a_declared_vocabulary_again() -> None:
    lists = {frozenset(get_args(getattr(v, n))): n for n in (*DECLARED, "EngagementLevel", "Horizon")}
    found = []
    for f in sorted((ROOT / "engine").rglob("*.py")):
        if f.name == "vocabulary.py":
            continue
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
                elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                values = frozenset(e.value for e in elts if isinstance(e, ast.Constant))
                if values in lists:
                    found.append(f"{f.relative_to(ROOT)}:{node.lineno} spells {lists[values]}")
    assert found == []


def test_the_models_use_the_declared_types() -> None:
    from engine.model.case import Case

    stage = Case.model_fields["stage"].annotation
    assert v.Stage in get_args(stage) or stage == v.Stage
