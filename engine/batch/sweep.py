"""Sensitivity sweeps: which facts of a site move its plan.

`--vary PATH[=v1,v2,...]` names a fact and the values to try (all the values the case contract
allows when none are listed). Every combination of the varied facts is applied to the case
(through engine.practitioner.whatif, so each variant is validated like a case file) and evaluated in this
process. For each recommendation (told apart by what it recommends, as in `whatif`), a fact is a
**lever** when changing that fact alone, the other varied facts held where they are, adds or
removes the recommendation or moves it to another horizon (now / next / later).

A portfolio sweep runs the same sweep for every case of a batch input and counts, per fact, at
how many sites it is a lever and for which recommendations.

`--tables parquet --out DIR` also writes DIR/variants.parquet, one row per case x variant x item
(engine.batch.tables.VariantTable; `variant_rows`), and `--redact people,events` removes names and
event summaries from each case before it is swept.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from engine.batch.digest import portfolio_title
from engine.batch.outcomes import Failed, RunSettings, error_row, stated_case_id
from engine.errors import CaseError, IspAdvisorError, Problem, UsageError, parse_each, printable, shown, warn
from engine.evaluation.runner import Engine
from engine.model.case import Case
from engine.model.config import EngineConfig, RulesArg
from engine.model.diffs import Assignment
from engine.model.facts import FACTS, FactValue
from engine.model.placement import HORIZON_IDS
from engine.model.redact import redact
from engine.practitioner.whatif import apply, parse_assignment

if TYPE_CHECKING:
    from engine.batch.tables import VariantTable
    from engine.io.inputs import Item as InputItem
    from engine.model.results import Result

VARY = "--vary"
MAX_VARIANTS = 1000
"""Default --max: a sweep larger than this is refused unless asked for (it is every combination)."""
ABSENT = ""
"""The status of a recommendation a variant does not have."""

T = TypeVar("T")

VariantRow = tuple[
    int, tuple[FactValue, ...], str | None, str | None, str | None, str | None, str | None, str | None, str | None
]
"""A row of `variants.parquet` before its case's columns: (variant, values, problem, key, rule_id, title,
category, horizon, base_horizon); see `variant_rows`."""


@dataclass(frozen=True, slots=True)
class Swept:
    """A case swept: its summary (`case_summary`)."""

    summary: dict[str, Any]


SweepOutcome = Swept | Failed
"""What one case of a portfolio sweep gives back (`sweep_items`): its summary, or its errors.jsonl-style row."""


@dataclass(frozen=True)
class Vary:
    """One varied fact and the values tried, in order."""

    path: str
    values: tuple[FactValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.path, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class SweepSettings:
    """What each chunk of a portfolio sweep is given (`sweep_chunk`): the rules and their digest, the varied
    facts, the date, what to redact, and whether to build the variants' rows."""

    config: EngineConfig
    digest: str | None
    varies: tuple[Vary, ...]
    date: str | None = None
    redacted: tuple[str, ...] = ()
    with_rows: bool = False

    @property
    def large(self) -> bool:
        """Small enough to travel with every task (engine.batch.executors)."""
        return False


