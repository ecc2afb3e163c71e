"""`isp-advisor decide CASE --list`: the plan's items with the team's decisions beside them."""

from __future__ import annotations

from tabulate import tabulate

from engine.model.decisions import STATUSES, Decisions
from engine.model.placement import Placement
from engine.model.results import Recommendation, Result
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
        rows = [_row(rec, place) for rec, place in items if place.horizon == horizon]
        if rows:
            out += ["", f"== {HORIZON_TITLES[horizon]}: {len(rows)} =="]
            out += _table(rows, width).splitlines()
    for title, lines in working_groups(result):
        out += ["", f"{title}:"]
        out += [x for line in lines for x in wrap(line, width, "    ", "  - ")]
    return "\n".join(out) + "\n"


def _row(rec: Recommendation, place: Placement) -> list[str]:
    """#, key, item, decision, owner, due, status of one placed item."""
    d = place.decision
    if d is None:
        return [str(place.rank), rec.key, rec.title, "", "", "", ""]
    return [
        str(place.rank),
        rec.key,
        rec.title,
        (d.decision or "").replace("_", " "),
        d.owner or "",
        d.due or "",
        STATUSES.get(d.status or "", ""),
    ]


def _table(rows: list[list[str]], width: int) -> str:
    """The rows as a table within `width` columns where it can be: the item column wrapped narrower until
    the table fits (at most four tries, never under 16 columns)."""
    title_w = width
    for _ in range(4):
        shown = [[r[0], r[1], "\n".join(wrap(r[2], title_w)), *r[3:]] for r in rows]
        table: str = tabulate(
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
    return table
