"""The rule language as pydantic models: what a rule pack file may contain.

These models check the shape of a pack. Meaning (known fact paths, vocabulary ids, operators
that suit a fact, source keys, duplicate ids) is checked by `loader`, which has every pack and
the source registry in view.
"""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, create_model, model_validator
from pydantic_core import PydanticCustomError

from engine.errors import FieldInvalid
from engine.model import operators
from engine.model.rules import NAME_RE, RESERVED_PREFIX, RULE_ID_RE, SEMVER_RE
from engine.model.rules import URL_RE as _URL_RE
from engine.model.vocabulary import Category, Horizon, Priority, Stage

OPERATORS: tuple[str, ...] = operators.NAMES

DERIVED_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}\Z")


def _rule_id(value: str) -> str:
    if not RULE_ID_RE.match(value):
        raise FieldInvalid(
            f"rule id {value!r} is not allowed",
            "start with a letter; use letters, digits, '-', '_' and '.' (e.g. EQ-SHARE-POWER)",
        )
    if value.lower().startswith(RESERVED_PREFIX):
        raise FieldInvalid(
            f"rule id {value!r} uses the engine's reserved prefix '{RESERVED_PREFIX}'",
            "choose another id (e.g. start it with your pack's name)",
        )
    return value


def _name(value: str) -> str:
    if not NAME_RE.match(value):
        raise FieldInvalid(f"name {value!r} is not allowed", "start with a letter; use letters, digits, '-' and '_'")
    return value


def _semver(value: str) -> str:
    if not SEMVER_RE.match(str(value)):
        raise FieldInvalid(f"version {value!r} is not a semantic version", "write it as MAJOR.MINOR.PATCH, e.g. 1.0.0")
    return str(value)


RuleId = Annotated[str, AfterValidator(_rule_id)]
Scalar = Union[bool, int, float, str]


class _Strict(BaseModel):
    # defer_build: a command that finds the packs in the rule cache never pays for building these
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class TestBase(_Strict):
    """A test of one fact: `{fact: PATH, OPERATOR: VALUE}`."""

    # one optional field per operator of the registry (engine/model/operators.py), added by `_test_model`

    fact: str

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ops = [k for k in data if k in OPERATORS]
            if len(ops) != 1:
                found = ", ".join(ops) if ops else "none"
                raise FieldInvalid(
                    f"a test needs exactly one operator (found: {found})", f"operators: {', '.join(OPERATORS)}"
                )
            if data[ops[0]] is None:  # `equals: ~` would otherwise read as `exists: false`
                raise FieldInvalid(
                    f"'{ops[0]}' has no value (null)",
                    f"give a value, e.g. '{ops[0]}: installation'; "
                    "to test that a fact is not stated, write 'exists: false'",
                )
        return data

    @property
    def operator(self) -> str:
        for op in OPERATORS:
            if getattr(self, _field_name(op)) is not None:
                return op
        return "exists"  # unreachable after validation

    @property
    def value(self) -> Any:
        return getattr(self, _field_name(self.operator))


def _field_name(op: str) -> str:
    """The model field of an operator ('in' is a Python keyword: its field is `in_`, aliased)."""
    return f"{op}_" if keyword.iskeyword(op) else op


_SHAPES: dict[str, Any] = {"bool": bool | None, "scalar": Any, "list": list[Any] | None}


def _test_model() -> type[TestBase]:
    fields: dict[str, Any] = {
        _field_name(o.name): (_SHAPES[o.value], Field(None, alias=o.name) if _field_name(o.name) != o.name else None)
        for o in operators.REGISTRY
    }
    model: type[TestBase] = create_model("TestModel", __base__=TestBase, __doc__=TestBase.__doc__, **fields)
    return model


if TYPE_CHECKING:
    TestModel = TestBase
else:
    TestModel = _test_model()


class AllModel(_Strict):
    all: list[ConditionModel] = Field(min_length=1)


class AnyModel(_Strict):
    any: list[ConditionModel] = Field(min_length=1)


class NotModel(_Strict):
    not_: ConditionModel = Field(alias="not")


