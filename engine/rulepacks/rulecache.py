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
import operator
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

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
    for f in sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".py", ".yaml", ".yml", ".json", ".typed") and "__pycache__" not in p.parts
    ):
        h.update(f"{f.relative_to(root).as_posix()}\n".encode())
        h.update(regular_bytes(f))
    return h.digest()


def regular_bytes(path: Path, limit: int = MAX_PACK_BYTES) -> bytes:
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
    return _digest(shipped, dirs, ((f, regular_bytes(f)) for f in files))


def key_for_snapshot(snapshot: Mapping[Path, Sequence[tuple[Path, bytes]]], shipped: bool) -> str:
    """The same digest as key_for, from bytes already read (the load parses those very bytes)."""
    return _digest(shipped, snapshot, (pair for files in snapshot.values() for pair in files))


def _digest(shipped: bool, dirs: Iterable[Path], files: Iterable[tuple[Path, bytes]]) -> str:
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{shipped}|".encode())
    h.update(_code_digest(package_root()))
    for d in dirs:
        h.update(f"dir:{d.resolve()}\n".encode())
    for f, raw in files:
        h.update(f"file:{f.resolve()}\n".encode())
        h.update(raw)
    return h.hexdigest()


def read(key: str) -> RuleBase | None:
    """The cached rule base for `key`, or None (absent, stale, corrupt or unreadable)."""
    try:
        folder = cache_dir()
        if folder is None:
            return None
        path = folder / f"rules-{key}.json"
        raw = regular_bytes(path, 64 * MAX_PACK_BYTES)
        check_bytes(raw)  # no control character anywhere, escaped or raw
        data = msgspec.json.decode(raw)  # the same data as json.loads, in half the time
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        check_entry(data)  # an entry is data someone could have edited: checked as strictly as a pack
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


# ------------------------------------------------------------------ what is read back is checked


class BadEntry(ValueError):
    """A cache entry that is not exactly what `write` stores for a clean load: treated as a miss."""


_ENTRY_KEYS = {"format", "key", "rules", "packs", "sources", "disabled"}
_HORIZONS = ("", "now", "next", "later")
_SOURCE_KINDS = ("literature", "authors_judgement")
_MAX_DEPTH = 100


def _need(ok: bool) -> None:
    if not ok:
        raise BadEntry("not what a clean load stores")


def _is_str_list(value: Any) -> bool:
    return type(value) is list and (not value or set(map(type, value)) == _ONLY_STR)


_ONLY_STR = {str}


def _is_str_map(value: Any) -> bool:
    return type(value) is dict and all(type(k) is str and type(x) is str for k, x in value.items())


def _is_scalar(value: Any) -> bool:
    t = type(value)
    if t is float:
        return value == value and value not in (float("inf"), float("-inf"))
    return value is None or t in (str, bool, int)


def _check_condition(c: Any, operators: frozenset[str], depth: int = 0) -> None:
    _need(depth < _MAX_DEPTH and type(c) is list and len(c) >= 2)
    kind = c[0]
    if kind == "t":
        _need(len(c) == 5 and type(c[1]) is str and c[2] in operators and _FACT_RE.match(c[1]) is not None)
        _need(c[4] is None or (type(c[4]) is str and _FACT_RE.match(c[4]) is not None))
        if c[2] in ("in", "not_in"):
            _need(type(c[3]) is list and all(_is_scalar(v) for v in c[3]))
        else:
            _need(_is_scalar(c[3]))
    elif kind == "not":
        _need(len(c) == 2)
        _check_condition(c[1], operators, depth + 1)
    else:
        _need(kind in ("all", "any") and len(c) == 2 and type(c[1]) is list)
        for item in c[1]:
            _check_condition(item, operators, depth + 1)


_FACT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,199}\Z")
_ESCAPED_CONTROL = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9])|\\[bfr]")
"""A control character or bidirectional override written as a JSON escape (\\u0000-\\u001f, \\u007f-\\u009f,
\\u202a-\\u202e, \\u2066-\\u2069, \\b \\f \\r; tab and newline written \\t and \\n are plain text): what the
loader refuses in rule text, found in the entry's text without decoding it (a doubt is only a miss)."""


