"""Every hand-written rule the example cases never fire is named, with a reason, in docs/knowledge-base.md."""

from __future__ import annotations

from pathlib import Path

from engine import load_case
from engine.authoring.coverage import coverage
from tests.conftest import CASES

DOC = Path(__file__).resolve().parent.parent / "docs" / "knowledge-base.md"


def test_never_fired_hand_written_rules_are_documented(shipped_engine: object) -> None:
    report = coverage(shipped_engine, [load_case(p) for p in sorted(CASES.rglob("*.yaml"))])  # type: ignore[arg-type]
    section = DOC.read_text(encoding="utf-8").split("### Rules no example case fires", 1)[1].split("\n## ", 1)[0]
    missing = [rid for rid in report.never_fired if not rid.startswith("SM-") and f"`{rid}`" not in section]
    assert not missing, f"document why no example case fires: {missing}"