def parse_vary(text: str) -> Vary:
    """`engagement.level` (every allowed value) or `engagement.level=inform,consult` -> Vary.

    Values are read as `whatif --set` reads them (typed by the fact; `none` leaves the fact
    unstated); unknown paths get the same did-you-mean. No path (`=a,b`), no values (`PATH=`) and an
    empty value (`PATH=a,,b`, a trailing comma) are refused; a value listed twice is tried once,
    with a warning.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not path:
        raise UsageError(
            Problem(
                file=VARY,
                code="no_fact",
                message=f"{shown(text)} names no fact",
                hint="put the fact's path first: --vary PATH or --vary PATH=v1,v2, "
                "e.g. --vary engagement.level=inform,consult",
            )
        )
    try:
        parse_assignment(f"{path}=")  # checks the path (unknown, derived, case_id)
        if sep:
            values = [parse_assignment(f"{path}={v}").value for v in _listed(path, raw)]
        else:
            spec = FACTS[path]
            if not spec.values:
                raise UsageError(
                    Problem(
                        file=VARY,
                        field=path,
                        code="no_values",
                        message=f"a {spec.kind} fact has no list of allowed values",
                        hint=f"list the values to try, e.g. --vary {path}=A,B",
                    )
                )
            values = list(spec.values)
    except UsageError as exc:
        raise UsageError([_as_vary(p) for p in exc.problems]) from None
    first: dict[Hashable, FactValue] = {}
    for v in values:
        first.setdefault(_hashable(v), v)
    if len(first) < len(values):
        twice = [first[k] for k, n in Counter(_hashable(v) for v in values).items() if n > 1]
        are = "is" if len(twice) == 1 else "are"
        warn(
            f"{VARY} {path}: {', '.join(_value_text(v) for v in twice)} {are} listed more than once "
            "(as read for this fact); each value is tried once"
        )
    return Vary(path, tuple(first.values()))


def _listed(path: str, raw: str) -> list[str]:
    """The values of `PATH=v1,v2,...`; none at all, or an empty one between commas, is refused (an empty
    value would silently try the fact unstated: `none` says so)."""
    if not raw.strip():
        raise UsageError(
            Problem(
                file=VARY,
                field=path,
                code="no_values",
                message="lists no values after '='",
                hint=f"list the values to try, e.g. --vary {path}=A,B; --vary {path} alone "
                "tries every allowed value; none tries it unstated",
            )
        )
    items = raw.split(",")
    if any(not v.strip() for v in items):
        raise UsageError(
            Problem(
                file=VARY,
                field=path,
                code="empty_value",
                message=f"{shown(raw)} has an empty value between commas",
                hint="remove the extra comma; write none to try the fact unstated",
            )
        )
    return items


def _value_text(value: FactValue) -> str:
    if value is None or isinstance(value, bool):
        return "none" if value is None else str(value).lower()
    return shown(value) if isinstance(value, str) else printable(str(value))


def _as_vary(p: Problem) -> Problem:
    hint = p.hint.replace("--set", VARY)
    if p.code == "syntax":
        return replace(
            p,
            file=VARY,
            message=p.message.replace("PATH=VALUE", "PATH or PATH=v1,v2"),
            hint="e.g. --vary engagement.level or --vary engagement.level=inform,consult",
        )
    return replace(p, file=VARY, hint=hint)


def _hashable(v: FactValue) -> Hashable:
    return tuple(v) if isinstance(v, list) else v


def parse_varies(texts: Iterable[str], max_variants: int = MAX_VARIANTS) -> tuple[Vary, ...]:
    """Every --vary at once (all problems reported together); refuses more than `max_variants`."""
    varies = parse_each(texts, parse_vary)
    if not varies:
        raise UsageError(
            Problem(
                file=VARY,
                code="missing",
                message="nothing to vary",
                hint="give at least one --vary PATH[=v1,v2,...], e.g. --vary engagement.level",
            )
        )
    seen = Counter(v.path for v in varies)
    twice = [p for p, n in seen.items() if n > 1]
    if twice:
        raise UsageError(
            [
                Problem(
                    file=VARY,
                    field=p,
                    code="duplicate",
                    message=f"is varied {seen[p]} times",
                    hint=f"give each fact once, with all its values: --vary {p}=v1,v2",
                )
                for p in twice
            ]
        )
    count = math.prod(len(v.values) for v in varies)
    if count > max_variants:
        sizes = " x ".join(f"{len(v.values)} ({v.path})" for v in varies)
        raise UsageError(
            Problem(
                field="--max",
                code="too_many",
                message=f"{count:,} variants ({sizes}); the limit is --max {max_variants:,}",
                hint=f"list fewer values (--vary PATH=v1,v2), vary fewer facts, or raise the limit with --max {count}",
            )
        )
    return tuple(varies)


# ---------------------------------------------------------------- one case


@dataclass
class SweepVariant:
    """One combination of values and what the plan became."""

    values: tuple[FactValue, ...]
    status: dict[str, str] = field(default_factory=dict)
    """item key -> horizon of each recommendation the variant has"""
    plan: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    rule_id: str
    title: str
    """As this site's plan shows it (placeholders filled in)."""
    category: str
    label: str = ""
    """The rule's own title with its placeholders filled as for a case that names nothing
    (engine.batch.digest.portfolio_title), for counts across sites."""
    ident: str = ""
    """The item's key as in the results (`<category>:<key>`)."""