def _which(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return key
        return "test"
    if isinstance(data, BaseModel):
        kinds: dict[type[BaseModel], str] = {AllModel: "all", AnyModel: "any", NotModel: "not"}
        return kinds.get(type(data), "test")
    return "test"


ConditionModel = Annotated[
    Union[
        Annotated[TestModel, Tag("test")],
        Annotated[AllModel, Tag("all")],
        Annotated[AnyModel, Tag("any")],
        Annotated[NotModel, Tag("not")],
    ],
    Discriminator(_which),
]


class Tags(_Strict):
    isp_competency: list[str] = []
    equity_element: list[str] = []
    eric_strategy: list[str] = []
    cfir: list[str] = []
    facilitation_mode: list[str] = []
    capacity_type: list[str] = []
    participation_value: list[str] = []
    implementation_outcome: list[str] = []
    spectrum_level: list[str] = []


TAG_REF_RE = re.compile(r"^[a-z_]+:[A-Za-z0-9_.-]+\Z")


def _tag_ref(value: str) -> str:
    if not TAG_REF_RE.match(value):
        raise FieldInvalid(
            f"tag reference {value!r} is not allowed",
            "write it as KEY:ID, e.g. equity_element:build_trusting_relationships",
        )
    return value


class TagRef(_Strict):
    """`{tag: "key:id"}` in `after`: every recommendation carrying that tag."""

    tag: Annotated[str, AfterValidator(_tag_ref)]


class RationaleVariant(_Strict):
    """One sentence of a rationale, shown when its condition holds (the last one, without `when`, is the default)."""

    when: ConditionModel | None = None
    text: str = Field(min_length=1)


KEY_RE = re.compile(r"^[a-z0-9_.:-]{1,64}\Z")


def _key(value: str) -> str:
    if not KEY_RE.match(value):
        raise FieldInvalid(
            f"key {value!r} is not allowed",
            "use lower-case letters, digits and '_', '.', ':' or '-', "
            "at most 64 (e.g. leadership-transition); it is the item's identity across assessments",
        )
    return value


def _problem_tag(value: str) -> str:
    from engine.model.case import vocabulary_check
    from engine.model.sitevocab import PROBLEM_TAGS

    return vocabulary_check("problem tag", PROBLEM_TAGS)(value)


class TextVariant(_Strict):
    """A title and/or actions shown instead of the rule's own when `when` holds (the first that holds wins).

    Variants let a rule name what the case states (a named champion, the date a leader leaves) and say
    something else when it does not: a placeholder may be used only where the conditions guarantee it."""

    when: ConditionModel
    title: str | None = Field(None, min_length=1)
    actions: list[str] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _says_something(self) -> TextVariant:
        if self.title is None and self.actions is None:
            raise FieldInvalid(
                "a text variant gives neither a title nor actions",
                "give 'title', 'actions' or both, or remove the variant",
            )
        return self


class Unstated(_Strict):
    """Why a rule may read a yes/no fact's "not stated" like "no" (rules lint asks for the reason)."""

    reason: str = Field(min_length=10)


class Recommend(_Strict):
    actions: list[str] = Field(min_length=1)
    tags: Tags = Tags()


class Dose(_Strict):
    """How often and for how long (Proctor, Powell & McMillen 2013): only what the source or the action says."""

    frequency: str | None = Field(None, min_length=1)
    duration: str | None = Field(None, min_length=1)


class Specification(_Strict):
    """Who delivers the strategy, to whom or what, how much, and (where a cited source states it) how it works.

    Every field is optional: what a rule leaves out is shown as "to agree with the team" (docs/plan-spec.md).
    """

    actor: str | None = Field(None, min_length=1)
    target: str | None = Field(None, min_length=1)
    dose: Dose | None = None
    mechanism: str | None = Field(None, min_length=1)
    mechanism_source: str | None = Field(None, min_length=1)
    """The source key (rules/sources.yaml) that states the mechanism; required with `mechanism`."""

    @model_validator(mode="after")
    def _mechanism_cited(self) -> Specification:
        if (self.mechanism is None) != (self.mechanism_source is None):
            raise FieldInvalid(
                "'mechanism' and 'mechanism_source' go together",
                "state a mechanism only with the key of the source that states it (rules/sources.yaml)",
            )
        return self


class RuleModel(_Strict):
    """One rule: when its condition holds it recommends something or derives facts."""

    id: RuleId
    title: str | None = None
    category: Category | None = None
    priority: Priority = "medium"
    score: float = Field(0, ge=0, le=100)
    key: Annotated[str, AfterValidator(_key)] | None = None
    description: str | None = None
    when: ConditionModel
    recommend: Recommend | None = None
    derive: dict[str, Scalar] | None = None
    rationale: str | list[RationaleVariant] | None = None
    sources: list[str] = []
    overrides: bool = False
    # the plan layer (docs/plan.md)
    urgent: bool | str = False
    not_before: Horizon | None = None
    due: Literal["now", "next"] | None = None
    stages: list[Stage] = []
    after: list[Union[RuleId, TagRef]] = []
    supersedes: list[RuleId] = []
    evidence_level: Literal[1, 2] | None = None
    fallbacks: dict[str, str] = {}
    specification: Specification | None = None
    addresses: list[Annotated[str, AfterValidator(_problem_tag)]] = []
    """The problem tags (case `problem.tags`) this item answers; the output lists those the case states."""
    waits_for: list[str] = []
    """Fact paths (protective facts) this item waits for while the case leaves them unstated and cued."""
    texts: list[TextVariant] = []
    """Title and action variants chosen by what the case states (the rule's own are the default)."""
    safety: bool = False
    """A care-and-safety item (people harmed or at risk): placed before every other item, urgent ones too."""
    precedence: Literal["safety", "relationship"] | None = None
    """The item's tier in the plan's precedence (docs/plan.md): `safety` (the same as `safety: true`), or
    `relationship` (repairing relationships, hearing each side, listening first): after safety, before the rest."""
    conflicts_with: list[RuleId] = []
    """Rules whose advice contradicts this rule's: when both are in a plan the lower-ranked item is held back."""
    unstated_ok: Unstated | None = None
    """The reason this rule may read an unstated yes/no like "no" (otherwise `rules lint` flags it)."""

    @model_validator(mode="after")
    def _kind(self) -> RuleModel:
        """The checks across fields, in the order their messages are reported."""
        self._check_rationale_variants()
        if self.derive is not None and any(getattr(self, name) for name in _PLAN_FIELDS):
            raise FieldInvalid(
                "plan fields (urgent, not_before, due, stages, after, supersedes, conflicts_with, "
                "evidence_level, fallbacks, specification, addresses, waits_for, texts, safety, "
                "precedence) apply to recommending rules only",
                "remove them from this derive rule",
            )
        if (self.recommend is None) == (self.derive is None):
            raise FieldInvalid(
                "a rule needs exactly one of 'recommend' or 'derive'",
                "recommend: {actions: [...]} gives advice; derive: {name: value} sets a derived fact",
            )
        if self.recommend is not None:
            self._check_recommending()
        if self.derive is not None:
            self._check_derive_names(self.derive)
        return self

    def _check_rationale_variants(self) -> None:
        """A list of rationale variants ends with its default, the only one without `when`."""
        if not isinstance(self.rationale, list):
            return
        if not self.rationale:
            raise FieldInvalid(
                "'rationale' is an empty list",
                "give a sentence, or variants ending with a default (a variant without 'when')",
            )
        if self.rationale[-1].when is not None:
            raise FieldInvalid(
                "the last rationale variant needs no 'when'",
                "end the list with a default sentence that asserts nothing the case may not state",
            )
        if any(var.when is None for var in self.rationale[:-1]):
            raise FieldInvalid(
                "only the last rationale variant may omit 'when'",
                "give each earlier variant a condition, or move the default to the end",
            )

    def _check_recommending(self) -> None:
        """A recommending rule states its title, category, rationale and sources."""
        missing = [f for f in ("title", "category", "rationale") if not getattr(self, f)]
        if not self.sources:
            missing.append("sources")
        hint = "add them; sources are keys of rules/sources.yaml"
        if "sources" in missing:  # its own code, so `rules lint` can name it (no_sources)
            raise PydanticCustomError(
                "no_sources", "a recommending rule needs {missing}", {"missing": ", ".join(missing), "hint": hint}
            )
        if missing:
            raise FieldInvalid(f"a recommending rule needs {', '.join(missing)}", f"{hint}")

    @staticmethod
    def _check_derive_names(derive: dict[str, Any]) -> None:
        """A derive block names at least one fact, each name lower-case letters, digits and '_'."""
        if not derive:
            raise FieldInvalid("'derive' is empty", "name at least one fact, e.g. derive: {engagement_gap: true}")
        for name in derive:
            if not DERIVED_NAME_RE.match(name):
                raise FieldInvalid(
                    f"derived fact name {name!r} is not allowed",
                    "use lower-case letters, digits and '_', e.g. engagement_gap",
                )


_PLAN_FIELDS = (
    "urgent",
    "not_before",
    "due",
    "stages",
    "after",
    "supersedes",
    "evidence_level",
    "fallbacks",
    "specification",
    "addresses",
    "waits_for",
    "texts",
    "safety",
    "precedence",
    "conflicts_with",
)
"""The fields that place a recommendation in the plan: a derive rule states none of them."""


class TableModel(_Strict):
    """A decision table: a condition template and one row per rule."""

    table: Annotated[str, AfterValidator(_name)]
    vars: list[str] = []
    category: Category | None = None
    priority: Priority | None = None
    sources: list[str] = []
    when: ConditionModel
    rows: list[dict[str, Any]] = Field(min_length=1)


class PackModel(_Strict):
    """A rule pack file."""

    ruleset: Annotated[str, AfterValidator(_name)]
    version: Annotated[str, AfterValidator(_semver)]
    description: str | None = None
    disable: list[str] = []
    rules: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []


def _url(value: str) -> str:
    """Only http(s) links: a `javascript:` or `data:` URL in an HTML report's href runs on click."""
    if not _URL_RE.match(value):
        raise FieldInvalid(
            f"url {value[:80]!r} is not an http(s) address",
            "give the https:// address of the source (a DOI as https://doi.org/...)",
        )
    return value


class SourceModel(_Strict):
    """One entry of sources.yaml."""

    citation: str = Field(min_length=10)
    url: Annotated[str, AfterValidator(_url)] | None = None
    kind: Literal["literature", "authors_judgement"] = "literature"
    note: str | None = None


class SourcesModel(_Strict):
    sources: dict[str, SourceModel]
