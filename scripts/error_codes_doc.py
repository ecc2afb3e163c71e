"""Write docs/errors.md from engine/errorcodes.py (the one declaration of every problem code)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.errorcodes import MEANING, Code  # noqa: E402


def main() -> None:
    lines = [
        "# Problem codes",
        "",
        "Every problem the tool reports carries a code (JSON `code`, `rules lint --format json`, batch",
        "`errors.jsonl`). They are declared once, in `engine/errorcodes.py`; this page is generated from it",
        "(`python scripts/error_codes_doc.py`). A value a case or pack model refuses carries pydantic's",
        "own error type instead (`missing`, `extra_forbidden`, `literal_error`, `string_type`, ...).",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{c.value}` | {MEANING[c]} |" for c in Code]
    (ROOT / "docs" / "errors.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
