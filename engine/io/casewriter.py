"""Writing a case file: validated first, keys in contract order, atomically.

Used by the interview to save progress after every answer, so what is on disk is always a
complete, valid case that `--from` can resume. A path ending in `.json` gets JSON, any other
YAML. `get` and `put` read and change nested case data by fact path (the interview and what-if).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from engine.io.caseload import case_from_data
from engine.io.outputs import atomic_write
from engine.model import vocabulary as v
from engine.model.case import Case

HEADER = (
    "# ISP Advisor case file (see README: 'The case file'). Edit freely or resume with\n"
    "# 'isp-advisor interview --from {name}'.\n"
)


def case_data(case: Case) -> dict[str, Any]:
    """A case as plain nested data in contract order; CFIR ratings in framework order."""
    data = case.model_dump(exclude_none=True)
    if "cfir" in data:
        order = list(v.CFIR_IDS)
        data["cfir"] = dict(sorted(data["cfir"].items(), key=lambda kv: order.index(kv[0])))
    return {k: val for k, val in data.items() if val not in ({}, [], "")}


def dump_case(case: Case, name: str = "case.yaml") -> str:
    """YAML text of a case, deterministic for the same case."""
    body = yaml.safe_dump(case_data(case), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return HEADER.format(name=name) + body


def dump_case_json(case: Case) -> str:
    """JSON text of a case (indent 2, the same key order as the YAML), deterministic for the same case."""
    return json.dumps(case_data(case), indent=2, ensure_ascii=False) + "\n"


def is_json_path(path: str | os.PathLike[str]) -> bool:
    """Whether a case written to `path` is JSON (the name ends in .json) rather than YAML."""
    return Path(path).suffix.lower() == ".json"


def write_case(path: str | os.PathLike[str], data: dict[str, Any], force: bool = False) -> Case:
    """Validate `data` as a case and write it to `path` in one atomic step (JSON for a .json path, else YAML)."""
    case = case_from_data(data, str(path))
    text = dump_case_json(case) if is_json_path(path) else dump_case(case, Path(path).name)
    atomic_write(path, text, force)
    return case


def get(data: dict[str, Any], path: str) -> Any:
    """The value at a fact path in nested case data, or None."""
    section, key = _split(path)
    if key is None:
        return data.get(section)
    return (data.get(section) or {}).get(key)


def put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, for None, remove) the value at a fact path, dropping sections left empty."""
    section, key = _split(path)
    if key is None:
        if value is None:
            data.pop(section, None)
        else:
            data[section] = value
        return
    inner = dict(data.get(section) or {})
    if value is None:
        inner.pop(key, None)
    else:
        inner[key] = value
    if inner:
        data[section] = inner
    else:
        data.pop(section, None)


def _split(path: str) -> tuple[str, str | None]:
    section, _, key = path.partition(".")
    return section, key or None
