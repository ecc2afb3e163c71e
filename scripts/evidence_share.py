"""How much of the ERIC advice rests only on the ISP Advisor authors' judgement, before and after.

    python scripts/evidence_share.py                    # cases/*.yaml, baseline = the pack at BASELINE
    python scripts/evidence_share.py --baseline REV     # compare with rules/strategy_matching.yaml at git REV
    python scripts/evidence_share.py --cases DIR        # another folder of case files

An ERIC item is one strategy recommended for one case: the fired rules of category implementation_strategy that
carry an `eric_strategy` tag, grouped as the engine merges them (category and key). An item rests only on the
authors' judgement when every rule in it cites a source of kind `authors_judgement`, has no figure (score 0) and
no published evidence level. Items are counted before the plan folds or orders anything, so the figure does not
depend on how the plan presents them. "before" loads the strategy-matching pack of the baseline revision beside
today's other packs; "after" is the working tree.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Engine, load_engine  # noqa: E402
from engine.case import load_case  # noqa: E402

BASELINE = "95a4955"  # the last commit before the knowledge base's second edition
PACK = "rules/strategy_matching.yaml"


def _judgement_only(engine: Engine, rule_ids: Sequence[str]) -> bool:
    for rid in rule_ids:
        rule = engine.by_id[rid]
        kinds = {engine.base.sources[s].kind for s in rule.sources}
        if "authors_judgement" not in kinds or rule.score > 0 or getattr(rule, "evidence_level", 0):
            return False
    return True


def count(engine: Engine, cases: Sequence[Path]) -> tuple[int, int]:
    """(ERIC items, items resting only on the authors' judgement) over the cases."""
    items = judged = 0
    for path in cases:
        result = engine.evaluate(load_case(path))
        groups: dict[tuple[str, str], list[str]] = {}
        for rid in result.fired:
            rule = engine.by_id[rid]
            if rule.category == "implementation_strategy" and rule.tags.get("eric_strategy"):
                groups.setdefault(rule.merge_key, []).append(rid)
        items += len(groups)
        judged += sum(_judgement_only(engine, ids) for ids in groups.values())
    return items, judged


def baseline_engine(rev: str) -> Engine:
    """Today's packs with the strategy-matching pack of `rev` (git), loaded from a temporary folder."""
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{PACK}"], check=True, capture_output=True,
                          text=True).stdout
    tmp = Path(tempfile.mkdtemp(prefix="evidence-share-"))
    for pack in sorted((ROOT / "rules").glob("*.yaml")):
        (tmp / pack.name).write_text(text if pack.name == "strategy_matching.yaml" else pack.read_text("utf-8"),
                                     encoding="utf-8")
    return load_engine([tmp], shipped=False)


def main(argv: Sequence[str]) -> int:
    rev = argv[argv.index("--baseline") + 1] if "--baseline" in argv else BASELINE
    folder = Path(argv[argv.index("--cases") + 1]) if "--cases" in argv else ROOT / "cases"
    cases = sorted(folder.glob("*.yaml"))
    if not cases:
        print(f"error: no case files (*.yaml) in {folder}", file=sys.stderr)
        return 2
    rows = []
    for label, engine in (("before", baseline_engine(rev)), ("after", load_engine())):
        items, judged = count(engine, cases)
        share = f"{100 * judged / items:.0f}%" if items else "-"
        rows.append((label, str(items), str(judged), share))
    print(f"ERIC items resting only on the authors' judgement, {len(cases)} cases in {folder.name}/ "
          f"(before = {PACK} at {rev})")
    header = ("", "ERIC items", "authors' judgement only", "share")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
