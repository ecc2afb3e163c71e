"""Every problem code is declared once, in engine/errorcodes.py, with its meaning; the docs list them."""

from __future__ import annotations

import re
from pathlib import Path

from engine.errorcodes import CODES, MEANING, Code

ROOT = Path(__file__).resolve().parents[1]
_LITERAL = re.compile(r"""\bcode\s*=\s*["']([a-z_]+)["']""")


def _used() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in [*sorted((ROOT / "engine").rglob("*.py")), *sorted((ROOT / "webapp").rglob("*.py")), ROOT / "cli.py"]:
        for m in _LITERAL.finditer(f.read_text()):
            out.setdefault(m.group(1), []).append(str(f.relative_to(ROOT)))
    return out


def test_every_code_in_the_sources_is_registered() -> None:
    used = _used()
    unknown = {c: files for c, files in used.items() if c not in CODES}
    assert not unknown, f"codes used but not declared in engine/errorcodes.py: {unknown}"


def test_every_registered_code_is_used_and_explained() -> None:
    used = _used()
    assert set(MEANING) == set(Code), "every code has a meaning"
    unused = sorted(CODES - set(used))
    assert not unused, f"declared but never used: {unused}"


def test_the_docs_list_every_code() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text()
    for code in Code:
        assert f"| `{code.value}` | {MEANING[code]} |" in doc, (
            f"docs/errors.md: regenerate it (scripts/error_codes_doc.py); {code}"
        )
