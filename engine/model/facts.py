"""The fact schema: every path a rule may test, its kind and its vocabulary.

A validated case is flattened into `Facts`, a plain dict from dotted path to value, which is
what both evaluators (durable_rules and the plain-Python explainer) read.
"""

from __future__ import annotations

import re
from typing import Any, Literal, TypeAlias, get_args

import msgspec

from engine.model import sitevocab as sv
from engine.model import vocabulary as v

Kind = Literal["text", "enum", "ordered", "rating", "bool", "list", "derived"]

DERIVED_PREFIX = "derived."


Scalar: TypeAlias = str | int | float | bool | None
"""One value: what a test compares with (a list of them for `in` and `not_in`), and a fact that is not a list."""

FactValue: TypeAlias = Scalar | list[str]
"""A fact's value: a rating, a level or another scalar, a flag, or a list of ids (None: not stated)."""


class FactSpec(msgspec.Struct, frozen=True):
    """What one fact path holds."""

    path: str
    kind: Kind
    values: tuple[Scalar, ...] = ()
    label: str = ""

    @property
    def ordered(self) -> bool:
        return self.kind in ("ordered", "rating")

    def rank(self, value: object) -> int | None:
        """Position of `value` on an ordered scale (ratings are their own rank; mixed has none)."""
        if self.kind == "rating":
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if self.kind == "ordered":
            try:
                return self.values.index(value)
            except ValueError:
                return None
        return None


def _spec(path: str, kind: Kind, values: tuple[Scalar, ...] = (), label: str = "") -> FactSpec:
    return FactSpec(path, kind, values, label)


SITE_COUNTS: tuple[int, ...] = tuple(range(1, 1001))
"""`scope.sites` is a count; as an ordered scale of 1..1000 it takes lt/gte like any ordered fact."""

CAPACITY_LEVELS: tuple[str, ...] = ("individual", "organization", "network", "system")
"""The levels of the system whose capacity a case may rate (ISP Profile: all types, all levels)."""

PEOPLE_COUNTS: tuple[int, ...] = tuple(range(sv.MAX_PEOPLE + 1))
"""How many people of a group (or stance, or leaving) a case lists: an ordered scale of 0..MAX_PEOPLE."""

DAY_COUNTS: tuple[int, ...] = tuple(range(sv.MAX_DAYS + 1))
"""Days since or until a dated event: an ordered scale of 0..MAX_DAYS (longer reads as MAX_DAYS)."""

SITE_SECTIONS: tuple[str, ...] = ("people", "problem", "events", "assets")
"""The case sections of the site's own facts: their facts are computed (engine/model/sitefacts.py),
some against the reference date, not flattened."""


def _site_specs() -> list[FactSpec]:
    out: list[FactSpec] = []
    for group in sv.PEOPLE_GROUPS:
        words = group.replace("_", " ")
        out.append(FactSpec(f"people.{group}.count", "ordered", PEOPLE_COUNTS, f"People listed ({words})"))
        out += [
            FactSpec(f"people.{group}.stance.{st}", "ordered", PEOPLE_COUNTS, f"People listed ({words}, {st})")
            for st in sv.STANCES
        ]
        out.append(FactSpec(f"people.{group}.leaving", "ordered", PEOPLE_COUNTS, f"People leaving ({words})"))
        out.append(
            FactSpec(
                f"people.{group}.leaving_days_until",
                "ordered",
                DAY_COUNTS,
                f"Days until the first of the {words} leaves",
            )
        )
    out += [
        FactSpec(f"problem.{tag}", "bool", (True,), f"Problem stated: {tag.replace('_', ' ')}")
        for tag in sv.PROBLEM_TAGS
    ]
    for kind in sv.EVENT_KINDS:
        words = kind.replace("_", " ")
        out.append(FactSpec(f"events.{kind}.days_since", "ordered", DAY_COUNTS, f"Days since the last {words}"))
        out.append(FactSpec(f"events.{kind}.days_until", "ordered", DAY_COUNTS, f"Days until the next {words}"))
    out += [FactSpec(f"assets.{kind}", "bool", (True,), f"Asset: {kind.replace('_', ' ')}") for kind in sv.ASSET_KINDS]
    return out


_LEVEL_PATHS = ("relationships.trust", "power.differential") + tuple(f"capacity.{c}" for c in v.CAPACITY_TYPES)

