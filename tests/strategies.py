"""Hypothesis strategies for valid case data (used by cross-checks and property tests)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from engine.model import sitevocab as sv
from engine.model import vocabulary as v
from engine.model.facts import FACTS, SITE_SECTIONS

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


_PATHS = [p for p in FACTS if p != "case_id" and p.split(".", 1)[0] not in SITE_SECTIONS]
_DATES = st.dates(
    min_value=__import__("datetime").date(2025, 1, 1), max_value=__import__("datetime").date(2027, 12, 31)
).map(lambda d: d.isoformat())

_PERSON = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["nurse", "director", "parent", "elder"]),
        "group": st.sampled_from(list(sv.PEOPLE_GROUPS)),
    },
    optional={
        "name": st.sampled_from(["Ana Ruiz", "Sam Lee"]),
        "stance": st.sampled_from(list(sv.STANCES)),
        "status": st.just("leaving"),
        "until": _DATES,
    },
)


def _person_ok(p: dict[str, Any]) -> dict[str, Any]:
    if "until" in p and p.get("status") != "leaving":
        p = {**p, "status": "leaving"}
    return p


@st.composite
def site_sections(draw: st.DrawFn) -> dict[str, Any]:
    """People, problem tags, events and assets, and sometimes an assessment date to count days from."""
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["people"] = [_person_ok(p) for p in draw(st.lists(_PERSON, max_size=5))]
    if draw(st.booleans()):
        out["problem"] = {"tags": draw(st.lists(st.sampled_from(list(sv.PROBLEM_TAGS)), unique=True, max_size=4))}
    if draw(st.booleans()):
        out["events"] = draw(
            st.lists(st.fixed_dictionaries({"kind": st.sampled_from(list(sv.EVENT_KINDS)), "on": _DATES}), max_size=3)
        )
    if draw(st.booleans()):
        out["assets"] = draw(
            st.lists(st.fixed_dictionaries({"kind": st.sampled_from(list(sv.ASSET_KINDS))}), max_size=3)
        )
    if draw(st.booleans()):
        out["assessed_on"] = draw(_DATES)
    return out


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
    data.update(draw(site_sections()))
    return data
