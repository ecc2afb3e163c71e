"""The rule-base cache: a hit gives exactly what a fresh load gives; any change misses."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import load_rulebase
from engine.rulepacks.loader import scan_rulebase
from tests.helpers import rec, write_pack


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ISP_ADVISOR_CACHE", str(folder))
    return folder


def test_cached_shipped_rules_equal_a_fresh_load(cache: Path) -> None:
    first = load_rulebase()
    assert len(list(cache.glob("rules-*.json"))) == 1
    second = load_rulebase()  # from the cache
    fresh, problems = scan_rulebase()
    assert not problems
    assert second.rules == fresh.rules and second.packs == fresh.packs
    assert second.sources == fresh.sources and second.disabled == fresh.disabled
    assert first.rules == second.rules


def test_a_changed_pack_is_loaded_afresh(cache: Path, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True}, title="One")])
    assert load_rulebase([folder], shipped=False).rule("R1").title == "One"
    write_pack(folder, [rec("R1", {"fact": "stage", "exists": True}, title="Two")])
    assert load_rulebase([folder], shipped=False).rule("R1").title == "Two"
    assert len(list(cache.glob("rules-*.json"))) == 2


def test_a_corrupt_cache_file_is_ignored(cache: Path, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "in": ["installation", "sustainment"]})])
    load_rulebase([folder], shipped=False)
    for f in cache.glob("rules-*.json"):
        f.write_text("{not json")
    assert load_rulebase([folder], shipped=False).rule("R1").when.value == ("installation", "sustainment")


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISP_ADVISOR_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_rulebase()
    assert not (tmp_path / "xdg").exists()


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ISP_ADVISOR_CACHE", str(blocker / "sub"))
    assert load_rulebase().rules
    assert os.path.isfile(blocker)


def test_the_key_changes_with_any_file_of_the_engine_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.rulepacks import rulecache

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    files = [folder / "sources.yaml", folder / "t.yaml"]
    code = tmp_path / "engine"
    (code / "render").mkdir(parents=True)
    (code / "loader.py").write_text("# one\n")
    (code / "render" / "new_module.py").write_text("# a module no hand-kept list names\n")
    monkeypatch.setattr(rulecache, "package_root", lambda: code)
    before = rulecache.key_for(files, [folder], False)
    (code / "render" / "new_module.py").write_text("# edited\n")
    rulecache._code_digest.cache_clear()
    assert rulecache.key_for(files, [folder], False) != before
    assert not hasattr(rulecache, "_LOADING_CODE")


def test_only_the_newest_entries_are_kept(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.rulepacks import rulecache

    monkeypatch.setattr(rulecache, "KEEP", 3)
    folder = tmp_path / "p"
    for i in range(6):
        write_pack(folder, [rec("R1", {"fact": "stage", "exists": True}, title=f"Edit {i}")])
        load_rulebase([folder], shipped=False)
        newest = max(cache.glob("rules-*.json"), key=lambda p: p.stat().st_mtime_ns)
        os.utime(newest, ns=(10**18 + i * 10**9, 10**18 + i * 10**9))  # distinct, increasing times
    assert len(list(cache.glob("rules-*.json"))) == 3
    assert load_rulebase([folder], shipped=False).rule("R1").title == "Edit 5"


def test_a_failed_write_leaves_no_temp_file(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.rulepacks import rulecache

    def failing_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rulecache.os, "replace", failing_replace)
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    assert load_rulebase([folder], shipped=False).rule("R1")
    assert list(cache.iterdir()) == []


def test_a_cache_that_fails_in_any_way_never_fails_the_command(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.rulepacks import rulecache

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    load_rulebase([folder], shipped=False)

    def broken(*args: object) -> None:
        raise RecursionError("a cache entry nested too deep")

    monkeypatch.setattr(rulecache, "check_entry", broken)  # reading back
    monkeypatch.setattr(rulecache, "encode_entry", broken)  # writing
    assert load_rulebase([folder], shipped=False).rule("R1")


def test_a_fifo_pack_is_not_hashed_or_read(cache: Path, tmp_path: Path) -> None:
    import threading

    from engine import RuleError

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    os.mkfifo(folder / "pipe.yaml")
    outcome: list[object] = []

    def load() -> None:
        try:
            load_rulebase([folder], shipped=False)
        except RuleError as exc:
            outcome.append(exc.render())

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader before failing
        with open(folder / "pipe.yaml", "w"):
            pass
        pytest.fail("loading a folder with a FIFO pack hung")
    assert outcome and "pipe.yaml" in str(outcome[0]) and "FIFO" in str(outcome[0])


def test_an_oversized_pack_is_refused_without_being_read_whole(cache: Path, tmp_path: Path) -> None:
    from engine import RuleError

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    with open(folder / "huge.yaml", "wb") as fh:
        fh.truncate(300_000_000)  # sparse: 300 MB claimed, nothing on disk
    with pytest.raises(RuleError) as info:
        load_rulebase([folder], shipped=False)
    assert "huge.yaml" in info.value.render()


# ------------------------------------------------------------------ issue 26, finding 8


def test_a_pack_added_while_rules_load_is_never_cached_under_the_key_without_it(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key and the load come from one reading of the folder: a pack that appears after the
    folder was read is not in this load, and once deleted it never fires from the cache."""
    from engine.rulepacks import rulecache

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True}, title="One")])
    late = tmp_path / "late"
    write_pack(late, [rec("R2", {"fact": "stage", "exists": True}, title="Late")], name="late")
    real_read = rulecache.read

    def read_then_add(key: str):  # the pack lands between reading the folder and parsing it
        (folder / "zz_late.yaml").write_bytes((late / "late.yaml").read_bytes())
        return real_read(key)

    monkeypatch.setattr(rulecache, "read", read_then_add)
    first = load_rulebase([folder], shipped=False)
    monkeypatch.setattr(rulecache, "read", real_read)
    (folder / "zz_late.yaml").unlink()
    again = load_rulebase([folder], shipped=False)
    assert again.rule("R2") is None, "a deleted pack's rule still fires from the cache"
    assert first.rule("R1") is not None


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("rules-*.json")
    return entry