FACTS: dict[str, FactSpec] = {
    s.path: s
    for s in [
        _spec("case_id", "text", label="Case id"),
        _spec("site", "text", label="Site"),
        _spec("innovation", "text", label="Innovation"),
        _spec("setting", "enum", v.SETTINGS, "Setting"),
        _spec("stage", "ordered", v.STAGES, "Implementation stage"),
        _spec("challenge.type", "enum", v.CHALLENGE_TYPES, "Challenge type"),
        _spec("challenge.summary", "text", label="Challenge summary"),
        _spec("engagement.level", "ordered", tuple(v.ENGAGEMENT_LEVELS), "Community engagement now"),
        _spec("engagement.target", "ordered", tuple(v.ENGAGEMENT_LEVELS), "Community engagement wanted"),
        _spec("power.differential", "ordered", v.LEVELS, "Power differential"),
        _spec("power.decision_making", "ordered", v.DECISION_MAKING, "Who makes decisions"),
        _spec("relationships.trust", "ordered", v.LEVELS, "Trust"),
        *(_spec(f"capacity.{c}", "ordered", v.LEVELS, name) for c, name in v.CAPACITY_TYPES.items()),
        _spec("leadership.transition", "bool", (True, False), "Leadership transition under way"),
        _spec("leadership.emerging_leaders", "bool", (True, False), "Emerging leaders being cultivated"),
        _spec("equity.priority_populations", "list", label="Priority populations"),
        _spec("equity.disparities_identified", "bool", (True, False), "Disparities identified"),
        _spec("equity.structural_racism_acknowledged", "bool", (True, False), "Structural racism acknowledged"),
        _spec("equity.community_defined_evidence", "bool", (True, False), "Community-defined evidence used"),
        _spec("equity.cultural_adaptation", "ordered", v.CULTURAL_ADAPTATION, "Cultural adaptation"),
        _spec("equity.tribal_sovereignty", "bool", (True, False), "Under a Tribal Nation's sovereign authority"),
        _spec("scope.sites", "ordered", SITE_COUNTS, "Number of sites"),
        *(
            _spec(f"capacity_levels.{lvl}", "ordered", v.LEVELS, f"Capacity at the {lvl} level")
            for lvl in CAPACITY_LEVELS
        ),
        _spec("notes", "text", label="Notes"),
        *(
            _spec(f"cfir.{cid}", "rating", (*v.RATING_VALUES, v.MIXED), f"CFIR: {name}")
            for cid, name in v.CFIR_IDS.items()
        ),
        *_site_specs(),
    ]
}

KEY_FACTS: tuple[str, ...] = (
    "stage",
    "challenge.type",
    "engagement.level",
    "engagement.target",
    "power.differential",
    "power.decision_making",
    "relationships.trust",
    "capacity.intervention_specific",
    "capacity.general",
    "capacity.analytic",
    "capacity.adaptive",
)
"""Facts a case is expected to state; rules that read them make them 'missing information'."""


GROUPS: tuple[str, ...] = v.GROUPS
"""The groups whose perspectives a case may hold (case.Perspective.group)."""

DIRECTIONS: tuple[str, ...] = ("improved", "worsened", "unchanged", "new", "gone")
"""The values of a `change.<path>` fact (engine/model/changes.py)."""

PERSPECTIVE_SECTIONS: tuple[str, ...] = ("cfir", "relationships", "engagement", "power", "capacity")
"""The sections a perspective may state."""

COMPUTED_FAMILIES: dict[str, str] = {
    "derived.divergent.": "bool",
    "derived.community_lower.": "bool",
    "derived.lowest_group.": "groups",
    "derived.highest_group.": "groups",
    "derived.missing_group.": "bool",
    "derived.resolved.": "bool",
    "change.": "directions",
}
"""Computed facts: set by the engine before any rule runs (engine/model/perspectives.py and
engine/model/changes.py), not derived by rules. Their names carry a second dot (`derived.divergent.
cfir.innovation.design`), which a rule-derived name (one word) never has, so the two never meet."""


def perspective_path(path: str) -> bool:
    """A fact path a perspective may state (and groups may diverge on)."""
    return path.split(".", 1)[0] in PERSPECTIVE_SECTIONS and path in FACTS


