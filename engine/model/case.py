"""The case file contract: one site's context, validated completely before any rule runs."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from engine.errors import FieldInvalid, did_you_mean
from engine.model import sitevocab as sv
from engine.model import vocabulary as v
from engine.model.dates import parse_date
from engine.model.facts import Facts, flatten
from engine.model.vocabulary import (  # noqa: E402 - the contract's vocabularies, declared once
    ChallengeType,
    CulturalAdaptation,
    DecisionMaking,
    EngagementLevel,
    Group,
    Level,
    Setting,
    Stage,
)

CASE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z")


def _rating(value: Any) -> Any:
    if isinstance(value, bool) or value not in (*v.RATING_VALUES, v.MIXED):
        if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("+-").isdigit():
            value = int(value)
            if value in v.RATING_VALUES:
                return value
        raise FieldInvalid(
            f"rating {value!r} is out of range",
            "ratings are -2, -1, 0, 1, 2 or mixed (-2 strong barrier .. +2 strong facilitator)",
        )
    return value


def _cfir_id(value: str) -> str:
    if value not in v.CFIR_IDS:
        hint = did_you_mean(value, v.CFIR_IDS) or "see 'isp-advisor schema case' or docs for the CFIR 2.0 ids"
        raise FieldInvalid(f"unknown CFIR 2.0 construct id '{value}'", f"{hint}")
    return value


def _case_id(value: str) -> str:
    if not CASE_ID_RE.match(value):
        raise FieldInvalid(
            f"case_id {value!r} is not allowed",
            "use letters, digits, '-' and '_' (at most 128), starting with a letter or digit",
        )
    return value


def _iso_date(value: Any) -> str:
    """A calendar date as ISO text (YAML reads 2026-03-01 as a date, JSON as a string)."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return parse_date(value).isoformat()
        except ValueError:
            pass
    raise FieldInvalid(f"{value!r} is not a date", "write the date as YYYY-MM-DD, e.g. 2026-03-01")


Rating = Annotated[int | str, BeforeValidator(_rating)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
CfirId = Annotated[str, AfterValidator(_cfir_id)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Challenge(_Section):
    type: ChallengeType | None = Field(
        None, description="technical: easy to name and solve; adaptive: no easy answer, needs learning; mixed: both"
    )
    summary: LongText | None = None


class Engagement(_Section):
    level: EngagementLevel | None = Field(
        None, description="Where the community stands now on the Spectrum of Community Engagement to Ownership"
    )
    target: EngagementLevel | None = Field(None, description="Where the site wants to be")


class Power(_Section):
    differential: Level | None = None
    decision_making: DecisionMaking | None = None


class Relationships(_Section):
    trust: Level | None = None


class Capacity(_Section):
    intervention_specific: Level | None = None
    general: Level | None = None
    analytic: Level | None = None
    adaptive: Level | None = None


class Leadership(_Section):
    transition: bool | None = None
    emerging_leaders: bool | None = None


class Equity(_Section):
    priority_populations: list[FreeText] | None = None
    disparities_identified: bool | None = None
    structural_racism_acknowledged: bool | None = None
    community_defined_evidence: bool | None = None
    cultural_adaptation: CulturalAdaptation | None = None
    tribal_sovereignty: bool | None = Field(
        None,
        description="The work happens under the authority of a sovereign "
        "Tribal Nation's government (its approvals and data governance apply)",
    )


class Scope(_Section):
    sites: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="How many sites the work spans (1 = a single "
        "site); two or more call for support to the sites together as well",
    )


RATING_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,99}\Z")


def _rating_key(value: str) -> str:
    if not RATING_KEY_RE.match(value):
        raise FieldInvalid(
            f"ratings key {value!r} is not a rule id or an ERIC strategy id",
            "e.g. TS-INTENSIVE-EARLY or promote_adaptability",
        )
    return value


