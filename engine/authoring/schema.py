"""JSON Schemas of the files the tool reads and writes, built from the models that declare them: pydantic
models for what the tool reads and most of what it writes, and msgspec's generator over the structs of the
comparison (engine/model/comparereport.py, the one declaration of that document).

Editors use them to complete and check case files and rule packs as they are typed (VS Code's
YAML extension: `# yaml-language-server: $schema=case.schema.json`). The case schema is the
case model itself; the rule-pack schema states rules and table rows in full (the loader
validates them one at a time, so its own pack model keeps them as plain mappings) and adds the
vocabularies; the output schema mirrors `Result.to_dict()`, and a test holds the two together.
"""

from __future__ import annotations

from typing import Any, Literal, Union

import msgspec
from pydantic import BaseModel, ConfigDict, Field, create_model

from engine.authoring.ruletests import RuleTestFile
from engine.model import vocabulary as v
from engine.model.case import Case
from engine.model.changes import Direction
from engine.model.comparereport import ComparisonReport
from engine.model.facts import FACTS
from engine.model.vocabulary import Category, Group, Horizon, Priority
from engine.rulepacks.rulemodel import PackModel, RuleModel, Scalar, SourcesModel, TableModel

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("case", "rules", "sources", "tests", "output", "plan", "compare", "decisions")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- rule packs, stated in full