_RAW_CONTROL = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
"""In UTF-8, the characters of CONTROL_CHARS that json.dumps(ensure_ascii=False) writes raw: DEL, the C1
controls and the bidirectional overrides and isolates (C0 controls it writes as escapes)."""


def check_bytes(raw: bytes) -> None:
    """Raise BadEntry if an entry's JSON bytes hold a control character, escaped or raw (a rule's text
    never does: the loader refuses them). Substring tests first, a regex only where one could be: a few
    milliseconds for the shipped packs' two megabytes."""
    if _escapes_control(raw):
        _need(_ESCAPED_CONTROL.search(raw.decode("utf-8", "replace")) is None)
    if b"\x7f" in raw or b"\xc2" in raw or b"\xe2" in raw:
        _need(_RAW_CONTROL.search(raw) is None)


def _escapes_control(raw: bytes) -> bool:
    """Whether JSON text holds an escape that can spell a control character (\\u, \\b, \\f, \\r): each
    backslash is looked at once, an escaped backslash skipped (an entry holds a handful; a scan for each
    two-byte pattern would take 2 ms apiece over the shipped packs' two megabytes)."""
    i = raw.find(b"\\")
    while i != -1:
        if raw[i + 1 : i + 2] in (b"u", b"b", b"f", b"r"):
            return True
        i = raw.find(b"\\", i + 2)
    return False


def check_entry(data: dict[str, Any]) -> None:
    """Raise BadEntry unless `data` has exactly the shape `write` stores and every value passes the checks
    the loader applies to packs (ids, versions, http(s) links, known operators, known sources); `read`
    checks the bytes for control characters first (check_bytes). The cache is a file in the user's home:
    an edited entry must never put a `javascript:` link in a report or a malformed condition in front of
    a matcher. Any doubt is a miss."""
    from engine.model.operators import NAMES

    operators = frozenset(NAMES)
    _need(set(data) == _ENTRY_KEYS)
    sources = data["sources"]
    _check_sources(sources)
    _check_packs(data["packs"])
    _need(_is_str_map(data["disabled"]))
    rules = data["rules"]
    _need(type(rules) is list)
    for r in rules:
        _check_rule(r, sources, operators)


def _check_sources(sources: Any) -> None:
    from engine.model.rules import URL_RE

    _need(type(sources) is dict)
    for k, src in sources.items():
        _need(type(src) is dict and set(src) == _SOURCE_KEYS and all(type(src[f]) is str for f in _SOURCE_KEYS))
        _need(src["key"] == k and src["kind"] in _SOURCE_KINDS)
        _need(src["url"] == "" or URL_RE.match(src["url"]) is not None)


def _check_packs(packs: Any) -> None:
    from engine.model.rules import NAME_RE, SEMVER_RE

    _need(type(packs) is list)
    for p in packs:
        _need(type(p) is dict and set(p) == _PACK_KEYS and type(p["shipped"]) is bool)
        _need(all(type(p[f]) is str for f in ("name", "version", "file", "description")))
        _need(NAME_RE.match(p["name"]) is not None and SEMVER_RE.match(p["version"]) is not None)


def _check_rule(r: Any, sources: dict[str, Any], operators: frozenset[str]) -> None:
    """One rule of an entry: exactly the stored fields, each of its type and within its vocabulary."""
    from engine.model.rules import PRIORITY_RANK, RULE_ID_RE

    _need(type(r) is dict and r.keys() == _RULE_KEYS and set(map(type, _STR_VALUES(r))) == _ONLY_STR)
    _need(RULE_ID_RE.match(r["id"]) is not None)
    _need(r["priority"] in PRIORITY_RANK and r["precedence"] in ("", "safety", "relationship"))
    _need(r["not_before"] in _HORIZONS and r["due"] in _HORIZONS)
    _need(type(r["line"]) is int and type(r["evidence_level"]) is int and type(r["safety"]) is bool)
    _need(type(r["score"]) in (int, float) and 0 <= r["score"] <= 100)
    derive = r["derive"]
    _need(type(derive) is dict and all(type(k) is str and _is_scalar(x) for k, x in derive.items()))
    _need(_is_str_map(r["fallbacks"]) and _is_str_map(r["specification"]))
    for value in _LIST_VALUES(r):
        _need(_is_str_list(value))
    _need(all(s in sources for s in r["sources"]))
    tags = r["tags"]
    _need(type(tags) is dict)
    for k, x in tags.items():
        _need(type(k) is str and _is_str_list(x))
    _check_condition(r["when"], operators)
    _check_text_variants(r, operators)


