"""Regenerate the golden outputs of the example cases after an intended rule change.

    python scripts/update_golden.py          # rewrites tests/golden/<case>.json
    python scripts/update_golden.py --check  # exit 1 when any golden file is out of date

Review the diff (git diff tests/golden) before committing: every change in it is a change in
what practitioners will be told.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import load_case, load_engine  # noqa: E402
from engine.render.jsonout import render_json  # noqa: E402


GOLDEN = ROOT / "tests" / "golden"


def golden_path(case: Path) -> Path:
    return GOLDEN / f"{case.stem}.json"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    engine = load_engine()
    stale = []
    for case in sorted((ROOT / "cases").glob("*.yaml")):
        text = render_json(engine.evaluate(load_case(case)))
        target = golden_path(case)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target)
        if not check:
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if check else "wrote: ") + str(path.relative_to(ROOT)))
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
