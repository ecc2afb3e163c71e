"""Loading rule packs: find the files, validate every rule, resolve overrides and sources.

All problems in all packs are collected and raised together as one RuleError, sorted by file
and line, so a rule author fixes a pack in one pass.
"""

from __future__ import annotations

import errno
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import msgspec
from pydantic import ValidationError

from engine.errors import Problem, RuleError, allowed, did_you_mean, display_name, os_reason, shown
from engine.io.documents import MAX_DEPTH, Document, decode, dotted, load, parse
from engine.model import operators
from engine.model import vocabulary as v
from engine.model.conditions import All, Any_, Condition, Not, Test
from engine.model.config import RulesArg, folders_of
from engine.model.facts import DERIVED_PREFIX, FACTS, FactSpec, spec_for
from engine.model.rules import CONTROL_CHARS, PackInfo, Rule, RuleBase, Source, TextChoice, Variant

if TYPE_CHECKING:
    from engine.rulepacks.rulemodel import ConditionModel, RuleModel, TestBase

RULES_ENV = "ISP_ADVISOR_RULES"
SOURCES_FILE = "sources.yaml"
_VAR_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def shipped_rules_dir() -> Path:
    """The rule packs that come with the tool: the checkout's rules/ or the installed copy."""
    here = Path(__file__).resolve().parents[2] / "rules"
    if (here / SOURCES_FILE).is_file():
        return here
    import isp_advisor_rules  # the installed copy of rules/ (see pyproject.toml)

    return Path(next(iter(isp_advisor_rules.__path__)))


def rule_dirs(extra: RulesArg = (), shipped: bool = True) -> list[Path]:
    """Shipped packs first, then $ISP_ADVISOR_RULES, then --rules folders, in that order."""
    folders, shipped = folders_of(extra, shipped)
    dirs = [shipped_rules_dir()] if shipped else []
    env = os.environ.get(RULES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in folders]
    return dirs


def pack_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.y*ml") if p.name != SOURCES_FILE and p.suffix in (".yaml", ".yml"))


def load_rulebase(extra: RulesArg = (), shipped: bool = True, packs: Packs | None = None) -> RuleBase:
    """Load and validate every pack of the given folders into one RuleBase (cached: see rulecache).

    The folders are listed and every file read once (`read_packs`, or the `packs` a caller already
    read); the cache key and the load both come from those bytes, so a pack added, edited or removed
    while this runs can never be cached under a key that does not describe it, and a caller that keeps
    `packs.digest` (the batch's resume index, a Dask worker's check) holds the digest of the very bytes
    that were loaded.
    """
    from engine.rulepacks import rulecache

    packs = read_packs(extra, shipped) if packs is None else packs
    if packs.digest is not None:
        cached = rulecache.read(packs.digest)
        if cached is not None:
            return cached
    base, problems = scan_rulebase(extra, shipped, snapshot=packs.snapshot)
    if problems:
        raise RuleError(problems)
    if packs.digest is not None:
        rulecache.write(packs.digest, base)
    return base


Snapshot = dict[Path, tuple[tuple[Path, bytes], ...]]
"""Folder -> its sources file and packs, in load order, with the bytes read once."""


class Packs(NamedTuple):
    """The rule files of one load, read once: their bytes and the digest of those bytes (the rule cache's
    key: any edit to any pack or sources file changes it, even without a version bump).

    Both are None when a folder is missing or a file cannot be read safely: the load then reads the
    files itself and reports the problem."""

    snapshot: Snapshot | None
    digest: str | None


def read_packs(extra: RulesArg = (), shipped: bool = True) -> Packs:
    """The rule files `load_rulebase(extra, shipped)` reads, read once, with their digest."""
    from engine.rulepacks import rulecache

    snapshot = read_snapshot(extra, shipped)
    if snapshot is None:
        return Packs(None, None)
    return Packs(snapshot, rulecache.key_for_snapshot(snapshot, folders_of(extra, shipped)[1]))


def read_snapshot(extra: RulesArg = (), shipped: bool = True) -> Snapshot | None:
    """Every file a load reads, listed and read once; None when a folder is missing or a file cannot be
    read safely (not regular, too large, unreadable): the load then reads the files itself and reports it."""
    from engine.rulepacks import rulecache

    dirs = rule_dirs(extra, shipped)
    if not all(_is_dir(d) for d in dirs):
        return None
    out: Snapshot = {}
    try:
        for d in dirs:
            if d in out:
                continue
            files = ([d / SOURCES_FILE] if (d / SOURCES_FILE).is_file() else []) + pack_files(d)
            out[d] = tuple((f, rulecache.regular_bytes(f)) for f in files)
    except (OSError, ValueError):
        return None
    return out


def _load_doc(f: Path, snapshot: Snapshot | None) -> Document:
    """A pack or sources file, from the snapshot's bytes when there is one."""
    try:
        if snapshot is not None:
            for path, raw in snapshot.get(f.parent, ()):
                if path == f:
                    name = str(f)
                    return parse(decode(raw, name, RuleError), name, RuleError)
        return load(f, RuleError)
    except RuleError as exc:
        raise RuleError([_rule_file_problem(p, f) for p in exc.problems]) from None


# ---------------------------------------------------------------- folders and files nested too deep

SHOWN_PATH = 400
"""The characters of a file name a Problem keeps (engine.errors); a longer path is shown with its end."""

TOO_DEEP_HINT = (
    "a rule pack is about 10 levels deep: check the indentation and brackets above this line, "
    "or split a deeply nested condition into rules that derive a fact"
)


