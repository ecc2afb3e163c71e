"""JSON: the output contract, one object, stable key order."""

from __future__ import annotations

import json
from typing import Any

from engine.model.results import Result
from engine.render.plantext import View, shown


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_json(result: Result, view: View | None = None) -> str:
    """The whole result; filters of the view keep only the recommendations they show (plan unchanged)."""
    view = view or View()
    data = result.to_dict()
    if view.categories or view.horizons or view.priorities or view.top is not None:
        keep = {rec.rule_id for rec, _ in shown(result, view)}
        data["recommendations"] = [r for r in data["recommendations"] if r["rule_id"] in keep]
    return dumps(data)
