"""What changed between two assessments of one site, as data and as facts rules can read.

`direction` is the one definition of better and worse used by `compare` and by
`recommend --previous`: a CFIR rating moving toward facilitator (-2 .. -1 .. mixed .. 0 .. +2),
more trust or capacity, engagement further along the spectrum (now or wanted), decisions further
toward community-led, a lower power differential are `improved`; the opposite `worsened`; a fact
stated only now is `new`, one no longer stated `gone`.

Computed facts (facts.COMPUTED_FAMILIES), set before rules run when a previous assessment is given:
`change.<path>` = improved | worsened | unchanged | new | gone for every directional fact stated
in either assessment; `derived.resolved.<cfir path>` true when a CFIR barrier (-1, -2 or mixed)
of the previous assessment is now rated 0 or above; `derived.resolved.any` whether any was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeAlias

import msgspec

from engine.model.conditions import fmt_value
from engine.model.facts import FACTS, Facts, FactValue, Scalar, change_path, one_value
from engine.model.perspectives import Origins
from engine.model.traces import is_barrier

_RATING_ORDER = {-2: 0.0, -1: 1.0, "mixed": 1.5, 0: 2.0, 1: 3.0, 2: 4.0}
_LOWER_IS_BETTER = frozenset({"power.differential"})


def goodness(path: str, value: FactValue) -> float:
    """Higher is better on the fact's scale (see the module docstring)."""
    spec = FACTS[path]
    if spec.kind == "rating":
        return _RATING_ORDER[value]
    rank = float(spec.values.index(value))
    return -rank if path in _LOWER_IS_BETTER else rank


Direction: TypeAlias = Literal["improved", "worsened", "unchanged", "new", "gone"]
"""Which way a fact went between two assessments (see the module docstring)."""


def direction(path: str, old: FactValue, new: FactValue) -> Direction:
    """improved | worsened | unchanged | new | gone (None means not stated)."""
    if old is None:
        return "new"
    if new is None:
        return "gone"
    a, b = goodness(path, old), goodness(path, new)
    return "improved" if b > a else "worsened" if b < a else "unchanged"


class FactChange(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    """One directional fact stated in either assessment: its value in each (None: not stated) and which
    way it went. msgspec writes it as `{"path", "from", "to", "direction"}`, as `to_dict()` does."""

    path: str
    old: Annotated[Scalar, msgspec.Meta(description="its value in the earlier assessment (null: not stated)")] = (
        msgspec.field(name="from")
    )
    new: Annotated[Scalar, msgspec.Meta(description="its value in the later assessment (null: not stated)")] = (
        msgspec.field(name="to")
    )
    direction: Direction

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "from": self.old, "to": self.new, "direction": self.direction}


def fact_changes(old: Facts, new: Facts) -> list[FactChange]:
    """Every directional fact stated in either assessment, in the fact schema's order."""
    return [
        FactChange(p, one_value(old.get(p)), one_value(new.get(p)), direction(p, old.get(p), new.get(p)))
        for p in FACTS
        if change_path(p) and (p in old or p in new)
    ]


def resolved(old: Facts, new: Facts) -> list[str]:
    """CFIR paths rated a barrier before and 0 or above now (not stated now is not resolved)."""
    return [
        p for p in FACTS if p.startswith("cfir.") and is_barrier(old.get(p)) and p in new and not is_barrier(new[p])
    ]


def change_facts(
    old: Facts, new: Facts, old_label: str, new_label: str, wanted: Callable[[str], bool] | None = None
) -> tuple[Facts, Origins]:
    """The computed `change.*` and `derived.resolved.*` facts that `wanted` accepts, with notes."""
    keep = wanted or (lambda _: True)
    facts: Facts = {}
    origins: Origins = {}
    for c in fact_changes(old, new):
        key = f"change.{c.path}"
        if keep(key):
            facts[key] = c.direction
            origins[key] = ("previous", f"{_show(c.old)} on {old_label}, {_show(c.new)} on {new_label}")
    done = resolved(old, new)
    for p in done:
        key = f"derived.resolved.{p}"
        if keep(key):
            facts[key] = True
            origins[key] = ("previous", f"{fmt_value(old[p])} on {old_label}, {fmt_value(new[p])} on {new_label}")
    if keep("derived.resolved.any"):
        facts["derived.resolved.any"] = bool(done)
        origins["derived.resolved.any"] = (
            "previous",
            "resolved since " + old_label + ": " + (", ".join(p[5:] for p in done) or "none"),
        )
    return facts, origins


def _show(value: FactValue) -> str:
    return "not stated" if value is None else fmt_value(value)


__all__ = ["direction", "goodness", "FactChange", "fact_changes", "resolved", "change_facts"]