def _one_to_five(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise FieldInvalid(f"{value!r} is out of range", "go-zone ratings are whole numbers 1 (least) to 5 (most)")
    return value


GoZoneRating = Annotated[int, BeforeValidator(_one_to_five)]


class StrategyRating(_Section):
    """The team's own go-zone ratings of one strategy (1 = least, 5 = most); they override the published priors."""

    importance: GoZoneRating | None = None
    feasibility: GoZoneRating | None = None


class Outcomes(_Section):
    """Service and client outcomes the site wants to move (the logic model's last columns)."""

    service: list[str] | None = None
    client: list[str] | None = None


class CapacityLevels(_Section):
    individual: Level | None = None
    organization: Level | None = None
    network: Level | None = None
    system: Level | None = None


class Perspective(_Section):
    """The same facts as one group sees them (engine/model/perspectives.py combines and compares them)."""

    group: Group = Field(
        description="Whose view: leadership, staff, community_members, recipients, partners, funders or other"
    )
    label: str | None = Field(None, description="Free text naming the group, e.g. 'Parent advisory group'")
    cfir: dict[CfirId, Rating] | None = None
    relationships: Relationships | None = None
    engagement: Engagement | None = None
    power: Power | None = None
    capacity: Capacity | None = None

    @model_validator(mode="after")
    def _states_something(self) -> Perspective:
        if not any(_stated(getattr(self, k)) for k in ("cfir", "relationships", "engagement", "power", "capacity")):
            raise FieldInvalid(
                f"the {self.group} perspective states nothing",
                "give at least one of cfir, relationships, engagement, power or capacity, or remove the entry",
            )
        return self


def _stated(section: Any) -> bool:
    if isinstance(section, dict):
        return bool(section)
    return section is not None and any(val is not None for val in section.model_dump().values())


def vocabulary_check(name: str, ids: dict[str, str]) -> Callable[[str], str]:
    """A validator: the value must be one of `ids`, else refused with a did-you-mean and the list."""

    def check(value: str) -> str:
        if value not in ids:
            hint = did_you_mean(value, ids) if len(value) <= 80 else ""
            raise FieldInvalid(f"unknown {name} {value!r}", (hint + "; " if hint else "") + "one of: " + ", ".join(ids))
        return value

    return check


def _vocabulary_id(name: str, ids: dict[str, str]) -> Any:
    """A str type whose value must be one of `ids` (vocabulary_check) and that the schema lists."""
    return Annotated[
        str, AfterValidator(vocabulary_check(name, ids)), WithJsonSchema({"type": "string", "enum": list(ids)})
    ]


if TYPE_CHECKING:  # plain text to the type checker; a vocabulary id to pydantic
    PeopleGroup = str
    Stance = str
    Status = str
    ProblemTag = str
    EventKind = str
    AssetKind = str
else:
    PeopleGroup = _vocabulary_id("people group", sv.PEOPLE_GROUPS)
    Stance = _vocabulary_id("stance", sv.STANCES)
    Status = _vocabulary_id("status", sv.STATUSES)
    ProblemTag = _vocabulary_id("problem tag", sv.PROBLEM_TAGS)
    EventKind = _vocabulary_id("event kind", sv.EVENT_KINDS)
    AssetKind = _vocabulary_id("asset kind", sv.ASSET_KINDS)


def _plain_text(value: str) -> str:
    """Words as a person writes them: something besides spaces, and no control characters (a terminal escape
    or a bare carriage return in a role or a summary would reach every rendering of the plan)."""
    if not value.strip():
        raise FieldInvalid("is empty", "write the words, or leave the field out")
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t"), None)
    if bad is not None:
        raise FieldInvalid(f"holds a control character ({bad!r})", "write it on one line, as plain text")
    return " ".join(value.split())


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _free_text(value: str) -> str:
    """Free text (a site's name, a summary, notes): any words and line breaks, but no control characters
    (a terminal escape, a bare carriage return, a bidirectional override would reach every rendering, a
    terminal or a spreadsheet)."""
    bad = next((c for c in value if (unicodedata.category(c) == "Cc" and c not in "\t\n") or c in _BIDI_CONTROLS), None)
    if bad is not None:
        raise FieldInvalid(f"holds a control character ({bad!r})", "remove it: plain text and line breaks only")
    return value


FreeText = Annotated[str, Field(max_length=500), AfterValidator(_free_text)]
"""A name or a short phrase (a site, a program, a population)."""
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(_free_text)]
"""Notes and summaries: a few pages at most (a batch of 150 cases with 1 MB each made hundreds of MB)."""
ShortText = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_plain_text)]
Summary = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_plain_text)]


class Person(_Section):
    """Someone involved: a role alone is enough, a name is optional."""

    name: ShortText | None = Field(None, description="The person's name (optional)")
    role: ShortText = Field(description="Their role, in the site's words, e.g. 'medical director'")
    group: PeopleGroup = Field(description="Which group they belong to: " + ", ".join(sv.PEOPLE_GROUPS))
    stance: Stance | None = Field(None, description="Where they stand on the innovation: " + ", ".join(sv.STANCES))
    status: Status | None = Field(None, description="staying (the default), leaving, arriving or left")
    until: IsoDate | None = Field(None, description="Leaves on (leaving) or arrives on (arriving), YYYY-MM-DD")

    @model_validator(mode="after")
    def _until_needs_a_move(self) -> Person:
        if self.until is not None and self.status not in ("leaving", "arriving", "left"):
            raise FieldInvalid(
                f"'until' is given but the status is {self.status or 'staying'}",
                "give status: leaving (until = the last day) or arriving (until = the first day)",
            )
        return self


