"""Golden text: the table and markdown renderings of three example cases, byte for byte.

The JSON of every example is pinned by tests/test_golden.py; these pin what a practitioner reads
(layout, wrapping at 100 columns, escaping). After an intended change regenerate with
`python scripts/update_golden.py --text` (or without --text, which rewrites the JSON too) and
review `git diff tests/golden/text`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from engine import Engine
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("update_golden", ROOT / "scripts" / "update_golden.py")
assert _spec is not None and _spec.loader is not None
update_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(update_golden)

TEXT = ROOT / "tests" / "golden" / "text"


def test_three_cases_have_table_and_markdown_goldens() -> None:
    assert len(update_golden.TEXT_CASES) == 3
    expected = sorted(f"{c}.{s}" for c in update_golden.TEXT_CASES for s in update_golden.TEXT_FORMATS.values())
    assert sorted(p.name for p in TEXT.iterdir()) == expected


@pytest.fixture(scope="module")
def rendered(shipped_engine: Engine) -> dict[Path, str]:
    return update_golden.text_goldens(shipped_engine)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "name",
    [
        f"{c}.{s}"
        for c in ("riverside-fqhc", "red-cedar-tribal-youth", "sparse-westside-clinic")
        for s in ("table.txt", "md")
    ],
)
def test_text_matches_golden(rendered: dict[Path, str], name: str) -> None:
    path = TEXT / name
    assert rendered[path] == path.read_text(encoding="utf-8"), (
        f"{name}: rendering changed; if intended run `python scripts/update_golden.py --text`"
    )