class TableRow(BaseModel):
    """A decision-table row: a rule's fields plus one value per table variable."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str | None = None
    category: Category | None = None
    priority: Priority | None = None
    score: float | None = Field(None, ge=0, le=100)
    key: str | None = None
    description: str | None = None
    actions: list[str] | None = None
    tags: dict[str, list[str]] | None = None
    rationale: str | None = None
    sources: list[str] | None = None
    overrides: bool | None = None
    derive: dict[str, Scalar] | None = None


class TableSchema(TableModel):
    rows: list[TableRow] = Field(min_length=1)  # type: ignore[assignment]


class PackSchema(PackModel):
    """A rule pack file (rules/*.yaml)."""

    rules: list[RuleModel] = []  # type: ignore[assignment]
    tables: list[TableSchema] = []  # type: ignore[assignment]


# ---------------------------------------------------------------- the JSON output


class SourceOut(_Out):
    key: str
    citation: str
    kind: Literal["literature", "authors_judgement"]
    url: str | None = None


class TestTrace(_Out):
    fact: str
    operator: str
    expected: Any = None
    ref: str | None = None
    ref_actual: Any = None
    actual: Any
    held: bool
    source: Literal["case", "derived", "missing", "perspectives", "previous"]
    note: str | None = Field(
        None, description="where the value came from: whose view (a group's), or the previous assessment"
    )
    derived_from: ProofOut | None = None


class NodeTrace(_Out):
    op: Literal["all", "any", "not"]
    held: bool
    children: list[Union[TestTrace, NodeTrace]]


class ProofOut(_Out):
    rule_id: str
    ruleset: str
    title: str | None = None
    overrides: str | None = Field(None, description="the shipped rule this local rule replaces")
    derived: dict[str, Scalar] | None = None
    fired: bool
    condition: Union[TestTrace, NodeTrace]


# One required list per tag key, from the vocabulary, so a new tag key cannot be forgotten here.
TagsOut: type[_Out] = create_model(  # type: ignore[call-overload]
    "TagsOut", __base__=_Out, __module__=__name__, **{key: (list[str], ...) for key in v.TAG_KEYS}
)


class FigureOut(_Out):
    cfir: str
    score: float


class AlsoOut(_Out):
    """A stand-alone ERIC item folded into the recommendation that already carries its strategy."""

    rule_ids: list[str] = Field(min_length=1)
    key: str = Field(description="the folded item's own identity, <category>:<rule key>")
    eric_strategy: str
    title: str
    priority: Priority
    score: float
    evidence_level: int | None
    cfir: list[str]
    actions: list[str] = Field(description="the folded item's own actions: the host carries them out")
    figures: list[FigureOut] | None = Field(
        None, description="each merged member's figure against its own barrier, when there are several"
    )
    explanation: list[ProofOut]


class HeldBackOut(_Out):
    rule_id: str
    by: str
    reason: str


class SetAsideOut(_Out):
    key: str
    title: str
    reason: str


class NotRecommendedOut(_Out):
    key: str
    decision: Literal["accepted", "set_aside"] | None = None
    reason: str | None = None
    owner: str | None = None
    due: str | None = None
    status: Literal["not_started", "under_way", "done"] | None = None
    note: str | None = None
    updated: str | None = None
    updated_by: str | None = None
    carried_from: str | None = None
    why: str


class PlanOut(_Out):
    """Rule ids per horizon, in rank order, and the recommendations held back."""

    now: list[str]
    next: list[str]
    later: list[str]
    held_back: list[HeldBackOut]
    set_aside: list[SetAsideOut] = Field(description="items the team set aside (its decisions file), with the reason")
    no_longer_recommended: list[NotRecommendedOut] = Field(
        description="decisions whose key no item of today's plan has: kept in the file, reported with where it went"
    )


class RecommendationOut(_Out):
    rule_id: str
    key: str = Field(
        pattern=r"^[a-z_]+:[a-z0-9_.:-]{1,64}$",
        description="the item's identity across rule edits and assessments: <category>:<rule key>",
    )
    rule_ids: list[str] = Field(min_length=1)
    category: Category
    title: str
    priority: Priority
    score: float
    actions: list[str]
    tags: TagsOut  # type: ignore[valid-type]  # built from vocabulary.TAG_KEYS above
    rationale: str
    addresses: list[str] = Field(description="the problem tags the case states that this item answers")
    sources: list[SourceOut]
    explanation: list[ProofOut]
    horizon: Horizon
    rank: int = Field(ge=1)
    rank_reasons: list[dict[str, Any]]
    """The factors that placed the item, as data: {"factor": "barrier_severity", "value": -2, "cfir": ...}."""
    also: list[AlsoOut]
    figures: list[FigureOut] | None = Field(
        None, description="each merged member rule's endorsement figure against its own barrier, when there are several"
    )
    decision: Literal["accepted", "set_aside"] | None = Field(None, description="the team's decision (decisions file)")
    reason: str | None = None
    owner: str | None = None
    due: str | None = Field(None, description="YYYY-MM-DD")
    status: Literal["not_started", "under_way", "done"] | None = None
    note: str | None = None
    updated: str | None = None
    updated_by: str | None = None
    carried_from: str | None = Field(None, description="the earlier assessment an accepted decision came from")


class DerivationOut(_Out):
    value: Scalar
    rule_id: str
    explanation: ProofOut


class RulesetOut(_Out):
    name: str
    version: str


class EngineOut(_Out):
    name: str
    version: str
    output_version: int | None = None
    """The JSON output's form (engine/model/jsontext.OUTPUT_VERSION); absent before version 2."""
    rulesets: list[RulesetOut]
    matcher: Literal["durable", "python"] | None = None
    """Which matcher fired the rules (both fire the same rules; engine/evaluation/matcher.py)."""


class GroupOut(_Out):
    group: Group
    label: str | None = None
    facts: dict[str, Scalar]


class CombinedOut(_Out):
    path: str
    value: Scalar
    note: str


class PerspectivesOut(_Out):
    """The groups' views (engine/model/perspectives.py); fact paths as in the case file."""

    groups: list[GroupOut]
    divergent: list[str]
    missing_groups: list[str]
    community_lower: list[str]
    combined: list[CombinedOut]


class ChangeOut(_Out):
    path: str
    from_: Scalar | None = Field(alias="from")
    to: Scalar | None
    direction: Direction


class AsOfOut(_Out):
    date: str
    from_: Literal["assessed_on", "--date"] = Field(alias="from")


class CueOut(_Out):
    path: str
    value: Any
    found: str = Field(description="the words as the case writes them")
    in_: str = Field(alias="in", description="the field they were found in")
    question: str
    protective: bool = Field(description="true when the work that depends on the answer waits for it")


class OutputModel(_Out):
    """`isp-advisor recommend CASE --format json`."""

    case_id: str
    engine: EngineOut
    recommendations: list[RecommendationOut]
    derived_facts: dict[str, DerivationOut]
    missing_information: list[str]
    warnings: list[str]
    plan: PlanOut
    assessed_on: str | None = Field(None, description="the case's assessment date, when it states one")
    perspectives: PerspectivesOut | None = Field(None, description="only when the case holds perspectives")
    changes: list[ChangeOut] | None = Field(None, description="only with --previous: what changed since")
    as_of: AsOfOut | None = Field(description="the reference date of day counts and where it came from, or null")
    cues: list[CueOut] = Field(
        description="facts the case's own words suggest but it does not state (asked, never set)"
    )


TestTrace.model_rebuild()
NodeTrace.model_rebuild()


# ---------------------------------------------------------------- `isp-advisor plan --format json`


class CitedOut(_Out):
    key: str
    citation: str


class TargetOut(_Out):
    text: str = Field(description="whom or what the strategy works on, or 'to agree with the team'")
    cfir: list[str] = Field(description="CFIR constructs: the barriers the proof matched, else the rule's cfir tags")


class TemporalityOut(_Out):
    stage: str
    horizon: Horizon
    by_when: str


class DoseOut(_Out):
    frequency: str
    duration: str


class FieldSourceOut(_Out):
    """Where one specification field came from (docs/plan-spec.md)."""

    by: Literal["rule", "decision", "eric_default", "open"] = Field(
        description="rule: a rule's own specification block; decision: the team's decided owner (actor); "
        "eric_default: the cited default of one of the item's ERIC strategies "
        "(engine/data/eric_specification.yaml); open: nothing states it"
    )
    rule_id: str | None = Field(default=None, description="by rule: the rule whose block states the field")
    eric_strategy: str | None = Field(default=None, description="by eric_default: the ERIC strategy id")
    source: str | None = Field(
        default=None,
        description="the key of rules/sources.yaml that states the field "
        "(the default's source, or the rule's mechanism_source)",
    )
    cite: str | None = Field(default=None, description="that source as a short citation")


class FieldSourcesOut(_Out):
    actor: FieldSourceOut
    target: FieldSourceOut
    frequency: FieldSourceOut
    duration: FieldSourceOut
    mechanism: FieldSourceOut


class SpecifiedOut(_Out):
    """One strategy, specified (Proctor, Powell & McMillen 2013), with its go-zone rating."""

    rule_id: str
    title: str
    eric_strategy: list[str]
    horizon: Horizon
    actor: str
    action: str
    target: TargetOut
    temporality: TemporalityOut
    dose: DoseOut
    outcomes: list[str]
    justification: str
    sources: list[CitedOut]
    importance: float | None = Field(ge=1, le=5)
    feasibility: float | None = Field(ge=1, le=5)
    zone: Literal["I", "II", "III", "IV", "no prior"]
    priors_source: str
    field_sources: FieldSourcesOut | None = Field(
        default=None, description="where actor, target, frequency, duration and mechanism came from"
    )


class DeterminantOut(_Out):
    id: str
    cfir: str
    name: str
    rating: int | str


class StrategyNodeOut(_Out):
    id: str
    title: str
    horizon: Horizon


class MechanismOut(_Out):
    id: str
    text: str
    source: str | None


class OutcomeNodeOut(_Out):
    id: str
    kind: Literal["implementation", "service", "client"]
    name: str


class LogicModelOut(_Out):
    """Implementation Research Logic Model (Smith, Li & Rafferty 2020): nodes and [from_id, to_id] links."""

    determinants: list[DeterminantOut]
    strategies: list[StrategyNodeOut]
    mechanisms: list[MechanismOut]
    outcomes: list[OutcomeNodeOut]
    links: list[list[str]]


class MeasureOut(_Out):
    outcome: str
    when: list[str] = Field(description="the stages at which to measure it")
    measure: str
    source: CitedOut | None


class GoZoneOut(_Out):
    importance_mean: float | None
    feasibility_mean: float | None
    rated: int
    basis: str


class PlanSpecModel(_Out):
    """`isp-advisor plan CASE --format json`."""

    case_id: str
    engine: EngineOut
    strategies: list[SpecifiedOut]
    logic_model: LogicModelOut
    measures: list[MeasureOut]
    go_zone: GoZoneOut


# ---------------------------------------------------------------- building the schemas


def _decisions_model() -> type[BaseModel]:
    from engine.io.decisionfile import DecisionsFile

    return DecisionsFile


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of file: case, rules, sources, tests, output, plan,
    compare or decisions."""
    if kind == "compare":
        return _struct_schema(kind, ComparisonReport)
    models: dict[str, type[BaseModel]] = {
        "case": Case,
        "rules": PackSchema,
        "sources": SourcesModel,
        "tests": RuleTestFile,
        "output": OutputModel,
        "plan": PlanSpecModel,
        "decisions": _decisions_model(),
    }
    if kind not in models:
        raise ValueError(f"unknown schema kind {kind!r}; one of {', '.join(KINDS)}")
    schema = models[kind].model_json_schema(by_alias=True)
    if kind == "rules":
        _add_vocabularies(schema)
    if kind == "case":
        _describe_fields(schema)
    out: dict[str, Any] = {"$schema": DIALECT, "$id": f"https://isp-advisor.example/schema/{kind}.json"}
    out.update(schema)
    return out


def _struct_schema(kind: str, struct: type[msgspec.Struct]) -> dict[str, Any]:
    """The schema of a document declared as msgspec structs (the comparison: engine/model/comparereport.py),
    from msgspec's own generator: the top struct's definition at the top level, the others in `$defs`."""
    generated = msgspec.json.schema(struct)
    defs: dict[str, Any] = generated["$defs"]
    top: dict[str, Any] = defs.pop(struct.__name__)
    out: dict[str, Any] = {"$schema": DIALECT, "$id": f"https://isp-advisor.example/schema/{kind}.json"}
    out.update(top)
    out["$defs"] = dict(sorted(defs.items()))
    return out


def _describe_fields(schema: dict[str, Any]) -> None:
    """Each case field's label and help, from the field registry (engine/model/fields.py)."""
    from engine.model.fields import FIELDS

    defs = schema.get("$defs", {})

    def target(prop: dict[str, Any]) -> dict[str, Any]:
        for option in [prop, *prop.get("anyOf", [])]:
            ref = option.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return defs[ref.rsplit("/", 1)[1]]  # type: ignore[no-any-return]
        return prop

    for f in FIELDS:
        section, _, key = f.path.partition(".")
        prop = schema["properties"][section]
        if key:
            prop = target(prop)["properties"][key]
        prop["title"] = f.label
        prop["description"] = f.help


def _add_vocabularies(schema: dict[str, Any]) -> None:
    """Tag ids and fact paths as enums, so an editor completes them and flags typos."""
    defs = schema.get("$defs", {})
    tags = defs.get("Tags", {}).get("properties", {})
    for key, prop in tags.items():
        if key in v.TAG_VOCABULARIES:
            prop["items"] = {"enum": sorted(v.TAG_VOCABULARIES[key])}
    fact = defs.get("TestModel", {}).get("properties", {}).get("fact")
    if fact is not None:
        fact.pop("type", None)
        fact["anyOf"] = [
            {"enum": list(FACTS)},
            {"type": "string", "pattern": r"^derived\.[a-z][a-z0-9_]*$"},
            {
                "type": "string",
                "pattern": r"^(derived\.(divergent|community_lower|lowest_group|"
                r"highest_group|missing_group|resolved)|change)\.[a-z0-9_.]+$",
            },
            {"type": "string", "pattern": r"\$[A-Za-z_]"},
        ]
        fact["description"] = "a fact path of the case contract, derived.<name>, or a table template ($var)"