def _rule_file_problem(p: Problem, f: Path) -> Problem:
    """A problem reading rule file `f`, as a rule author needs it: nesting too deep told in a rule pack's
    terms (not a case's), a path the system refuses explained, and the file named by the end of its path
    when the path is too long to show whole (a folder nested very deep), so the file name is never cut."""
    if p.code == "too_deep":
        p = replace(
            p, message=f"mappings and lists nested more than {MAX_DEPTH} levels deep, the limit", hint=TOO_DEEP_HINT
        )
    elif p.code == "unreadable" and "ENAMETOOLONG" in p.message:
        p = replace(p, hint=_too_long(f)[1])
    name = display_name(str(f))
    return replace(p, file=shown_path(name)) if len(name) > SHOWN_PATH else p


def shown_path(name: str, limit: int = SHOWN_PATH) -> str:
    """`name` cut in the middle, at folder boundaries, to at most `limit` characters: its start and, whole,
    its end (the file and the folders just above it), e.g. /data/rules/…/d118/d119/pack.yaml."""
    if len(name) <= limit:
        return name
    head = name[: limit // 4]
    head = head[: head.rfind(os.sep) + 1] if os.sep in head else head
    tail = name[-(limit - len(head) - 1) :]
    tail = tail[tail.find(os.sep) :] if os.sep in tail[:-1] else tail
    return head.rstrip(os.sep) + os.sep + "\u2026" + tail


def _is_dir(d: Path) -> bool:
    """`d.is_dir()`, False when the path cannot even be looked at (a folder nested so deep that its path
    is longer than the system allows, a folder above it that cannot be searched): `_folder_problem` says why."""
    try:
        return d.is_dir()
    except OSError:
        return False


def _is_file(f: Path) -> bool:
    try:
        return f.is_file()
    except OSError:
        return False


def _too_long(path: Path) -> tuple[str, str]:
    """What is too long in a path the system refuses (ENAMETOOLONG), and the fix."""
    name_max, path_max = 255, 4096
    try:
        name_max, path_max = os.pathconf(os.sep, "PC_NAME_MAX"), os.pathconf(os.sep, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no pathconf (Windows)
        pass
    long_names = [part for part in path.parts if len(os.fsencode(part)) > name_max]
    if long_names:
        return (
            f"a folder or file name in it is longer than the system allows ({name_max} bytes): "
            f"{shown(long_names[0], 60)}",
            "rename it to a shorter name",
        )
    return (
        f"the path is {len(os.fsencode(str(path))):,} bytes, {len(path.parts) - 1} folders deep: longer than "
        f"the system allows ({path_max:,} bytes)",
        "move the rule folder nearer the root, or cd into a folder above it and give the rest of the path",
    )


def _folder_problem(d: Path) -> Problem | None:
    """Why `d` cannot be used as a rule folder (not there, or a path the system refuses), or None."""
    try:
        if d.is_dir():
            (d / SOURCES_FILE).is_file()  # the path of a file in it may be too long even when the folder's is not
            return None
    except OSError as exc:
        name = shown_path(display_name(str(d)))
        if exc.errno == errno.ENAMETOOLONG:
            what, fix = _too_long(Path(os.fsdecode(exc.filename)) if exc.filename else d)
            return Problem(file=name, code="too_long", message=f"cannot use this rule folder: {what}", hint=fix)
        return Problem(
            file=name,
            code="unreadable",
            message=f"cannot read the rule folder: {os_reason(exc)}",
            hint="check the permissions of the folder and of the folders above it",
        )
    return Problem(
        file=shown_path(display_name(str(d))),
        code="not_found",
        message="rule folder not found",
        hint=f"give a folder holding *.yaml rule packs (from --rules or ${RULES_ENV})",
    )


def _files_of(d: Path, snapshot: Snapshot | None) -> list[Path]:
    if snapshot is not None and d in snapshot:
        return [f for f, _ in snapshot[d] if f.name != SOURCES_FILE]
    return pack_files(d)


def scan_rulebase(
    extra: RulesArg = (), shipped: bool = True, *, snapshot: Snapshot | None = None
) -> tuple[RuleBase, list[Problem]]:
    """Every rule that loads cleanly plus every problem found, without raising.

    `rules lint` reports the problems as findings and still checks the rules that did load.
    """
    dirs = rule_dirs(extra, shipped)
    shipped = folders_of(extra, shipped)[1]
    problems: list[Problem] = []
    for d in dirs:
        problem = _folder_problem(d)
        if problem is not None:
            problems.append(problem)
    if problems:
        return RuleBase((), (), {}), problems
    sources = _load_sources(dirs, problems, snapshot)
    packs: list[PackInfo] = []
    rules: list[Rule] = []
    disables: list[tuple[str, str, str, int]] = []
    for index, d in enumerate(dirs):
        shipped_dir = shipped and index == 0
        for f in _files_of(d, snapshot):
            try:
                doc = _load_doc(f, snapshot)
            except RuleError as exc:
                problems.extend(exc.problems)
                continue
            pack = _load_pack(doc, shipped_dir, sources, problems)
            if pack is None:
                continue
            info, pack_rules, disable = pack
            packs.append(info)
            rules.extend(pack_rules)
            disables.extend((rid, info.name, doc.path, doc.line_of(("disable",))) for rid in disable)
    merged = _resolve(rules, packs, disables, problems)
    _check_derived(merged, problems)
    disabled = {rid: pack for rid, pack, _, _ in disables}
    _check_plan_refs(merged, disabled, problems)
    return RuleBase(tuple(merged), tuple(packs), sources, disabled), problems


def _load_sources(dirs: list[Path], problems: list[Problem], snapshot: Snapshot | None = None) -> dict[str, Source]:
    from engine.rulepacks.rulemodel import SourcesModel  # not needed when the rule cache answers

    out: dict[str, Source] = {}
    for d in dirs:
        f = d / SOURCES_FILE
        if not (any(p == f for p, _ in snapshot.get(d, ())) if snapshot is not None else f.is_file()):
            continue
        try:
            doc = _load_doc(f, snapshot)
            model = SourcesModel.model_validate(doc.data)
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        except ValidationError as exc:
            from engine.io.validation import problems_from

            problems.extend(problems_from(exc, doc, SourcesModel))
            continue
        for key, s in model.sources.items():
            out[key] = Source(key, s.citation, s.url or "", s.kind, s.note or "")
    return out


def source_overrides(extra: RulesArg = (), shipped: bool = True) -> list[Problem]:
    """Source keys a later folder's sources.yaml defines again: the later citation silently wins
    (a local file replacing a shipped source), so lint and `rules list` warn about each."""
    seen: dict[str, tuple[str, Any]] = {}
    out: list[Problem] = []
    for d in rule_dirs(extra, shipped):
        f = d / SOURCES_FILE
        if not _is_file(f):
            continue
        try:
            doc = load(f, RuleError)
        except RuleError:
            continue  # reported by the load itself
        found = doc.data.get("sources") if isinstance(doc.data, dict) else None
        data: dict[Any, Any] = found if isinstance(found, dict) else {}
        for key in data:
            if not isinstance(key, str):
                continue
            if key in seen and seen[key][1] != data[key]:  # the same entry again changes nothing
                out.append(
                    Problem(
                        file=doc.path,
                        line=doc.line_of(("sources", key)),
                        field=f"sources.{key}",
                        code="source_override",
                        message=f"redefines source '{key}' of {display_name(seen[key][0])}, which it "
                        "replaces for every rule citing it",
                        hint="give your source a key of its own, or remove this entry",
                    )
                )
            elif key not in seen:
                seen[key] = (doc.path, data[key])
    return out


def _load_pack(
    doc: Document, shipped: bool, sources: dict[str, Source], problems: list[Problem]
) -> tuple[PackInfo, list[Rule], list[str]] | None:
    from engine.io.validation import problems_from
    from engine.rulepacks.rulemodel import PackModel  # not needed when the rule cache answers

    if not isinstance(doc.data, dict):
        problems.append(
            Problem(
                file=doc.path,
                line=1,
                code="type",
                message="a rule pack must be a mapping with 'ruleset', 'version' and 'rules'",
            )
        )
        return None
    try:
        pack = PackModel.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, PackModel))
        return None
    info = PackInfo(pack.ruleset, pack.version, doc.path, pack.description or "", shipped)
    raw: list[tuple[dict[str, Any], tuple[str | int, ...], str]] = [
        (r, ("rules", i), "") for i, r in enumerate(pack.rules)
    ]
    for ti, table in enumerate(pack.tables):
        raw.extend(_expand_table(doc, table, ("tables", ti), problems))
    rules: list[Rule] = []
    for data, loc, table_name in raw:
        rule = _load_rule(doc, data, loc, info, sources, problems, table_name)
        if rule is not None:
            rules.append(rule)
    return info, rules, list(pack.disable)


