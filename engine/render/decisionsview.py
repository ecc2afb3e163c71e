"""`isp-advisor decide CASE --list`: the plan's items with the team's decisions beside them."""

from __future__ import annotations

from tabulate import tabulate

from engine.model.decisions import STATUSES, Decisions
from engine.model.results import Result
from engine.render.plantext import HORIZON_TITLES, working_groups
from engine.render.table import cols, wrap


def render_decisions(result: Result, decisions: Decisions | None, width: int = 100) -> str:
    """One table per horizon (key, title, decision, owner, due, status), then the decisions outside
    the plan (set aside, no longer recommended)."""
    width = max(width, 60)
    source = decisions.path if decisions and decisions.path else None
    out = wrap(
        f"Case {result.case_id}: decisions "
        + (f"from {source}" if source else "(none yet: the file is created by the first 'isp-advisor decide')"),
        width,
    )
    items = result.placed()
    for horizon in ("now", "next", "later"):
        rows: list[list[str]] = []
        for rec, place in items:
            if place.horizon != horizon:
                continue
            d = place.decision
            rows.append(
                [
                    str(place.rank),
                    rec.key,
                    rec.title,
                    (d.decision or "").replace("_", " ") if d else "",
                    d.owner or "" if d else "",
                    d.due or "" if d else "",
                    STATUSES.get(d.status or "", "") if d else "",
                ]
            )
        if not rows:
            continue
        out += ["", f"== {HORIZON_TITLES[horizon]}: {len(rows)} =="]
        title_w = width
        for _ in range(4):
            shown = [[r[0], r[1], "\n".join(wrap(r[2], title_w)), *r[3:]] for r in rows]
            table = tabulate(
                shown,
                headers=["#", "key", "item", "decision", "owner", "due", "status"],
                tablefmt="simple",
                disable_numparse=True,
            )
            excess = max(cols(line) for line in table.splitlines()) - width
            if excess <= 0 or title_w <= 16:
                break
            actual = max(len(line) for r in shown for line in r[2].split("\n"))
            title_w = max(actual - excess, 16)
        out += table.splitlines()
    for title, lines in working_groups(result):
        out += ["", f"{title}:"]
        out += [x for line in lines for x in wrap(line, width, "    ", "  - ")]
    return "\n".join(out) + "\n"
