"""Hypothesis strategies for valid case data (used by cross-checks and property tests)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from engine.model import vocabulary as v
from engine.model.facts import FACTS

_RATINGS = st.sampled_from([*v.RATING_VALUES, v.MIXED])


def _value(path: str) -> st.SearchStrategy[Any]:
    spec = FACTS[path]
    if spec.kind == "rating":
        return _RATINGS
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "list":
        return st.lists(st.sampled_from(["older adults", "Black families", "rural youth"]), min_size=1, max_size=2)
    if spec.kind == "text":
        return st.text(alphabet="abcdefgh xyz", min_size=1, max_size=12)
    return st.sampled_from(spec.values)


_PATHS = [p for p in FACTS if p != "case_id"]


@st.composite
def case_data(draw: st.DrawFn, cfir_share: float = 0.3) -> dict[str, Any]:
    """A valid case as nested data: a random subset of facts with random valid values."""
    data: dict[str, Any] = {"case_id": draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True))}
    non_cfir = [p for p in _PATHS if not p.startswith("cfir.")]
    cfir = [p for p in _PATHS if p.startswith("cfir.")]
    chosen = draw(st.lists(st.sampled_from(non_cfir), unique=True, max_size=len(non_cfir)))
    chosen += draw(st.lists(st.sampled_from(cfir), unique=True, max_size=int(len(cfir) * cfir_share) + 1))
    for path in chosen:
        value = draw(_value(path))
        if path.startswith("cfir."):
            data.setdefault("cfir", {})[path[5:]] = value
        elif "." in path:
            section, key = path.split(".", 1)
            data.setdefault(section, {})[key] = value
        else:
            data[path] = value
    return data
