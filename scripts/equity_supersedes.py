"""Refresh the ERIC rows that the equity pack holds back in a tribal context, from the strategy-matching pack.

    python scripts/equity_supersedes.py          # rewrite the generated `supersedes` lists in rules/equity.yaml
    python scripts/equity_supersedes.py --check  # exit 1 (and say which) when the lists are stale

Why: the strategy-matching rows are generated (scripts/build_strategy_matching.py) and their ids change when the
table does. EQ-TRIBAL-KNOWLEDGE (a tribal context) holds back by id (`supersedes` takes rule ids only) every row
for *Inform local opinion leaders* and *Conduct educational meetings*: deficit framings where Indigenous
knowledge counts as evidence. The list sits between `# begin generated: NAME` and
`# end generated: NAME` comments; nothing else is touched.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EQUITY = ROOT / "rules" / "equity.yaml"
MATCHING = ROOT / "rules" / "strategy_matching.yaml"
LISTS = {
    "deficit-framings": ("inform_local_opinion_leaders", "conduct_educational_meetings"),
    "local-knowledge": ("capture_and_share_local_knowledge",),  # in a Nation, elders set what local knowledge is
}


def _strategies(row: dict[str, Any]) -> set[str]:
    tags = row.get("tags") or (row.get("recommend") or {}).get("tags") or {}
    found = set(tags.get("eric_strategy") or ())
    key = str(row.get("key") or "")
    if key.startswith("eric:"):
        found.add(key[len("eric:") :])
    return found


def matching_ids(strategies: tuple[str, ...]) -> list[str]:
    """Ids of the strategy-matching rules (table rows and plain rules) that carry one of `strategies`."""
    pack = yaml.safe_load(MATCHING.read_text(encoding="utf-8")) or {}
    rows = [r for t in pack.get("tables") or () for r in t.get("rows") or ()] + list(pack.get("rules") or ())
    return sorted(str(r["id"]) for r in rows if _strategies(r) & set(strategies) and "id" in r)


def refreshed(text: str) -> str:
    for name, strategies in LISTS.items():
        pattern = re.compile(
            rf"(?P<head>^(?P<indent>[ ]*)# begin generated: {re.escape(name)}\n)(?P<body>.*?)"
            rf"(?P<tail>^[ ]*# end generated: {re.escape(name)}\n)",
            re.M | re.S,
        )
        m = pattern.search(text)
        if m is None:
            raise SystemExit(f"{EQUITY}: no '# begin generated: {name}' block")
        body = "".join(f"{m['indent']}- {rid}\n" for rid in matching_ids(strategies))
        text = text[: m.start()] + m["head"] + body + m["tail"] + text[m.end() :]
    return text


def main(argv: list[str]) -> int:
    old = EQUITY.read_text(encoding="utf-8")
    new = refreshed(old)
    if "--check" in argv:
        if new != old:
            print(f"{EQUITY}: the generated supersedes lists are stale; run python scripts/equity_supersedes.py")
            return 1
        return 0
    if new != old:
        EQUITY.write_text(new, encoding="utf-8")
        print(f"updated {EQUITY}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