def _expand_table(
    doc: Document, data: dict[str, Any], loc: tuple[str | int, ...], problems: list[Problem]
) -> list[tuple[dict[str, Any], tuple[str | int, ...], str]]:
    from engine.io.validation import problems_from
    from engine.rulepacks.rulemodel import TableModel  # not needed when the rule cache answers

    try:
        table = TableModel.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, TableModel, base=loc))
        return []
    template = data["when"]
    used = set(_VAR_RE.findall(repr(template)))
    for name in sorted(used - set(table.vars)):
        problems.append(
            Problem(
                file=doc.path,
                line=doc.line_of(loc + ("when",)),
                field=dotted(loc + ("when",)),
                code="unknown_var",
                message=f"template uses ${name}, which is not in 'vars'",
                hint=f"add {name} to vars: {table.vars + [name]}",
            )
        )
    out = []
    for ri, row in enumerate(table.rows):
        rloc = loc + ("rows", ri)
        missing = [name for name in table.vars if name not in row]
        if missing:
            problems.append(
                Problem(
                    file=doc.path,
                    line=doc.line_of(rloc),
                    field=dotted(rloc),
                    rule_id=str(row.get("id", "")),
                    code="missing",
                    message=f"row lacks the table column(s) {', '.join(missing)}",
                )
            )
            continue
        values = {name: row[name] for name in table.vars}
        rule: dict[str, Any] = {k: val for k, val in row.items() if k not in values}
        for name in ("category", "priority"):
            if getattr(table, name) is not None:
                rule.setdefault(name, getattr(table, name))
        if table.sources:
            rule.setdefault("sources", list(table.sources))
        if "actions" in rule or "tags" in rule:
            rule["recommend"] = {"actions": rule.pop("actions", []), "tags": rule.pop("tags", {})}
        rule["when"] = _substitute(template, values)
        for name in ("title", "rationale", "key", "description"):
            if isinstance(rule.get(name), str | list):
                rule[name] = _substitute(rule[name], values)
        if "recommend" in rule and isinstance(rule["recommend"].get("actions"), list):
            rule["recommend"]["actions"] = _substitute(rule["recommend"]["actions"], values)
        out.append((rule, rloc, table.table))
    return out


