"""A cache of validated rule bases, so a one-case command does not re-parse every pack.

Parsing and validating the shipped packs (about half a megabyte of YAML) takes longer than the
rest of a `recommend` run. A successfully loaded RuleBase is stored as plain JSON (never pickle:
nothing read back from disk is executed) under a key made of the engine version, every file of
the installed engine package, and the exact bytes and paths of every pack and sources file that
were read. Any change to any of them is a different key. Only clean loads are cached; errors are
always found afresh. The newest KEEP entries are kept; older ones are removed when one is written.

The folder is $ISP_ADVISOR_CACHE, else $XDG_CACHE_HOME/isp-advisor, else ~/.cache/isp-advisor.
Set ISP_ADVISOR_CACHE=off to turn caching off. A cache that cannot be read or written is ignored:
a cache failure only ever costs speed, never a command.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from engine import __version__
from engine.model.conditions import All, Any_, Condition, Not, Test
from engine.model.rules import PackInfo, Rule, RuleBase, Source, TextChoice, Variant

FORMAT = 6
KEEP = 8
"""Cache entries kept (by last use): one per pack edit would otherwise pile up without end."""
MAX_PACK_BYTES = 1_000_000
"""The size limit of a case file (engine/io/documents.py) applies to packs before they are hashed."""


def cache_dir() -> Path | None:
    env = os.environ.get("ISP_ADVISOR_CACHE", "")
    if env.lower() in ("off", "0", "no", "false"):
        return None
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "isp-advisor"
    try:
        home = Path.home()
    except (KeyError, RuntimeError):  # no HOME and no user database entry
        return None
    if not os.environ.get("HOME", "x") or str(home) in ("", "/", "."):
        return None  # an empty or root HOME: no cache at /.cache (loading works, just slower)
    return home / ".cache" / "isp-advisor"


def package_root() -> Path:
    """The engine package whose files are part of every key (any edit to the code is a new key)."""
    return Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=4)
def _code_digest(root: Path) -> bytes:
    """A digest of every file of the installed engine package (sources and data), by path and bytes."""
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".yml", ".json", ".typed")
                    and "__pycache__" not in p.parts):
        h.update(f"{f.relative_to(root).as_posix()}\n".encode())
        h.update(_regular_bytes(f))
    return h.digest()


def _regular_bytes(path: Path, limit: int = MAX_PACK_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError for anything else (a FIFO is
    never opened for a blocking read, /dev/zero never read without bound)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path}: not a regular file")
        if st.st_size > limit:
            raise OSError(f"{path}: larger than {limit} bytes")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise OSError(f"{path}: larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def key_for(files: list[Path], dirs: list[Path], shipped: bool) -> str:
    """A digest of everything a load reads: engine version and package files, folder order, each
    file's path and bytes. OSError when a file cannot be hashed safely (not regular, too large):
    the caller then loads without the cache, and the loader reports the file."""
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{shipped}|".encode())
    h.update(_code_digest(package_root()))
    for d in dirs:
        h.update(f"dir:{d.resolve()}\n".encode())
    for f in files:
        h.update(f"file:{f.resolve()}\n".encode())
        h.update(_regular_bytes(f))
    return h.hexdigest()


def read(key: str) -> RuleBase | None:
    """The cached rule base for `key`, or None (absent, stale, corrupt or unreadable)."""
    try:
        folder = cache_dir()
        if folder is None:
            return None
        path = folder / f"rules-{key}.json"
        data = json.loads(_regular_bytes(path, 64 * MAX_PACK_BYTES).decode("utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        base = _base_from(data)
        try:
            os.utime(path)  # recently used: kept by the eviction
        except OSError:
            pass
        return base
    except Exception:  # noqa: BLE001 - a cache failure only costs speed
        return None


def write(key: str, base: RuleBase) -> None:
    """Store `base` under `key` atomically, then keep only the newest KEEP entries; never raises."""
    tmp: str | None = None
    try:
        folder = cache_dir()
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": FORMAT, "key": key, **_base_to(base)}, ensure_ascii=False, allow_nan=False)
        fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, folder / f"rules-{key}.json")
        tmp = None
        evict(folder)
    except Exception:  # noqa: BLE001 - a read-only home or a full disk only costs speed
        return
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def evict(folder: Path, keep: int | None = None) -> None:
    """Remove all but the `keep` (default KEEP) most recently used entries, and temp files a crash
    left behind."""
    keep = KEEP if keep is None else keep
    entries = []
    for p in folder.glob("rules-*.json"):
        try:
            entries.append((p.stat().st_mtime_ns, p.name, p))
        except OSError:
            continue
    entries.sort(reverse=True)
    stale = [p for _, _, p in entries[keep:]]
    for p in folder.glob(".rules-*.tmp"):  # left by a process killed mid-write, an hour or more ago
        try:
            if p.stat().st_mtime < time.time() - 3600:
                stale.append(p)
        except OSError:
            continue
    for p in stale:
        try:
            p.unlink()
        except OSError:
            pass


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
                "derive", "rationale", "overrides", "table", "urgent", "not_before", "due", "evidence_level",
                "fallbacks", "specification", "unstated_ok", "safety", "precedence")
_TUPLE_FIELDS = ("stages", "after", "supersedes", "addresses", "waits_for", "conflicts_with")


def _base_to(base: RuleBase) -> dict[str, Any]:
    rules = []
    for r in base.rules:
        item = {f: getattr(r, f) for f in _RULE_FIELDS}
        item.update(when=_cond_to(r.when), actions=list(r.actions), sources=list(r.sources),
                    tags={k: list(v) for k, v in r.tags.items()},
                    variants=[[_cond_to(x.when), x.text] for x in r.variants],
                    texts=[[_cond_to(x.when), x.title, list(x.actions)] for x in r.texts],
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
             texts=tuple(TextChoice(_cond_from(c), t, tuple(a)) for c, t, a in item["texts"]),
             stages=tuple(item["stages"]), after=tuple(item["after"]), supersedes=tuple(item["supersedes"]),
             addresses=tuple(item["addresses"]), waits_for=tuple(item["waits_for"]),
             conflicts_with=tuple(item["conflicts_with"]))
        for item in data["rules"])
    packs = tuple(PackInfo(**p) for p in data["packs"])
    sources = {k: Source(**s) for k, s in data["sources"].items()}
    return RuleBase(rules, packs, sources, dict(data["disabled"]))
