"""JSON: the output contract, one object, stable key order."""

from __future__ import annotations

import json
from typing import Any

from ..results import Result


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_json(result: Result, *, explain: bool = True, categories: tuple[str, ...] = ()) -> str:
    data = result.to_dict()
    if categories:
        data["recommendations"] = [r for r in data["recommendations"] if r["category"] in categories]
    return dumps(data)