def _substitute(template: Any, values: dict[str, Any]) -> Any:
    """Replace $var in every string of a template; a string that is only '$var' takes the value as is."""
    if isinstance(template, str):
        whole = _VAR_RE.fullmatch(template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _VAR_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)
    if isinstance(template, list):
        return [_substitute(x, values) for x in template]
    if isinstance(template, dict):
        return {k: _substitute(x, values) for k, x in template.items()}
    return template


def _with_rule_codes(found: list[Problem]) -> list[Problem]:
    """A recommending rule without actions gets its own code (no_actions), so `rules lint` can name it."""
    return [
        replace(p, code="no_actions")
        if p.code in ("missing", "too_short") and p.field.endswith("recommend.actions")
        else p
        for p in found
    ]


class _AddProblem(Protocol):
    """Records a problem of the rule being loaded, at `field_loc` under the rule (`_load_rule`'s `add`)."""

    def __call__(
        self, field_loc: tuple[str | int, ...], message: str, hint: str = "", code: str = "invalid"
    ) -> None: ...


def _load_rule(
    doc: Document,
    data: Any,
    loc: tuple[str | int, ...],
    info: PackInfo,
    sources: dict[str, Source],
    problems: list[Problem],
    table: str,
) -> Rule | None:
    """One rule of a pack: validated by its model, then every check the model cannot make, in the order
    their problems are reported; None when any check found a problem (they are in `problems`)."""
    model = _rule_model(doc, data, loc, problems)
    if model is None:
        return None
    before = len(problems)
    add = _adder(doc, loc, model.id, problems)
    when = _condition(model.when, ("when",), add)
    _check_derive(model, add)
    tags = _tags(model, add)
    _check_sources(model, sources, add)
    default, variants = _rationale(model, add)
    texts_when = [_condition(var.when, ("texts", i, "when"), add) for i, var in enumerate(model.texts)]
    _check_placeholders(model, add, when, texts_when)
    waits_for = _waits_for(model, add)
    _check_control_characters(model, add)
    _check_key_length(model, add)
    specification = _specification(model, sources, add)
    if len(problems) != before or when is None or variants is None or any(c is None for c in texts_when):
        return None
    choices = tuple(
        TextChoice(c, var.title or "", tuple(var.actions or ()))  # type: ignore[arg-type]
        for c, var in zip(texts_when, model.texts, strict=True)
    )
    return _rule_from(
        model, _Checked(when, tags, default, variants, choices, waits_for, specification), info, doc, loc, table
    )


def _rule_model(doc: Document, data: Any, loc: tuple[str | int, ...], problems: list[Problem]) -> RuleModel | None:
    """The rule's data validated by its pydantic model, or None with the model's problems added."""
    from engine.io.validation import problems_from
    from engine.rulepacks.rulemodel import RuleModel  # not needed when the rule cache answers

    if not isinstance(data, dict):
        problems.append(
            Problem(
                file=doc.path,
                line=doc.line_of(loc),
                field=dotted(loc),
                code="type",
                message="a rule must be a mapping (id, when, recommend or derive, ...)",
            )
        )
        return None
    try:
        return RuleModel.model_validate(data)
    except ValidationError as exc:
        rule_id = str(data.get("id", ""))
        problems.extend(_with_rule_codes(problems_from(exc, doc, RuleModel, base=loc, rule_id=rule_id)))
        return None


def _adder(doc: Document, loc: tuple[str | int, ...], rule_id: str, problems: list[Problem]) -> _AddProblem:
    """`add(field_loc, message, hint, code)`: a problem of the rule at `loc`, at `field_loc` under it."""

    def add(field_loc: tuple[str | int, ...], message: str, hint: str = "", code: str = "invalid") -> None:
        full = loc + field_loc
        problems.append(
            Problem(
                file=doc.path,
                line=doc.line_of(full),
                field=dotted(full),
                message=message,
                hint=hint,
                code=code,
                rule_id=rule_id,
            )
        )

    return add


def _check_derive(model: RuleModel, add: _AddProblem) -> None:
    """A derived value is a plain, finite number or word."""
    for name, value in (model.derive or {}).items():
        err = number_problem(value)
        if err:
            add(("derive", name), err[0], err[1], code="bad_number")


def _tags(model: RuleModel, add: _AddProblem) -> dict[str, tuple[str, ...]]:
    """The recommendation's tags, every key; an id outside its vocabulary is a problem."""
    tags: dict[str, tuple[str, ...]] = {}
    if model.recommend is None:
        return tags
    for key in v.TAG_KEYS:
        ids = tuple(getattr(model.recommend.tags, key))
        for i, tag in enumerate(ids):
            if tag not in v.TAG_VOCABULARIES[key]:
                add(
                    ("recommend", "tags", key, i),
                    f"unknown {key} id '{tag}'",
                    did_you_mean(tag, v.TAG_VOCABULARIES[key]) or f"see the {key} vocabulary in docs",
                    code="unknown_tag",
                )
        tags[key] = ids
    return tags


def _check_sources(model: RuleModel, sources: dict[str, Source], add: _AddProblem) -> None:
    """Every source key is one of the sources file's."""
    for i, key in enumerate(model.sources):
        if key not in sources:
            add(
                ("sources", i),
                f"unknown source key '{key}'",
                did_you_mean(key, sources) or "add it to rules/sources.yaml",
                code="unknown_source",
            )


def _check_key_length(model: RuleModel, add: _AddProblem) -> None:
    """The item key `<category>:<key>` fits in 64 characters."""
    if model.key and model.category and len(model.category) + 1 + len(model.key) > 64:
        add(
            ("key",),
            f"the item key '{model.category}:{model.key}' is longer than 64 characters",
            f"shorten `key:` ({len(model.key)} characters) to at most {63 - len(model.category)}: the item key is "
            f"the category, a colon and the key",
            code="key_too_long",
        )