def _edit(entry: Path, change, pretty: bool = False) -> None:
    """Change an entry's data and write it back as the cache writes (compact, fields in order), so that what
    refuses an edit is the check of its values, not of its spelling."""
    import json

    import msgspec

    data = json.loads(entry.read_text())
    change(data)
    entry.write_bytes(json.dumps(data, indent=1).encode() if pretty else msgspec.json.encode(data))


def _cached_title(tmp_path: Path) -> Callable[[], str]:
    """A pack of one rule titled 'Plain', loaded once (so cached); the title its next load reads."""
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True}, title="Plain")])
    load_rulebase([folder], shipped=False)
    return lambda: load_rulebase([folder], shipped=False).rule("R1").title  # type: ignore[union-attr]


def test_an_entry_edited_to_what_a_clean_load_could_store_is_read_back(cache: Path, tmp_path: Path) -> None:
    """The control for the misses below: the edit and the rewrite alone do not make a miss."""
    title = _cached_title(tmp_path)
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited"))
    assert title() == "Edited"


def test_an_entry_not_spelled_as_the_cache_writes_it_is_a_miss(cache: Path, tmp_path: Path) -> None:
    title = _cached_title(tmp_path)
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited"), pretty=True)
    assert title() == "Plain"
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited", when=["t", "stage", "exists", True]))
    assert title() == "Plain"  # a condition short of a field
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited", when=["t", "stage", "exists", True, None, 1]))
    assert title() == "Plain"  # and one field too many
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited", line=True))
    assert title() == "Plain"  # a line that is not a number


def test_an_edited_cache_entry_with_a_javascript_link_is_a_miss(cache: Path, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    url = load_rulebase([folder], shipped=False).sources["src"].url
    _edit(_entry(cache), lambda d: d["sources"]["src"].update(url="javascript:alert(1)"))
    assert load_rulebase([folder], shipped=False).sources["src"].url == url


def test_an_edited_cache_entry_with_a_malformed_condition_is_a_miss(cache: Path, tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "equals": "installation"})])
    load_rulebase([folder], shipped=False)
    _edit(_entry(cache), lambda d: d["rules"][0].update(when=["t", "stage", "matches_regex", ".*", None]))
    assert load_rulebase([folder], shipped=False).rule("R1").when.op == "equals"
    _edit(_entry(cache), lambda d: d["rules"][0].update(when=["all", "not-a-list"]))
    assert load_rulebase([folder], shipped=False).rule("R1").when.op == "equals"


def test_an_edited_cache_entry_with_terminal_escapes_in_a_title_is_a_miss(cache: Path, tmp_path: Path) -> None:
    title = _cached_title(tmp_path)
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="\x1b]52;c;ZXZpbA==\x07Plain"))
    assert title() == "Plain"


def test_an_entry_with_an_extra_or_missing_field_is_a_miss(cache: Path, tmp_path: Path) -> None:
    title = _cached_title(tmp_path)
    _edit(_entry(cache), lambda d: d["rules"][0].pop("title"))
    assert title() == "Plain"
    _edit(_entry(cache), lambda d: d["rules"][0].update(title="Edited", color="red"))
    assert title() == "Plain"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        (b'{"t": "bell\\u0007"}', True),
        (b'{"t": "a\\bb"}', True),
        (b'{"t": "a\\fb"}', True),
        (b'{"t": "a\\rb"}', True),
        (b'{"t": "bidi \\u202e"}', True),
        ('{"t": "raw \u202e override"}'.encode(), True),
        ('{"t": "raw \x85 next line"}'.encode(), True),
        (b'{"t": "delete \x7f"}', True),
        (b'{"t": "a literal backslash-u: \\\\u0007"}', False),  # an escaped backslash, then "u0007"
        (b'{"t": "\\\\b and \\\\r and \\"quoted\\""}', False),
        ('{"t": "an em dash \u2014 and caf\u00e9"}'.encode(), False),
        (b'{"t": "a\\nb\\tc"}', False),
    ],
)
def test_an_entry_s_bytes_are_refused_exactly_when_they_spell_a_control_character(text: bytes, refused: bool) -> None:
    from engine.rulepacks.rulecache import BadEntry, check_bytes

    if refused:
        with pytest.raises(BadEntry):
            check_bytes(text)
    else:
        check_bytes(text)
