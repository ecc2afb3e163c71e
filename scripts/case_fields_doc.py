"""Write docs/case-fields.md from the field registry (engine/model/fields.py).

python scripts/case_fields_doc.py          # rewrites docs/case-fields.md
python scripts/case_fields_doc.py --check  # exit 1 when it is out of date (tests/test_fields.py checks too)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.render.casefields import docs_table  # noqa: E402

TARGET = ROOT / "docs" / "case-fields.md"

if __name__ == "__main__":
    text = docs_table()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.exists() and TARGET.read_text(encoding="utf-8") == text else 1)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