class _Checked(NamedTuple):
    """What `_load_rule`'s checks made of a rule's model: its parts that are not copied as they are."""

    when: Condition
    tags: dict[str, tuple[str, ...]]
    rationale: str
    variants: tuple[Variant, ...]
    texts: tuple[TextChoice, ...]
    waits_for: tuple[str, ...]
    specification: dict[str, str]


def _rule_from(
    model: RuleModel, checked: _Checked, info: PackInfo, doc: Document, loc: tuple[str | int, ...], table: str
) -> Rule:
    """The loaded rule: the checked parts, and the model's plain fields with their defaults."""
    safety = model.safety or model.precedence == "safety"
    return Rule(
        id=model.id,
        when=checked.when,
        pack=info.name,
        file=doc.path,
        line=doc.line_of(loc),
        title=model.title or "",
        category=model.category or "",
        priority=model.priority,
        score=float(model.score),
        key=model.key or "",
        description=model.description or "",
        actions=tuple(model.recommend.actions) if model.recommend else (),
        tags=checked.tags,
        derive=dict(model.derive or {}),
        rationale=checked.rationale,
        sources=tuple(model.sources),
        overrides="override" if model.overrides else "",
        table=table,
        urgent=("time-bound" if model.urgent is True else model.urgent or ""),
        not_before=model.not_before or "",
        due=model.due or "",
        stages=tuple(model.stages),
        after=tuple(a if isinstance(a, str) else a.tag for a in model.after),
        supersedes=tuple(model.supersedes),
        evidence_level=model.evidence_level or 0,
        fallbacks=dict(model.fallbacks),
        variants=checked.variants,
        specification=checked.specification,
        addresses=tuple(model.addresses),
        waits_for=checked.waits_for,
        texts=checked.texts,
        unstated_ok=model.unstated_ok.reason if model.unstated_ok else "",
        safety=safety,
        precedence="safety" if safety else model.precedence or "",
        conflicts_with=tuple(model.conflicts_with),
    )


def _specification(model: RuleModel, sources: dict[str, Source], add: _AddProblem) -> dict[str, str]:
    """The rule's `specification:` as flat text fields; its mechanism's source must be a known key."""
    spec = model.specification
    if spec is None:
        return {}
    out = {
        k: val
        for k, val in (
            ("actor", spec.actor),
            ("target", spec.target),
            ("frequency", spec.dose.frequency if spec.dose else None),
            ("duration", spec.dose.duration if spec.dose else None),
            ("mechanism", spec.mechanism),
            ("mechanism_source", spec.mechanism_source),
        )
        if val
    }
    from engine.rulepacks.placeholders import PLACEHOLDERS, names_in

    for name, text in out.items():
        for used in names_in(text) if name != "mechanism_source" else ():
            if used not in PLACEHOLDERS:
                where = ("dose", name) if name in ("frequency", "duration") else (name,)
                add(
                    ("specification", *where),
                    f"unknown placeholder '{{{used}}}'",
                    (did_you_mean(used, PLACEHOLDERS) or "placeholders: " + ", ".join(PLACEHOLDERS))
                    + "; write {{ and }} for literal braces",
                    code="unknown_placeholder",
                )
    key = out.get("mechanism_source")
    if key and key not in sources:
        add(
            ("specification", "mechanism_source"),
            f"unknown source key '{key}'",
            did_you_mean(key, sources) or "add it to rules/sources.yaml",
            code="unknown_source",
        )
    return out


def _rationale(model: RuleModel, add: _AddProblem) -> tuple[str, tuple[Variant, ...] | None]:
    """The default rationale and the conditional variants before it (None when one fails to compile)."""
    if not isinstance(model.rationale, list):
        return model.rationale or "", ()
    variants: list[Variant] = []
    ok = True
    for i, var in enumerate(model.rationale[:-1]):
        cond = _condition(var.when, ("rationale", i, "when"), add)
        if cond is None:
            ok = False
        else:
            variants.append(Variant(cond, var.text))
    return model.rationale[-1].text, (tuple(variants) if ok else None)


_Fillable = Callable[[str], bool]
"""Whether a site placeholder of a text can always be filled (its conditions or a fallback make sure)."""


def _check_placeholders(
    model: RuleModel, add: _AddProblem, when: Condition | None, texts_when: list[Condition | None]
) -> None:
    """Every `{name}` in a rule's text is a known placeholder; fallbacks name known placeholders; a site
    placeholder (`{person:champion}`, ...) appears only in a text whose conditions guarantee the case
    states what it names, or with a fallback (no output may stand in for a person the case never named)."""
    from engine.rulepacks.placeholders import all_names, known_name

    names = all_names()
    for loc, text, fillable in _placeholder_texts(model, when, texts_when):
        _check_text_placeholders(loc, text, fillable, add, names)
    for name in model.fallbacks:
        if not known_name(name):
            add(
                ("fallbacks", name),
                f"unknown placeholder '{name}'",
                did_you_mean(name, names) or "placeholders: " + ", ".join(names[:12]) + ", ...",
                code="unknown_placeholder",
            )


