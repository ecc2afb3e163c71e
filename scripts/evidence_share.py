"""How much of the ERIC advice rests only on the ISP Advisor authors' judgement, before and after.

    python scripts/evidence_share.py                    # cases/*.yaml, baseline = the rule packs at BASELINE
    python scripts/evidence_share.py --baseline REV     # compare with the rule packs at git REV
    python scripts/evidence_share.py --cases DIR        # another folder of case files

An ERIC item is one strategy recommended for one case: the fired rules of category implementation_strategy that
carry an `eric_strategy` tag, grouped as the engine merges them (category and key). An item rests only on the
authors' judgement when every rule in it cites a source of kind `authors_judgement`, has no figure (score 0) and
no published evidence level. Items are counted before the plan folds or orders anything, so the figure does not
depend on how the plan presents them. "before" loads the rule packs of the baseline revision; "after" is the
working tree. Both run on the same case files.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Engine, load_engine  # noqa: E402
from engine.errors import RuleError  # noqa: E402
from engine.io.caseload import load_case  # noqa: E402

BASELINE = "95a4955"  # the last commit before the knowledge base's second edition


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


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout


def baseline_engine(rev: str) -> Engine:
    """The rule packs and source registry of git revision `rev`, loaded from a temporary folder (other packs
    may refer to rule ids that only exist today, so the whole knowledge base is taken from `rev`).

    Packs older than the 64-character item keys (3298711) hold longer keys, which today's loader refuses;
    those keys are shortened the same way wherever they appear (`short_keys`), so the items group as before."""
    names = [n for n in _git("ls-tree", "--name-only", f"{rev}:rules").split() if n.endswith(".yaml")]
    with tempfile.TemporaryDirectory(prefix="evidence-share-") as name:
        tmp = Path(name)
        for n in names:
            text = _git("show", f"{rev}:rules/{n}")
            if n != "sources.yaml":
                text = yaml.safe_dump(short_keys(yaml.safe_load(text)), sort_keys=False, allow_unicode=True)
            (tmp / n).write_text(text, encoding="utf-8")
        return load_engine([tmp], shipped=False)  # the engine holds the compiled rules, not the files


KEY_ROOM = 40
"""The longest item key part any category leaves room for (64 characters less 'implementation_strategy:')."""


def short_keys(node: Any) -> Any:
    """`node` with every `key:` longer than KEY_ROOM replaced by its start and a digest of the whole, the
    same for the same key, so rules that shared a key still share one."""
    if isinstance(node, list):
        return [short_keys(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: short_keys(v) for k, v in node.items()}
    key = out.get("key")
    if isinstance(key, str) and len(key) > KEY_ROOM:
        out["key"] = key[: KEY_ROOM - 9] + "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
    return out


def main(argv: Sequence[str]) -> int:
    rev = argv[argv.index("--baseline") + 1] if "--baseline" in argv else BASELINE
    folder = Path(argv[argv.index("--cases") + 1]) if "--cases" in argv else ROOT / "cases"
    cases = sorted(folder.glob("*.yaml"))
    if not cases:
        print(f"error: no case files (*.yaml) in {folder}", file=sys.stderr)
        return 2
    try:
        before = baseline_engine(rev)
    except RuleError as exc:
        print(
            f"error: the rule packs at git revision {rev!r} do not load under today's loader "
            f"({len(exc.problems)} problems; the first: {exc.problems[0].message})\n"
            "hint: pass --baseline REV with a later revision of this repository",
            file=sys.stderr,
        )
        return 2
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
        print(
            f"error: cannot read rules/ at git revision {rev!r}: {detail}\n"
            "hint: pass --baseline REV with a revision of this repository",
            file=sys.stderr,
        )
        return 2
    rows = []
    for label, engine in (("before", before), ("after", load_engine())):
        items, judged = count(engine, cases)
        share = f"{100 * judged / items:.0f}%" if items else "-"
        rows.append((label, str(items), str(judged), share))
    print(
        f"ERIC items resting only on the authors' judgement, {len(cases)} cases in {folder.name}/ "
        f"(before = rules/ at {rev})"
    )
    header = ("", "ERIC items", "authors' judgement only", "share")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
