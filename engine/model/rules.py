"""The validated, loaded knowledge base: rules and sources as plain frozen data.

The types are frozen msgspec structs: built cheaply (a rule base is some 700 rules and 5,000 condition
nodes), and the rule cache (engine/rulepacks/rulecache.py) stores and reads a whole `RuleBase` with msgspec's
typed JSON encoder and decoder, so what it reads back is checked field by field as it is decoded."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from engine.errors import Problem
from engine.model.conditions import Condition, facts_read

PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Characters rule text never holds: C0/C1 controls but tab and newline, and the bidirectional overrides
(the loader refuses them; the rule cache checks what it reads back against the same set)."""

RULE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,99}\Z")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
SEMVER_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?\Z")
URL_RE = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)
"""Rule ids, pack names, versions and source links as the rule language allows them (the pack models in
engine/rulepacks/rulemodel.py and the rule cache's check of what it reads back use these)."""

RESERVED_PREFIX = "isp__"
"""Rule ids and fact properties the engine uses for itself (durable_rules' priming rule, the
matcher's own markers): never a pack's."""


class Variant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rationale sentence shown when its condition holds on the case."""

    when: Condition
    text: str


class TextChoice(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A title and/or actions a rule shows instead of its own when `when` holds."""

    when: Condition
    title: str = ""
    actions: tuple[str, ...] = ()


def key_from_title(title: str) -> str:
    """A key made from a title: placeholders dropped, lower-case words joined by '-', at most 64."""
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"\{[^{}]*\}", "", title.lower())).strip("-")
    return words[:64].rstrip("-") or "item"


class Rule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rule, validated and with its condition compiled to a tree."""

    id: str
    when: Condition
    pack: str
    file: str
    line: int = 0
    title: str = ""
    category: str = ""
    priority: str = "medium"
    score: float = 0.0
    key: str = ""
    description: str = ""
    actions: tuple[str, ...] = ()
    tags: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    derive: dict[str, Any] = msgspec.field(default_factory=dict)
    rationale: str = ""
    sources: tuple[str, ...] = ()
    overrides: str = ""
    """File of the shipped rule this one replaces ('' when it replaces nothing)."""
    table: str = ""
    # the plan layer (docs/plan.md)
    urgent: str = ""
    """Why the item is time-bound ('' when it is not): it goes to the first horizon."""
    not_before: str = ""
    due: str = ""
    """The latest horizon the item may take ('' for none): a full Next does not push it to Later."""
    """The earliest horizon the item may take ('' for any)."""
    stages: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    """Rule ids, or tag references 'key:id', this item follows when both are in a plan."""
    supersedes: tuple[str, ...] = ()
    evidence_level: int = 0
    """A published CFIR-ERIC level (1 or 2) given without a figure; 0 when none is declared."""
    fallbacks: dict[str, str] = msgspec.field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    """Conditional rationales, tried in order; `rationale` is the default."""
    addresses: tuple[str, ...] = ()
    """Problem tags the item answers (the output lists those the case states)."""
    waits_for: tuple[str, ...] = ()
    """Protective fact paths the item waits for while unstated and cued."""
    texts: tuple[TextChoice, ...] = ()
    """Title and action variants chosen by the case's facts, tried in order (the rule's own are the default)."""
    safety: bool = False
    """A care-and-safety item: in the plan it comes before every other item, urgent ones included."""
    precedence: str = ""
    """'safety', 'relationship' or '' (docs/plan.md, 'Precedence'); `safety` is 'safety' exactly when this is."""
    conflicts_with: tuple[str, ...] = ()
    """Rules whose advice contradicts this one's: in a plan with both, the lower-ranked item is held back."""
    unstated_ok: str = ""
    """Why the rule may read an unstated yes/no like "no" (empty: `rules lint` checks it)."""
    specification: dict[str, str] = msgspec.field(default_factory=dict)
    """Strategy specification (docs/plan-spec.md): actor, target, frequency, duration, mechanism,
    mechanism_source; a key is present only when the rule states it."""

    def problem(self, *, field: str = "", code: str, message: str, hint: str = "") -> Problem:
        """A problem with this rule, at its file and line (the loader's and the strata's checks of loaded rules)."""
        return Problem(
            file=self.file, line=self.line, rule_id=self.id, field=field, code=code, message=message, hint=hint
        )

    @property
    def all_texts(self) -> tuple[str, ...]:
        """Every text of the rule placeholders may appear in: title, rationale and its variants, actions,
        and every `texts:` variant's title and actions."""
        return (
            self.title,
            self.rationale,
            *self.actions,
            *(var.text for var in self.variants),
            *(t for c in self.texts for t in (c.title, *c.actions)),
        )

    @property
    def merge_key(self) -> tuple[str, str]:
        return (self.category, self.key or self.title)

    @property
    def item_key(self) -> str:
        """The identity of the rule's item in every output: `<category>:<key>` (a key-less rule of a
        user's pack falls back on its title, made into the key's characters)."""
        return f"{self.category}:{self.key or key_from_title(self.title)}"

    @property
    def sort_key(self) -> tuple[int, float, str]:
        return (PRIORITY_RANK[self.priority], -self.score, self.id)

    def reads(self) -> frozenset[str]:
        return facts_read(self.when)


class Source(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    citation: str
    url: str = ""
    kind: str = "literature"
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"key": self.key, "citation": self.citation, "kind": self.kind}
        if self.url:
            out["url"] = self.url
        return out


class PackInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    version: str
    file: str
    description: str = ""
    shipped: bool = True


class RuleBase(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Everything loaded from the rule folders, before compilation."""

    rules: tuple[Rule, ...]
    packs: tuple[PackInfo, ...]
    sources: dict[str, Source]
    disabled: dict[str, str] = msgspec.field(default_factory=dict)
    """Rule id -> the pack that disabled it."""

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