def _placeholder_texts(
    model: RuleModel, when: Condition | None, texts_when: list[Condition | None]
) -> list[tuple[tuple[str | int, ...], str, _Fillable]]:
    """Each text of a rule that may hold placeholders: where it is, the text, and which of its site
    placeholders can be filled (those the rule's `when`, the variant's `when` or a fallback guarantee)."""
    from engine.rulepacks.placeholders import requires

    def guarded(extra: Condition | None) -> _Fillable:  # `{derived.x}`: a test of derived.x
        conds = [c for c in (when, extra) if c is not None]
        return lambda name: name in model.fallbacks or any(guarantees(c, set(requires(name))) for c in conds)

    base = guarded(None)
    texts: list[tuple[tuple[str | int, ...], str, _Fillable]] = []
    if model.title:
        texts.append((("title",), model.title, base))
    if model.recommend is not None:
        texts += [(("recommend", "actions", i), a, base) for i, a in enumerate(model.recommend.actions)]
    if isinstance(model.rationale, list):
        texts += [(("rationale", i, "text"), var.text, base) for i, var in enumerate(model.rationale)]
    elif model.rationale:
        texts.append((("rationale",), model.rationale, base))
    for i, (var, cond) in enumerate(zip(model.texts, texts_when, strict=True)):
        ok = guarded(cond)
        if var.title:
            texts.append((("texts", i, "title"), var.title, ok))
        texts += [(("texts", i, "actions", j), a, ok) for j, a in enumerate(var.actions or ())]
    return texts


def _check_text_placeholders(
    loc: tuple[str | int, ...], text: str, fillable: _Fillable, add: _AddProblem, names: list[str]
) -> None:
    """One text's placeholders: each known, and each site placeholder sure to have something to name."""
    from engine.rulepacks.placeholders import known_name, names_in, requires

    for name in names_in(text):
        if not known_name(name):
            add(
                loc,
                f"unknown placeholder '{{{name}}}'",
                (did_you_mean(name, names) or "placeholders: " + ", ".join(names[:12]) + ", ...")
                + "; write {{ and }} for literal braces",
                code="unknown_placeholder",
            )
        elif (":" in name or name.startswith("derived.")) and not fillable(name):
            add(
                loc,
                f"'{{{name}}}' may have nothing to name: the conditions do not make sure the case states "
                f"{' or '.join(requires(name)[:2])}{' (or another group)' if len(requires(name)) > 2 else ''}",
                "move the text into a `texts:` variant whose `when` tests that fact, or give the rule a "
                f"fallback for '{name}'",
                code="unfillable_placeholder",
            )


def guarantees(cond: Condition, paths: set[str]) -> bool:
    """Whether `cond` holding means the case states one of `paths` (any test of a path but `exists:
    false` fails on an unstated fact; `all` needs one such item, `any` needs it in every branch)."""
    if isinstance(cond, Test):
        return cond.fact in paths and not (cond.op == "exists" and not cond.value)
    if isinstance(cond, All):
        return any(guarantees(c, paths) for c in cond.items)
    if isinstance(cond, Any_):
        return all(guarantees(c, paths) for c in cond.items)
    return False


_CONTROL = CONTROL_CHARS


def _check_control_characters(model: RuleModel, add: _AddProblem) -> None:
    """Rule text shown to people holds no control characters: a terminal escape (OSC 52 clipboard
    writes, title setting), a bare carriage return or a bidirectional override would reach every
    rendering of every plan."""
    texts: list[tuple[tuple[str | int, ...], str]] = []
    if model.title:
        texts.append((("title",), model.title))
    if model.description:
        texts.append((("description",), model.description))
    if model.recommend is not None:
        texts += [(("recommend", "actions", i), a) for i, a in enumerate(model.recommend.actions)]
    if isinstance(model.rationale, list):
        texts += [(("rationale", i, "text"), v.text) for i, v in enumerate(model.rationale)]
    elif model.rationale:
        texts.append((("rationale",), model.rationale))
    for i, var in enumerate(model.texts):
        texts += [(("texts", i, "title"), var.title)] if var.title else []
        texts += [(("texts", i, "actions", j), a) for j, a in enumerate(var.actions or ())]
    texts += [(("fallbacks", k), v) for k, v in model.fallbacks.items()]
    for loc, text in texts:
        m = _CONTROL.search(text)
        if m:
            add(
                loc,
                f"holds a control character ({m.group(0)!r})",
                "remove it: rule text is plain text (write {{ and }} for braces)",
                code="control_character",
            )


def _waits_for(model: RuleModel, add: _AddProblem) -> tuple[str, ...]:
    """The protective facts the rule waits for: yes/no or dated facts the cue lexicon can ask about."""
    from engine.model.sitevocab import PROTECTIVE_PATHS

    for i, path in enumerate(model.waits_for):
        if path not in PROTECTIVE_PATHS:
            add(
                ("waits_for", i),
                f"'{path}' is not a protective fact the case is asked about",
                did_you_mean(path, PROTECTIVE_PATHS) or "one of: " + ", ".join(PROTECTIVE_PATHS),
                code="bad_waits_for",
            )
    return tuple(model.waits_for)


_ORDERING = operators.of_family("order")
_ALLOWED_OPS = {kind: operators.allowed_for(kind) for kind in operators.FACT_KINDS}


def _condition(model: ConditionModel | None, loc: tuple[str | int, ...], add: _AddProblem) -> Condition | None:
    """Pydantic condition model -> condition tree, checking paths, operators and values."""
    from engine.rulepacks.rulemodel import (  # not needed when the rule cache answers
        AllModel,
        AnyModel,
        NotModel,
        TestBase,
    )

    if isinstance(model, AllModel):
        items = [_condition(c, loc + ("all", i), add) for i, c in enumerate(model.all)]
        return None if any(i is None for i in items) else All(tuple(items))  # type: ignore[arg-type]
    if isinstance(model, AnyModel):
        items = [_condition(c, loc + ("any", i), add) for i, c in enumerate(model.any)]
        return None if any(i is None for i in items) else Any_(tuple(items))  # type: ignore[arg-type]
    if isinstance(model, NotModel):
        item = _condition(model.not_, loc + ("not",), add)
        return None if item is None else Not(item)
    assert isinstance(model, TestBase)
    return _test(model, loc, add)