def change_path(path: str) -> bool:
    """A fact path with a direction of change (a rating or an ordered scale with a better end)."""
    return path in FACTS and (
        path.startswith(("cfir.", "capacity.", "capacity_levels.", "engagement."))
        or path in ("relationships.trust", "power.differential", "power.decision_making")
    )


def computed_spec(path: str) -> FactSpec | None:
    """The spec of a computed fact path, or None when `path` is not one."""
    for prefix, kind in COMPUTED_FAMILIES.items():
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        if prefix == "derived.missing_group.":
            ok = rest in GROUPS
        elif prefix == "change.":
            ok = change_path(rest)
        elif prefix == "derived.resolved.":
            ok = rest == "any" or (rest.startswith("cfir.") and rest in FACTS)
        elif prefix in ("derived.divergent.", "derived.community_lower."):
            ok = rest == "any" or perspective_path(rest)
        else:
            ok = perspective_path(rest)
        if not ok:
            return None
        if kind == "bool":
            return FactSpec(path, "bool", (True, False))
        return FactSpec(path, "enum", GROUPS if kind == "groups" else DIRECTIONS)
    return None


def is_computed(path: str) -> bool:
    return computed_spec(path) is not None


def spec_for(path: str) -> FactSpec | None:
    """The spec of a path; computed facts have their own; rule-derived facts share one open spec."""
    if path in FACTS:
        return FACTS[path]
    computed = computed_spec(path)
    if computed is not None or path.startswith(tuple(COMPUTED_FAMILIES)):
        return computed
    if path.startswith(DERIVED_PREFIX) and len(path) > len(DERIVED_PREFIX):
        return FactSpec(path, "derived")
    return FACTS.get(path)


Facts: TypeAlias = dict[str, FactValue]


def one_value(value: FactValue) -> Scalar:
    """A fact's value where the fact holds one value: a rated, ordered or enumerated fact is never a list."""
    if isinstance(value, list):
        raise TypeError(f"one value expected, not the list {value!r}")
    return value


_STAGES: dict[str, v.Stage] = {s: s for s in get_args(v.Stage)}


def stage_value(facts: Facts) -> v.Stage | None:
    """The implementation stage the facts state, or None."""
    value = facts.get("stage")
    return _STAGES.get(value) if isinstance(value, str) else None


def text_value(facts: Facts, path: str) -> str | None:
    """The fact's value when it is text (a stage, a level, an id), else None."""
    value = facts.get(path)
    return value if isinstance(value, str) else None


NOT_FACTS = frozenset({"perspectives", "assessed_on", "assessed_by", *SITE_SECTIONS})
"""Case keys that are not facts: the groups' views are combined by engine.model.perspectives; dates and
assessors only order assessments."""


def flatten(data: dict[str, Any]) -> Facts:
    """Case data (as the validated model dumps it) -> {dotted path: value}, unstated facts left out."""
    out: Facts = {}
    for key, val in data.items():
        if val is None or key in NOT_FACTS:
            continue
        if key == "cfir":
            for cid, rating in val.items():
                if rating is not None:
                    out[f"cfir.{cid}"] = rating
        elif isinstance(val, dict):
            for sub, sval in val.items():
                if sval is not None and sval != []:
                    out[f"{key}.{sub}"] = sval
        elif val != "":
            out[key] = val
    return out


LIST_SEPARATOR = ";"
"""What separates the items of a list typed as one line of text (the interview, `whatif --set`)."""

TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "0"})
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_value(path: str, text: str) -> FactValue:
    """Typed text -> the value the case contract expects at `path`, read by the fact's kind.

    bool: yes/no, true/false, y/n, 1/0 (any case); rating: an integer (-2..2, '+1' accepted) or
    'mixed' ('m'); list: items separated by ';', trimmed, empty ones dropped; ordered, enum and
    text: the text as given. Text that cannot be read as its kind is returned unchanged, for the
    caller or the case model to refuse with its own message.
    """
    text = text.strip()
    spec = spec_for(path)
    kind = spec.kind if spec is not None else "text"
    word = text.lower()
    if kind == "bool":
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    if kind == "rating":
        if word in ("m", v.MIXED):
            return v.MIXED
        return int(word) if _INTEGER.fullmatch(word) else text
    if kind == "list":
        return [x.strip() for x in text.split(LIST_SEPARATOR) if x.strip()]
    return text
