"""A cache of validated rule bases, so a one-case command does not re-parse every pack.

Parsing and validating the shipped packs (about half a megabyte of YAML) takes longer than the
rest of a `recommend` run. A successfully loaded RuleBase is stored as plain JSON written by msgspec's
encoder from the rule base's own typed structs, and read back by its typed decoder (never pickle: nothing
read back from disk is executed) under a key made of the engine version, every file of
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
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import msgspec

from engine import __version__
from engine.model.conditions import Condition, Not, Test
from engine.model.rules import PackInfo, Rule, RuleBase, Source

FORMAT = 7
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
    """A digest of every file of the installed engine package (sources and data), by path, size and
    modification time: the test Python itself applies to decide that a module's bytecode is stale, at the cost
    of one `stat` a file (hashing the package's bytes took 11 ms of every cold command). The packs themselves
    are hashed by their bytes (`key_for`), and an entry is checked value by value when it is read back."""
    h = hashlib.sha256()
    for f in sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".py", ".yaml", ".yml", ".json", ".typed") and "__pycache__" not in p.parts
    ):
        st = f.stat()
        h.update(f"{f.relative_to(root).as_posix()}\n{st.st_size} {st.st_mtime_ns}\n".encode())
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
        entry = decode_entry(raw)  # every field of its type, none unknown (msgspec, in C)
        if entry.format != FORMAT or entry.key != key:
            return None
        check_entry(entry, raw)  # an entry is data someone could have edited: checked as strictly as a pack
        try:
            os.utime(path)  # recently used: kept by the eviction
        except OSError:
            pass
        return entry.base
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
        raw = encode_entry(key, base)
        fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
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


class CacheEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A cache entry: the rule base's own structs under the format and key it was stored for."""

    format: int
    key: str
    rules: tuple[Rule, ...]
    packs: tuple[PackInfo, ...]
    sources: dict[str, Source]
    disabled: dict[str, str]

    @property
    def base(self) -> RuleBase:
        return RuleBase(self.rules, self.packs, self.sources, self.disabled)


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(CacheEntry)


def encode_entry(key: str, base: RuleBase) -> bytes:
    """The bytes `write` stores for `base` under `key` (the only form `read` accepts back)."""
    return _ENCODER.encode(CacheEntry(FORMAT, key, base.rules, base.packs, base.sources, base.disabled))


def decode_entry(raw: bytes) -> CacheEntry:
    """An entry's bytes as typed data (msgspec.ValidationError or DecodeError when they are not)."""
    return _DECODER.decode(raw)


_HORIZONS = ("", "now", "next", "later")
_SOURCE_KINDS = ("literature", "authors_judgement")
_PRECEDENCE = ("", "safety", "relationship")
_MAX_DEPTH = 100


def _need(ok: bool) -> None:
    if not ok:
        raise BadEntry("not what a clean load stores")


def _is_scalar(value: object) -> bool:
    t = type(value)
    if t is float:
        return value == value and value not in (float("inf"), float("-inf"))
    return value is None or t in (str, bool, int)


def _check_condition(c: Condition, operators: frozenset[str], depth: int = 0) -> None:
    _need(depth < _MAX_DEPTH)
    if isinstance(c, Test):
        _need(c.op in operators and _FACT_RE.match(c.fact) is not None)
        _need(c.ref is None or _FACT_RE.match(c.ref) is not None)
        if c.op in ("in", "not_in"):
            _need(type(c.value) is tuple)
        else:
            _need(_is_scalar(c.value))
    elif isinstance(c, Not):
        _check_condition(c.item, operators, depth + 1)
    else:
        for item in c.items:
            _check_condition(item, operators, depth + 1)


_FACT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,199}\Z")
_ESCAPED_CONTROL = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9])|\\[bfr]")
"""A control character or bidirectional override written as a JSON escape (\\u0000-\\u001f, \\u007f-\\u009f,
\\u202a-\\u202e, \\u2066-\\u2069, \\b \\f \\r; tab and newline written \\t and \\n are plain text): what the
loader refuses in rule text, found in the entry's text without decoding it (a doubt is only a miss)."""


_RAW_CONTROL = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
"""In UTF-8, the characters of CONTROL_CHARS that a JSON encoder (msgspec's among them) writes raw: DEL, the C1
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


def check_entry(entry: CacheEntry, raw: bytes) -> None:
    """Raise BadEntry unless `entry`, decoded from `raw`, is exactly what `write` stores for a clean load: its
    bytes are the canonical encoding of what they decode to (no field missing, added, reordered or spelled
    differently), and every value passes the checks the loader applies to packs (ids, versions, vocabularies,
    http(s) links, known operators and sources, fact paths). The types were checked as `raw` was decoded;
    `read` checks the bytes for control characters first (check_bytes). The cache is a file in the user's
    home: an edited entry must never put a `javascript:` link in a report or a malformed condition in front
    of a matcher. Any doubt is a miss."""
    from engine.model.operators import NAMES

    _need(_ENCODER.encode(entry) == raw)
    _check_sources(entry.sources)
    _check_packs(entry.packs)
    operators = frozenset(NAMES)
    for r in entry.rules:
        _check_rule(r, entry.sources, operators)


def _check_sources(sources: Mapping[str, Source]) -> None:
    from engine.model.rules import URL_RE

    for k, src in sources.items():
        _need(src.key == k and src.kind in _SOURCE_KINDS)
        _need(src.url == "" or URL_RE.match(src.url) is not None)


def _check_packs(packs: Sequence[PackInfo]) -> None:
    from engine.model.rules import NAME_RE, SEMVER_RE

    for p in packs:
        _need(NAME_RE.match(p.name) is not None and SEMVER_RE.match(p.version) is not None)


def _check_rule(r: Rule, sources: Mapping[str, Source], operators: frozenset[str]) -> None:
    """One rule of an entry: each field within its vocabulary (its types were checked as it was decoded)."""
    from engine.model.rules import PRIORITY_RANK, RULE_ID_RE

    _need(RULE_ID_RE.match(r.id) is not None)
    _need(r.priority in PRIORITY_RANK and r.precedence in _PRECEDENCE)
    _need(r.not_before in _HORIZONS and r.due in _HORIZONS)
    _need(0 <= r.score <= 100)
    _need(all(_is_scalar(x) for x in r.derive.values()))
    _need(all(s in sources for s in r.sources))
    _check_condition(r.when, operators)
    for v in r.variants:
        _check_condition(v.when, operators)
    for t in r.texts:
        _check_condition(t.when, operators)