def _known_paths() -> list[str]:
    return list(FACTS) + ["derived.<name>"]


def _test(model: TestBase, loc: tuple[str | int, ...], add: _AddProblem) -> Test | None:
    path, op, value = model.fact, model.operator, model.value
    spec = spec_for(path)
    if spec is None:
        add(
            loc + ("fact",),
            f"unknown fact path '{path}'",
            did_you_mean(path, _known_paths()) or "see the fact paths in docs/rule-language.md",
            code="unknown_fact",
        )
        return None
    if op not in _ALLOWED_OPS[spec.kind]:
        add(
            loc + (op,),
            f"operator '{op}' does not apply to {path} ({spec.kind})",
            f"use one of: {', '.join(_ALLOWED_OPS[spec.kind])}",
            code="bad_operator",
        )
        return None
    if op == "exists":
        return Test(path, op, bool(value))
    ref = _reference(value)
    if ref is not None:
        rspec = spec_for(ref)
        if operators.BY_NAME[op].value == "list" or rspec is None or not _compatible(spec, rspec):
            add(
                loc + (op,),
                f"cannot compare {path} with fact {ref}",
                "a fact may be compared only with a fact on the same scale",
                code="bad_reference",
            )
            return None
        return Test(path, op, None, ref)
    values = list(value) if operators.BY_NAME[op].value == "list" else [value]
    ok = True
    for i, item in enumerate(values):
        err = _value_problem(spec, op, item)
        if err:
            add(loc + ((op, i) if operators.BY_NAME[op].value == "list" else (op,)), err[0], err[1], code="bad_value")
            ok = False
    if not ok:
        return None
    if operators.BY_NAME[op].value == "list":
        if not values:
            add(loc + (op,), f"'{op}' needs at least one value")
            return None
        return Test(path, op, tuple(values))
    return Test(path, op, value)


def _reference(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"fact"} and isinstance(value["fact"], str):
        return value["fact"]
    if isinstance(value, str) and "." in value and spec_for(value) is not None:
        return value
    return None


def _compatible(a: FactSpec, b: FactSpec) -> bool:
    if a.kind == "derived" or b.kind == "derived":
        return a.kind == b.kind
    return a.kind == b.kind and a.values == b.values and a.kind not in ("text", "list")


MAX_EXACT_INT = 2**53
"""Larger integers lose precision in JSON numbers and in comparisons with decimals."""