class ProblemStatement(_Section):
    """The stated problem as tags; challenge.summary stays the sentence."""

    tags: list[ProblemTag] = Field(
        default_factory=list,
        max_length=len(sv.PROBLEM_TAGS),
        description="What the problem is about: " + ", ".join(sv.PROBLEM_TAGS),
    )

    @model_validator(mode="after")
    def _distinct(self) -> ProblemStatement:
        seen = [t for i, t in enumerate(self.tags) if t in self.tags[:i]]
        if seen:
            raise FieldInvalid(f"problem tag {seen[0]!r} is given twice", "list each tag once")
        return self


class Event(_Section):
    """Something that happened or will happen, with its date."""

    kind: EventKind = Field(description="What kind of event: " + ", ".join(sv.EVENT_KINDS))

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, data: Any) -> Any:
        """YAML 1.1 reads a bare `on:` key as the boolean true: take it back as `on`."""
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if k is True else k): val for k, val in data.items()}
        return data

    on: IsoDate = Field(description="When, YYYY-MM-DD (past or future)")
    summary: Summary | None = None


class Asset(_Section):
    """A strength the work can build on."""

    kind: AssetKind = Field(description="What kind of asset: " + ", ".join(sv.ASSET_KINDS))
    summary: Summary | None = Field(
        None, description="The asset in the site's words, e.g. 'Monthly all-staff huddle that every team attends'"
    )


class Case(_Section):
    """One site's implementation context. Every section is optional except case_id."""

    case_id: Annotated[str, AfterValidator(_case_id)]
    site: FreeText | None = None
    innovation: FreeText | None = None
    setting: Setting | None = None
    stage: Stage | None = None
    challenge: Challenge | None = None
    cfir: dict[CfirId, Rating] | None = Field(
        None, description="CFIR 2.0 construct or subconstruct id -> rating -2..2 or 'mixed'"
    )
    engagement: Engagement | None = None
    power: Power | None = None
    relationships: Relationships | None = None
    capacity: Capacity | None = None
    leadership: Leadership | None = None
    equity: Equity | None = None
    scope: Scope | None = None
    capacity_levels: CapacityLevels | None = Field(
        None, description="Capacity at each level of the system: individual, organization, network, system"
    )
    perspectives: list[Perspective] | None = Field(
        None, description="The same facts as each group sees them; see README 'Several perspectives in one case'"
    )
    assessed_on: IsoDate | None = Field(None, description="When this assessment was made (YYYY-MM-DD)")
    assessed_by: list[FreeText] | None = Field(None, description="Who made the assessment (roles or groups)")
    ratings: dict[Annotated[str, AfterValidator(_rating_key)], StrategyRating] | None = Field(
        None,
        description="The team's go-zone ratings: rule id or ERIC strategy id -> {importance: 1-5, "
        "feasibility: 1-5}; they override the Waltz et al. 2015 priors in `isp-advisor plan`",
    )
    outcomes: Outcomes | None = None
    notes: LongText | None = None
    people: list[Person] | None = Field(
        None, max_length=sv.MAX_PEOPLE, description="Who is involved: role, group, and optionally name, stance, status"
    )
    problem: ProblemStatement | None = None
    events: list[Event] | None = Field(
        None, max_length=sv.MAX_EVENTS, description="What happened or will happen, with dates"
    )
    assets: list[Asset] | None = Field(None, max_length=sv.MAX_ASSETS, description="Strengths to build on")

    @model_validator(mode="after")
    def _distinct_perspectives(self) -> Case:
        seen: set[tuple[str, str]] = set()
        for p in self.perspectives or ():
            who = (p.group, p.label or "")
            if who in seen:
                raise FieldInvalid(
                    f"perspectives: the {p.group} group{' ' + repr(p.label) if p.label else ''} is given twice",
                    "merge the two entries, or give each its own label",
                )
            seen.add(who)
        return self

    def facts(self) -> Facts:
        """The case as flat facts: {dotted path: value}, unstated facts left out (the plan's ratings and
        outcomes are not facts: no rule tests them)."""
        return flatten(self.model_dump(exclude_none=True, exclude={"ratings", "outcomes"}))
