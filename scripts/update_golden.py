"""Regenerate the golden outputs of the example cases after an intended rule change.

    python scripts/update_golden.py          # rewrites tests/golden/<case>.json and tests/golden/text/
    python scripts/update_golden.py --text   # rewrites only the table and markdown texts (tests/golden/text/)
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
TEXT_CASES = ("riverside-fqhc", "red-cedar-tribal-youth", "sparse-westside-clinic")
"""The cases whose table and markdown renderings are pinned too (tests/test_golden_text.py)."""
TEXT_FORMATS = {"table": "table.txt", "markdown": "md"}


def text_goldens(engine: object) -> dict[Path, str]:
    """Each pinned case's table and markdown text, as `recommend` prints it when piped (width 100)."""
    from engine.render import View, render

    out = {}
    for stem in TEXT_CASES:
        case = load_case(ROOT / "cases" / f"{stem}.yaml")
        result = engine.evaluate(case)  # type: ignore[attr-defined]
        for fmt, suffix in TEXT_FORMATS.items():
            out[GOLDEN / "text" / f"{stem}.{suffix}"] = render(result, fmt, case=case, view=View(width=100))
    return out


def golden_path(case: Path) -> Path:
    return GOLDEN / f"{case.stem}.json"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    engine = load_engine()
    wanted: dict[Path, str] = {}
    if "--text" not in argv:
        wanted.update(
            {
                golden_path(case): render_json(engine.evaluate(load_case(case)))
                for case in sorted((ROOT / "cases").glob("*.yaml"))
            }
        )
    wanted.update(text_goldens(engine))
    stale = []
    for target, text in wanted.items():
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
