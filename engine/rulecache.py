"""A cache of validated rule bases, so a one-case command does not re-parse every pack.

Parsing and validating the shipped packs (about half a megabyte of YAML) takes longer than the
rest of a `recommend` run. A successfully loaded RuleBase is stored as plain JSON (never pickle:
nothing read back from disk is executed) under a key made of the engine version and the exact
bytes and paths of every pack and sources file that were read. Any change to any of them, or to
the engine, is a different key. Only clean loads are cached; errors are always found afresh.

The folder is $ISP_ADVISOR_CACHE, else $XDG_CACHE_HOME/isp-advisor, else ~/.cache/isp-advisor.
Set ISP_ADVISOR_CACHE=off to turn caching off. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import __version__
from .conditions import All, Any_, Condition, Not, Test
from .ruleset import PackInfo, Rule, RuleBase, Source, Variant

FORMAT = 4


def cache_dir() -> Path | None:
    env = os.environ.get("ISP_ADVISOR_CACHE", "")
    if env.lower() in ("off", "0", "no", "false"):
        return None
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "isp-advisor"


_LOADING_CODE = ("loader.py", "rulemodel.py", "facts.py", "vocabulary.py", "conditions.py", "ruleset.py",
                 "documents.py", "validation.py", "rulecache.py", "placeholders.py")
"""The engine's own modules that decide what a pack loads to: editing one is a different key, so
a development checkout never reads a rule base built by older code."""


def key_for(files: list[Path], dirs: list[Path], shipped: bool) -> str:
    """A digest of everything a load reads: engine version and loading code, folder order, each
    file's path and bytes."""
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{shipped}|".encode())
    here = Path(__file__).resolve().parent
    for name in _LOADING_CODE:
        h.update((here / name).read_bytes())
    for d in dirs:
        h.update(f"dir:{d.resolve()}\n".encode())
    for f in files:
        h.update(f"file:{f.resolve()}\n".encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def read(key: str) -> RuleBase | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"rules-{key}.json").read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        return _base_from(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def write(key: str, base: RuleBase) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": FORMAT, "key": key, **_base_to(base)}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, folder / f"rules-{key}.json")
    except OSError:
        return  # a read-only home or a full disk only costs speed


# ------------------------------------------------------------------ RuleBase <-> JSON data


def _cond_to(c: Condition) -> Any:
    if isinstance(c, Test):
        value = list(c.value) if isinstance(c.value, tuple) else c.value
        return ["t", c.fact, c.op, value, c.ref]
    if isinstance(c, Not):
        return ["not", _cond_to(c.item)]
    return ["all" if isinstance(c, All) else "any", [_cond_to(x) for x in c.items]]


def _cond_from(d: Any) -> Condition:
    kind = d[0]
    if kind == "t":
        value = tuple(d[3]) if d[2] in ("in", "not_in") else d[3]
        return Test(d[1], d[2], value, d[4])
    if kind == "not":
        return Not(_cond_from(d[1]))
    items = tuple(_cond_from(x) for x in d[1])
    return All(items) if kind == "all" else Any_(items)


_RULE_FIELDS = ("id", "pack", "file", "line", "title", "category", "priority", "score", "key", "description",
                "derive", "rationale", "overrides", "table", "urgent", "not_before", "due", "evidence_level", "fallbacks",
                "specification")
_TUPLE_FIELDS = ("stages", "after", "supersedes")


def _base_to(base: RuleBase) -> dict[str, Any]:
    rules = []
    for r in base.rules:
        item = {f: getattr(r, f) for f in _RULE_FIELDS}
        item.update(when=_cond_to(r.when), actions=list(r.actions), sources=list(r.sources),
                    tags={k: list(v) for k, v in r.tags.items()},
                    variants=[[_cond_to(x.when), x.text] for x in r.variants],
                    **{f: list(getattr(r, f)) for f in _TUPLE_FIELDS})
        rules.append(item)
    return {
        "rules": rules,
        "packs": [vars(p) for p in base.packs],
        "sources": {k: {"key": s.key, "citation": s.citation, "url": s.url, "kind": s.kind, "note": s.note}
                    for k, s in base.sources.items()},
        "disabled": base.disabled,
    }


def _base_from(data: dict[str, Any]) -> RuleBase:
    rules = tuple(
        Rule(**{f: item[f] for f in _RULE_FIELDS}, when=_cond_from(item["when"]), actions=tuple(item["actions"]),
             sources=tuple(item["sources"]), tags={k: tuple(v) for k, v in item["tags"].items()},
             variants=tuple(Variant(_cond_from(c), t) for c, t in item["variants"]),
             stages=tuple(item["stages"]), after=tuple(item["after"]), supersedes=tuple(item["supersedes"]))
        for item in data["rules"])
    packs = tuple(PackInfo(**p) for p in data["packs"])
    sources = {k: Source(**s) for k, s in data["sources"].items()}
    return RuleBase(rules, packs, sources, dict(data["disabled"]))