def number_problem(value: Any) -> tuple[str, str] | None:
    """Why a number cannot be a derived fact's value (durable_rules mishandles it), or None.

    durable_rules' parser refuses exponent notation (1e-05, 1e+20: what JSON writes for tiny and
    huge floats), .inf and .nan are not JSON at all, and integers beyond 2^53 compare wrongly."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    hint = "use an integer below 2^53 or a decimal between 0.0001 and 10^15 (or a word or true/false)"
    if isinstance(value, float) and not math.isfinite(value):
        return (f"{value!r} is not a number a rule can use", hint)
    if isinstance(value, float) and "e" in repr(value):
        return (f"{value!r} is too small or too large for a rule value", hint)
    if isinstance(value, int) and abs(value) >= MAX_EXACT_INT:
        return (f"{value} is too large for a rule value", hint)
    return None


def _value_problem(spec: FactSpec, op: str, value: Any) -> tuple[str, str] | None:
    if spec.kind == "derived":
        if not isinstance(value, bool | int | float | str):
            return (f"{value!r} is not a plain value", "compare derived facts with true/false, a number or a word")
        return number_problem(value)
    if spec.kind == "rating":
        if op in _ORDERING and (value == v.MIXED or isinstance(value, bool) or not isinstance(value, int)):
            return (f"'{op}' needs a number -2..2, not {value!r}", "'mixed' is not ordered: test it with equals: mixed")
    if isinstance(value, bool) != (spec.kind == "bool") or value not in spec.values:
        hint = did_you_mean(str(value), [str(x) for x in spec.values])
        choices = ["true", "false"] if spec.kind == "bool" else spec.values
        return (f"{value!r} is not a value of {spec.path}", (hint + "; " if hint else "") + allowed(choices))
    return None


def _resolve(
    rules: list[Rule], packs: list[PackInfo], disables: list[tuple[str, str, str, int]], problems: list[Problem]
) -> list[Rule]:
    """Apply overrides and disables; report duplicate ids."""
    by_id: dict[str, Rule] = {}
    order: list[str] = []
    for rule in rules:
        prior = by_id.get(rule.id)
        if prior is None:
            if rule.overrides:
                problems.append(
                    rule.problem(
                        field="overrides",
                        code="nothing_to_override",
                        message="says overrides: true but no earlier pack has this id",
                        hint=did_you_mean(rule.id, by_id) or "remove 'overrides' or fix the id",
                    )
                )
                continue
            by_id[rule.id] = rule
            order.append(rule.id)
        elif rule.overrides and prior.file != rule.file and prior.pack != rule.pack:
            by_id[rule.id] = _with(rule, overrides=f"{prior.pack} ({prior.file})")
        else:
            problems.append(
                rule.problem(
                    field="id",
                    code="duplicate_id",
                    message=f"duplicate rule id; already defined in {prior.file}:{prior.line}",
                    hint="rename it, or set overrides: true in a local pack to replace it",
                )
            )
    for rid, _pack, file, line in disables:
        if rid not in by_id:
            problems.append(
                Problem(
                    file=file,
                    line=line,
                    field="disable",
                    rule_id=rid,
                    code="unknown_rule",
                    message=f"cannot disable unknown rule '{rid}'",
                    hint=did_you_mean(rid, by_id) or "check the id with 'isp-advisor rules list'",
                )
            )
    disabled = {rid for rid, _, _, _ in disables}
    return [by_id[rid] for rid in order if rid not in disabled]


def _check_plan_refs(rules: list[Rule], disabled: dict[str, str], problems: list[Problem]) -> None:
    """`after` and `supersedes` name loaded rules (or tags of the vocabulary), never the rule itself;
    `supersedes` never closes a cycle (A holds back B holds back A: a plan would silently lose both)."""
    ids = {r.id for r in rules}
    _check_supersedes_cycles(rules, problems)
    for r in rules:
        for fld, refs in (("after", r.after), ("supersedes", r.supersedes), ("conflicts_with", r.conflicts_with)):
            for ref in refs:
                if ":" in ref:
                    key, _, tag = ref.partition(":")
                    if key not in v.TAG_VOCABULARIES:
                        hint = did_you_mean(key, v.TAG_KEYS) or "tag keys: " + ", ".join(v.TAG_KEYS)
                    elif tag not in v.TAG_VOCABULARIES[key]:
                        hint = did_you_mean(tag, v.TAG_VOCABULARIES[key]) or f"see the {key} vocabulary"
                    else:
                        continue
                    problems.append(
                        r.problem(
                            field=fld,
                            code="unknown_tag",
                            message=f"unknown tag '{ref}'",
                            hint=hint,
                        )
                    )
                elif ref == r.id:
                    problems.append(
                        r.problem(
                            field=fld,
                            code="self_reference",
                            message=f"a rule cannot name itself in '{fld}'",
                            hint=f"remove {ref} from {fld}",
                        )
                    )
                elif ref not in ids and ref not in disabled:
                    problems.append(
                        r.problem(
                            field=fld,
                            code="unknown_rule",
                            message=f"'{fld}' names unknown rule '{ref}'",
                            hint=did_you_mean(ref, ids) or "check the id with 'isp-advisor rules list'",
                        )
                    )


def _with(rule: Rule, **kw: Any) -> Rule:
    return msgspec.structs.replace(rule, **kw)


def _check_supersedes_cycles(rules: list[Rule], problems: list[Problem]) -> None:
    """One problem per rule on a `supersedes` cycle, naming the cycle."""
    edges = {r.id: [t for t in r.supersedes if ":" not in t] for r in rules}
    by_id = {r.id: r for r in rules}
    reported: set[str] = set()
    for start in sorted(edges):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, ()):
                if nxt == start and len(path) > 1:
                    cycle = path + [start]
                    if start not in reported:
                        r = by_id[start]
                        problems.append(
                            r.problem(
                                field="supersedes",
                                code="supersedes_cycle",
                                message="'supersedes' goes round in a circle: " + " -> ".join(cycle) + " (when they "
                                "all fire, each holds the next back and the plan loses them all)",
                                hint="keep `supersedes` on one side only, or use `conflicts_with` to keep the "
                                "better-ranked item",
                            )
                        )
                        reported.add(start)
                elif nxt not in seen and nxt in edges:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))


def _check_derived(rules: Iterable[Rule], problems: list[Problem]) -> None:
    """Each derived fact holds values of one type, and conditions compare it with that type."""
    types: dict[str, set[str]] = {}
    for r in rules:
        for name, value in r.derive.items():
            types.setdefault(name, set()).add(_type_name(value))
    for name, kinds in types.items():
        if len(kinds) > 1:
            first = next(r for r in rules if name in r.derive)
            problems.append(
                first.problem(
                    field=f"derive.{name}",
                    code="derived_type",
                    message=f"derived fact '{name}' is set to values of different types ({', '.join(sorted(kinds))})",
                    hint="use one type (true/false, a number or a word) for each derived fact",
                )
            )
    from engine.model.conditions import tests_in

    for r in rules:
        for t in tests_in(r.when):
            if not t.fact.startswith(DERIVED_PREFIX) or t.op == "exists" or t.ref is not None:
                continue
            name = t.fact[len(DERIVED_PREFIX) :]
            values = t.value if isinstance(t.value, tuple) else (t.value,)
            want = types.get(name)
            for val in values:
                if want and _type_name(val) not in want:
                    problems.append(
                        r.problem(
                            field="when",
                            code="derived_type",
                            message=f"compares {t.fact} with {val!r}, but it is derived as {', '.join(sorted(want))}",
                            hint="compare with a value of the type the derive blocks set",
                        )
                    )
    _check_derived_words(rules, types, problems)


def _check_derived_words(rules: Iterable[Rule], types: dict[str, set[str]], problems: list[Problem]) -> None:
    """`{derived.<name>}` in a text names a fact some rule derives as a word."""
    from engine.rulepacks.placeholders import derived_name, names_in

    for r in rules:
        for name in dict.fromkeys(n for t in r.all_texts for n in names_in(t) if derived_name(n)):
            kinds = types.get(name[len(DERIVED_PREFIX) :])
            if kinds != {"word"}:
                problems.append(
                    r.problem(
                        field="text",
                        code="unknown_placeholder",
                        message=(
                            f"'{{{name}}}' names a fact no rule derives"
                            if not kinds
                            else f"'{{{name}}}' is derived as {', '.join(sorted(kinds))}, not a word"
                        ),
                        hint="add a rule whose `derive` sets it to a word (e.g. derive: {support_cadence: "
                        '"every two weeks"}), or use another placeholder',
                    )
                )


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    return "word"