@dataclass
class Sweep:
    """A case's sweep: the variants and, per recommendation, the facts that move it."""

    case_id: str
    varies: tuple[Vary, ...]
    base: dict[str, Any]
    """The case's own values of the varied facts (None: not stated)."""
    base_status: dict[str, str]
    variants: list[SweepVariant]
    items: dict[str, Item]

    def levers(self) -> dict[str, dict[str, set[str]]]:
        """item key -> {fact: effects}; effects among 'adds_removes' and 'moves_horizon'."""
        valid = [v for v in self.variants if not v.error]
        out: dict[str, dict[str, set[str]]] = {}
        for j, vary in enumerate(self.varies):
            groups: dict[tuple[Hashable, ...], list[SweepVariant]] = {}
            for v in valid:
                rest = tuple(_hashable(x) for k, x in enumerate(v.values) if k != j)
                groups.setdefault(rest, []).append(v)
            for group in groups.values():
                if len(group) < 2:
                    continue
                for key in self.items:
                    seen = {v.status.get(key, ABSENT) for v in group}
                    if len(seen) < 2:
                        continue
                    effects = out.setdefault(key, {}).setdefault(vary.path, set())
                    if ABSENT in seen:
                        effects.add("adds_removes")
                    if len(seen - {ABSENT}) > 1:
                        effects.add("moves_horizon")
        return out

    def by_value(self, key: str, j: int) -> list[dict[str, Any]]:
        """For the j-th varied fact: per value, how many variants have the item, in which horizons."""
        vary = self.varies[j]
        rows: list[dict[str, Any]] = []
        for value in vary.values:
            here = [v for v in self.variants if not v.error and _hashable(v.values[j]) == _hashable(value)]
            got = Counter(v.status.get(key, ABSENT) for v in here)
            rows.append(
                {
                    "value": value,
                    "variants": len(here),
                    "present": len(here) - got[ABSENT],
                    **{h: got[h] for h in HORIZON_IDS},
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        levers = self.levers()
        index = {v.path: j for j, v in enumerate(self.varies)}
        recs = []
        for key in self.order(levers):
            item = self.items[key]
            recs.append(
                {
                    "rule_id": item.rule_id,
                    "title": item.title,
                    "category": item.category,
                    "base": self.base_status.get(key) or None,
                    "variants_with_it": sum(1 for v in self.variants if not v.error and key in v.status),
                    "levers": [
                        {
                            "fact": fact,
                            "effects": sorted(levers[key][fact]),
                            "by_value": self.by_value(key, index[fact]),
                        }
                        for fact in sorted(levers.get(key, {}), key=index.__getitem__)
                    ],
                }
            )
        invalid = [v for v in self.variants if v.error]
        return {
            "case_id": self.case_id,
            "vary": [v.to_dict() for v in self.varies],
            "base": self.base,
            "variants": len(self.variants),
            "invalid_variants": [
                {"values": dict(zip((v.path for v in self.varies), x.values, strict=True)), "problem": x.error}
                for x in invalid
            ],
            "facts": self.fact_summary(levers),
            "recommendations": recs,
        }

    def fact_summary(self, levers: dict[str, dict[str, set[str]]] | None = None) -> list[dict[str, Any]]:
        """Per varied fact: how many recommendations it adds or removes, and moves."""
        levers = self.levers() if levers is None else levers
        out = []
        for vary in self.varies:
            adds = sum(1 for facts in levers.values() if "adds_removes" in facts.get(vary.path, ()))
            moves = sum(1 for facts in levers.values() if "moves_horizon" in facts.get(vary.path, ()))
            out.append(
                {
                    "fact": vary.path,
                    "adds_removes": adds,
                    "moves_horizon": moves,
                    "recommendations": sum(1 for facts in levers.values() if vary.path in facts),
                }
            )
        return out

    def order(self, levers: dict[str, dict[str, set[str]]]) -> list[str]:
        """Moved items first (by how many facts move them), then by base horizon, then title."""
        place: dict[str, int] = {h: i for i, h in enumerate(HORIZON_IDS)}
        return sorted(
            self.items,
            key=lambda k: (
                -len(levers.get(k, {})),
                place.get(self.base_status.get(k, ""), 3),
                self.items[k].title,
                self.items[k].rule_id,
            ),
        )


def sweep(
    engine: Engine,
    case: Case,
    varies: Sequence[Vary],
    on_variant: Callable[[SweepVariant], None] | None = None,
    date: str | None = None,
) -> Sweep:
    """Evaluate every combination of `varies` on `case` (in order: the first fact varies slowest);
    `date` is the reference date when the case states no assessed_on."""
    base_facts = case.facts()
    base_result = engine.evaluate(case, date=date)
    items: dict[str, Item] = {}
    base_status = _status(engine, base_result, items)
    variants = []
    for values in itertools.product(*(v.values for v in varies)):
        variant = SweepVariant(tuple(values))
        changes = [Assignment(v.path, x, f"{v.path}={x}") for v, x in zip(varies, values, strict=True)]
        try:
            changed = apply(case, changes)
        except CaseError as exc:
            variant.error = "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in exc.problems)
        else:
            result = engine.evaluate(changed, date=date)
            variant.status = _status(engine, result, items)
            variant.plan = {h: [r.rule_id for r, p in result.placed() if p.horizon == h] for h in HORIZON_IDS}
        variants.append(variant)
        if on_variant is not None:
            on_variant(variant)
    if all(v.error for v in variants):
        raise CaseError(
            Problem(
                file=VARY,
                code="no_valid_variant",
                message=f"no variant of {case.case_id} is a valid case: {variants[0].error}",
                hint="vary values the case model accepts together",
            )
        )
    return Sweep(
        case.case_id, tuple(varies), {v.path: base_facts.get(v.path) for v in varies}, base_status, variants, items
    )


def _status(engine: Engine, result: Result, items: dict[str, Item]) -> dict[str, str]:
    out: dict[str, str] = {}
    for rec, place in result.placed():
        rule = engine.by_id.get(rec.rule_id)
        category, key = rule.merge_key if rule is not None else (rec.category, rec.title)
        k = f"{category}\x1f{key}"
        if k not in items:
            items[k] = Item(
                k,
                rec.rule_id,
                rec.title,
                rec.category,
                portfolio_title(rule.title) if rule is not None and rule.title else rec.title,
                rec.key or k,
            )
        out[k] = place.horizon
    return out


def variant_rows(result: Sweep) -> list[VariantRow]:
    """The rows of `variants.parquet` for one case's sweep: (variant, values, problem, key, rule_id, title,
    category, horizon, base_horizon) per variant and item of its plan, in plan order; an invalid
    variant is one row with its problem and no item."""
    rows: list[VariantRow] = []
    for n, v in enumerate(result.variants):
        if v.error:
            rows.append((n, v.values, v.error, None, None, None, None, None, None))
            continue
        for k, horizon in v.status.items():
            item = result.items[k]
            rows.append(
                (
                    n,
                    v.values,
                    None,
                    item.ident or k,
                    item.rule_id,
                    item.title,
                    item.category,
                    horizon,
                    result.base_status.get(k),
                )
            )
    return rows


def variant_line(case_id: str, varies: Sequence[Vary], variant: SweepVariant) -> dict[str, Any]:
    """One line of `--jsonl`: the values set and the plan (or the problem)."""
    line: dict[str, Any] = {"case_id": case_id, "set": {v.path: x for v, x in zip(varies, variant.values, strict=True)}}
    if variant.error:
        line["problem"] = variant.error
    else:
        line["plan"] = variant.plan
    return line


# ---------------------------------------------------------------- a portfolio


@dataclass
class PortfolioSweep:
    """The same sweep over many cases: per fact, at how many sites it moves which recommendations."""

    varies: tuple[Vary, ...]
    cases: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    sites_moved: Counter[str] = field(default_factory=Counter)
    """fact -> sites whose plan it moves at all"""
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(fact, item key) -> sites where the fact is a lever for the item"""
    titles: dict[str, Item] = field(default_factory=dict)

    def add(self, summary: dict[str, Any]) -> None:
        """Count one case's compact sweep summary (see `case_summary`)."""
        self.cases += 1
        for fact, keys in summary["levers"].items():
            if keys:
                self.sites_moved[fact] += 1
            for key in keys:
                self.moves[(fact, key)] += 1
        for key, (rule_id, title, category) in summary["items"].items():
            self.titles.setdefault(key, Item(key, rule_id, title, category))

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        facts = []
        for vary in self.varies:
            ranked = sorted(((n, k) for (f, k), n in self.moves.items() if f == vary.path), key=lambda t: (-t[0], t[1]))
            facts.append(
                {
                    "fact": vary.path,
                    "values": list(vary.values),
                    "sites_moved": self.sites_moved[vary.path],
                    "recommendations": [
                        {
                            "rule_id": self.titles[k].rule_id,
                            "title": self.titles[k].title,
                            "category": self.titles[k].category,
                            "sites": n,
                        }
                        for n, k in ranked[:top]
                    ],
                }
            )
        return {"cases": self.cases, "failed": self.failed, "facts": facts}


def case_summary(result: Sweep, with_rows: bool = False) -> dict[str, Any]:
    """What a portfolio sweep keeps of one case's sweep (small: it may travel between processes);
    `with_rows`: also its rows of variants.parquet (`rows`)."""
    levers = result.levers()
    by_fact: dict[str, list[str]] = {v.path: [] for v in result.varies}
    for key, facts in sorted(levers.items()):
        for fact in facts:
            by_fact[fact].append(key)
    used = {k for keys in by_fact.values() for k in keys}
    out: dict[str, Any] = {
        "case_id": result.case_id,
        "levers": by_fact,
        "items": {
            k: (result.items[k].rule_id, result.items[k].label or result.items[k].title, result.items[k].category)
            for k in sorted(used)
        },
    }
    if with_rows:
        out["rows"] = variant_rows(result)
    return out


def sweep_items(
    engine: Engine,
    items: Iterable[InputItem],
    varies: Sequence[Vary],
    date: str | None = None,
    redacted: tuple[str, ...] = (),
    with_rows: bool = False,
) -> Iterator[SweepOutcome]:
    """Each batch input item -> Swept(its summary) or Failed(its errors.jsonl-style row); `redacted`
    is removed from each case first (`--redact`), `with_rows` adds its variants.parquet rows."""
    from engine.io.caseload import validate_case
    from engine.io.inputs import content, to_document

    for item in items:
        case_id = None
        try:
            doc = to_document(item, content(item))
            case_id = stated_case_id(doc.data)
            case = validate_case(doc)
            if redacted:
                case = redact(case, redacted)
            summary = case_summary(sweep(engine, case, varies, date=date), with_rows)
            if with_rows:
                summary["assessed_on"] = case.assessed_on
            yield Swept(summary)
        except IspAdvisorError as exc:
            yield Failed(error_row(item, exc.problems, case_id))


def sweep_chunk(chunk: list[InputItem], settings: SweepSettings) -> list[SweepOutcome]:
    """The per-chunk function of a portfolio sweep on a Dask worker (engine.batch.executors)."""
    from engine.batch import batchrun as batch
    from engine.batch.executors import check_rules

    batch._init(RunSettings(settings.config, digest=settings.digest), check_rules(settings.config, settings.digest))
    engine = batch.worker().engine
    return list(sweep_items(engine, chunk, settings.varies, settings.date, settings.redacted, settings.with_rows))


def sweep_portfolio(
    sources: Sequence[str],
    varies: Sequence[Vary],
    rules: RulesArg = (),
    shipped: bool = True,
    executor: str = "local",
    scheduler: str | None = None,
    jobs: int | None = None,
    chunk: int = 8,
    date: str | None = None,
    redacted: Sequence[str] = (),
    tables_format: str | None = None,
    tables_out: str | None = None,
    force: bool = False,
) -> PortfolioSweep:
    """The sweep of every case of batch inputs (folders, .jsonl, .csv), in input order.

    Locally in this process; with executor 'dask' chunks of cases go to the cluster's workers
    (the same function, so the same figures). `redacted`: `--redact people,events`;
    `tables_format` ('parquet') with `tables_out` (a folder): also `tables_out/variants.parquet`.
    """
    from engine.batch import batchrun as batch
    from engine.batch import executors
    from engine.io import inputs
    from engine.model.redact import redact_choices

    what = redact_choices(list(redacted))
    chosen = executors.choose(executor, scheduler)
    planned = inputs.plan(sources)
    config = batch.resolved(rules, shipped)
    digest = batch.start(RunSettings(config)).digest
    engine: Engine = batch.worker().engine
    table = open_variants(tables_format, tables_out, varies, engine.info, force)
    out = PortfolioSweep(tuple(varies))
    if chosen is None:
        outcomes: Iterable[SweepOutcome] = sweep_items(
            engine, inputs.items(planned), varies, date, what, table is not None
        )
    else:
        if isinstance(chosen, executors.DaskExecutor):
            chosen = executors.DaskExecutor(chosen.scheduler, task=sweep_chunk)
        chunks = _chunked(inputs.items(planned), chunk)
        mapped = chosen.ordered(
            chunks,
            jobs or batch.default_jobs(),
            SweepSettings(config, digest, tuple(varies), date, tuple(what), table is not None),
        )
        outcomes = (o for _, got in mapped for o in got)
    try:
        for outcome in outcomes:
            match outcome:
                case Swept(summary):
                    if table is not None:
                        table.add(summary["case_id"], summary.pop("assessed_on"), summary.pop("rows"))
                    out.add(summary)
                case Failed(row):
                    out.failed.append(row)
        if table is not None:
            table.commit()
    except BaseException:
        if table is not None:
            table.abort()
        raise
    return out


def open_variants(
    tables_format: str | None, folder: str | None, varies: Sequence[Vary], engine: dict[str, Any], force: bool = False
) -> VariantTable | None:
    """The variants.parquet writer `--tables parquet --out DIR` asks for (engine.batch.tables.VariantTable),
    or None; checked before any case is swept (each option needs the other)."""
    from engine.batch import tables

    if not tables_format and not folder:
        return None
    if not tables_format:
        raise UsageError(
            Problem(
                field="--out",
                code="needs_tables",
                message="is the folder of --tables",
                hint="add --tables parquet (pip install '.[analytics]'), or leave --out out",
            )
        )
    tables.check(tables_format)
    if not folder:
        raise UsageError(
            Problem(
                field="--tables",
                code="no_folder",
                message="writes DIR/variants.parquet",
                hint="add --out DIR, a folder for the table",
            )
        )
    return tables.VariantTable(folder, varies, engine, force)


def _chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while piece := list(itertools.islice(it, size)):
        yield piece


__all__ = [
    "MAX_VARIANTS",
    "PortfolioSweep",
    "Sweep",
    "Vary",
    "case_summary",
    "open_variants",
    "parse_varies",
    "parse_vary",
    "sweep",
    "sweep_chunk",
    "sweep_items",
    "sweep_portfolio",
    "variant_line",
    "variant_rows",
]