def _check_text_variants(r: dict[str, Any], operators: frozenset[str]) -> None:
    """A rule's rationale variants ([condition, text]) and text variants ([condition, title, actions])."""
    _need(type(r["variants"]) is list and type(r["texts"]) is list)
    for v in r["variants"]:
        _need(type(v) is list and len(v) == 2 and type(v[1]) is str)
        _check_condition(v[0], operators)
    for t in r["texts"]:
        _need(type(t) is list and len(t) == 3 and type(t[1]) is str and _is_str_list(t[2]))
        _check_condition(t[0], operators)


_SOURCE_KEYS = frozenset({"key", "citation", "url", "kind", "note"})
_PACK_KEYS = frozenset({"name", "version", "file", "description", "shipped"})


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


_RULE_FIELDS = (
    "id",
    "pack",
    "file",
    "line",
    "title",
    "category",
    "priority",
    "score",
    "key",
    "description",
    "derive",
    "rationale",
    "overrides",
    "table",
    "urgent",
    "not_before",
    "due",
    "evidence_level",
    "fallbacks",
    "specification",
    "unstated_ok",
    "safety",
    "precedence",
)
_TUPLE_FIELDS = ("stages", "after", "supersedes", "addresses", "waits_for", "conflicts_with")
_STR_FIELDS = tuple(
    f
    for f in _RULE_FIELDS
    if f not in ("line", "score", "derive", "evidence_level", "fallbacks", "specification", "safety")
)
"""The rule fields that are text (the others are checked one by one below)."""
_RULE_KEYS = frozenset({*_RULE_FIELDS, "when", "actions", "sources", "tags", "variants", "texts", *_TUPLE_FIELDS})
"""Exactly the keys of a stored rule (check_entry)."""
_STR_VALUES = operator.itemgetter(*_STR_FIELDS)
_LIST_VALUES = operator.itemgetter("actions", "sources", *_TUPLE_FIELDS)


def _base_to(base: RuleBase) -> dict[str, Any]:
    rules = []
    for r in base.rules:
        item = {f: getattr(r, f) for f in _RULE_FIELDS}
        item.update(
            when=_cond_to(r.when),
            actions=list(r.actions),
            sources=list(r.sources),
            tags={k: list(v) for k, v in r.tags.items()},
            variants=[[_cond_to(x.when), x.text] for x in r.variants],
            texts=[[_cond_to(x.when), x.title, list(x.actions)] for x in r.texts],
            **{f: list(getattr(r, f)) for f in _TUPLE_FIELDS},
        )
        rules.append(item)
    return {
        "rules": rules,
        "packs": [vars(p) for p in base.packs],
        "sources": {
            k: {"key": s.key, "citation": s.citation, "url": s.url, "kind": s.kind, "note": s.note}
            for k, s in base.sources.items()
        },
        "disabled": base.disabled,
    }


def _base_from(data: dict[str, Any]) -> RuleBase:
    rules = tuple(
        Rule(
            **{f: item[f] for f in _RULE_FIELDS},
            when=_cond_from(item["when"]),
            actions=tuple(item["actions"]),
            sources=tuple(item["sources"]),
            tags={k: tuple(v) for k, v in item["tags"].items()},
            variants=tuple(Variant(_cond_from(c), t) for c, t in item["variants"]),
            texts=tuple(TextChoice(_cond_from(c), t, tuple(a)) for c, t, a in item["texts"]),
            stages=tuple(item["stages"]),
            after=tuple(item["after"]),
            supersedes=tuple(item["supersedes"]),
            addresses=tuple(item["addresses"]),
            waits_for=tuple(item["waits_for"]),
            conflicts_with=tuple(item["conflicts_with"]),
        )
        for item in data["rules"]
    )
    packs = tuple(PackInfo(**p) for p in data["packs"])
    sources = {k: Source(**s) for k, s in data["sources"].items()}
    return RuleBase(rules, packs, sources, dict(data["disabled"]))
