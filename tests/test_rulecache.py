"""The rule-base cache: a hit gives exactly what a fresh load gives; any change misses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import load_rulebase
from engine.loader import scan_rulebase
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


def test_the_key_changes_with_the_engine_loading_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import rulecache

    folder = write_pack(tmp_path / "p", [rec("R1", {"fact": "stage", "exists": True})])
    files = [folder / "sources.yaml", folder / "t.yaml"]
    before = rulecache.key_for(files, [folder], False)
    code = tmp_path / "engine"
    code.mkdir()
    for name in rulecache._LOADING_CODE:
        (code / name).write_text(f"# {name}\n")
    monkeypatch.setattr(rulecache, "__file__", str(code / "rulecache.py"))
    assert rulecache.key_for(files, [folder], False) != before
