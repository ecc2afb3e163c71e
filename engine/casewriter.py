"""Writing a case file: validated first, keys in contract order, atomically.

Used by the interview to save progress after every answer, so what is on disk is always a
complete, valid case that `--from` can resume.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from . import vocabulary as v
from .case import Case, case_from_data
from .outputs import atomic_write

HEADER = "# ISP Advisor case file (see README: 'The case file'). Edit freely or resume with\n" \
         "# 'isp-advisor interview --from {name}'.\n"


def case_data(case: Case) -> dict[str, Any]:
    """A case as plain nested data in contract order; CFIR ratings in framework order."""
    data = case.model_dump(exclude_none=True)
    if "cfir" in data:
        order = list(v.CFIR_IDS)
        data["cfir"] = dict(sorted(data["cfir"].items(), key=lambda kv: order.index(kv[0])))
    return {k: val for k, val in data.items() if val not in ({}, [], "")}


def dump_case(case: Case, name: str = "case.yaml") -> str:
    """YAML text of a case, deterministic for the same case."""
    body = yaml.safe_dump(case_data(case), sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)
    return HEADER.format(name=name) + body


def write_case(path: str | os.PathLike[str], data: dict[str, Any], force: bool = False) -> Case:
    """Validate `data` as a case and write it to `path` in one atomic step."""
    case = case_from_data(data, str(path))
    atomic_write(path, dump_case(case, Path(path).name), force)
    return case
