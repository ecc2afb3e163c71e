"""Reading files safely: every way a file can be unreadable gives one clear, located problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import CaseError
from engine.io.documents import load, parse


def _err(text: str, name: str = "case.yaml") -> str:
    with pytest.raises(CaseError) as info:
        parse(text, name)
    return info.value.render()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("case_id: [unclosed\n", "case.yaml:"),
        ("", "file is empty"),
        ("   \n\n", "file is empty"),
        ("a: 1\n---\nb: 2\n", "more than one document"),
        ("!!python/object/apply:os.system ['echo hi']\n", "YAML tag not allowed"),
        ("case_id: !!python/name:os.system x\n", "YAML tag not allowed"),
        ("a: &x [1, 2]\nb: *x\n", "anchors and aliases"),
        ("a: 1\na: 2\n", "key 'a' appears twice"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "not allowed"),
    ],
)
def test_bad_yaml_is_refused_with_a_message(text: str, fragment: str) -> None:
    assert fragment in _err(text)


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    message = _err("\n".join(lines) + "\n")
    assert "anchors and aliases" in message


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(CaseError):
        parse(f"!!python/object/apply:os.system ['touch {marker}']\n", "x.yaml")
    assert not marker.exists()


def test_duplicate_key_names_its_line() -> None:
    message = _err("case_id: a\nsite: x\nsite: y\n")
    assert "case.yaml:3" in message and "site" in message


def test_invalid_json_names_line_and_column() -> None:
    message = _err('{"case_id": "a",\n  "site": }\n', "case.json")
    assert "case.json:2" in message and "invalid JSON" in message


def test_json_nan_is_refused() -> None:
    assert "not a JSON value" in _err('{"case_id": NaN}', "c.json")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        load(tmp_path / "nope.yaml")
    assert "no such file" in info.value.render()


def test_directory_given_as_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        load(tmp_path)
    assert "is a directory" in info.value.render()


def test_too_large_file_states_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("case_id: x\nnotes: '" + "a" * 1_100_000 + "'\n")
    with pytest.raises(CaseError) as info:
        load(big)
    assert "the limit is 1,000,000 bytes" in info.value.render()


def test_non_utf8_file(tmp_path: Path) -> None:
    f = tmp_path / "latin.yaml"
    f.write_bytes("case_id: x\nsite: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CaseError) as info:
        load(f)
    msg = info.value.render()
    assert "not UTF-8" in msg and "latin.yaml:2" in msg


def test_lines_are_recorded_for_nested_keys() -> None:
    doc = parse("case_id: a\npower:\n  differential: high\n", "c.yaml")
    assert doc.line_of(("power", "differential")) == 3
    assert doc.data == {"case_id": "a", "power": {"differential": "high"}}
