"""Markdown: a report to paste into a shared document or issue, the plan first.

Text from the case and the rules is escaped: no raw HTML reaches a renderer that allows it, and
a `|` or a newline cannot break a table row.
"""

from __future__ import annotations

from ..case import Case
from ..plan import Placement
from ..results import Recommendation, Result
from ..vocabulary import CATEGORIES, CATEGORY_TITLES, CFIR_DOMAINS
from .plantext import BY_WHEN, HORIZON_TITLES, View, also_line, first_action, reasons_line, shown, why_here
from .prooftext import proof_lines
from .summary import cfir_by_domain, summary_rows

FENCE = "`" * 3


def _esc(text: object) -> str:
    """Case or rule text as Markdown text: no raw HTML, no table breaks, no line breaks."""
    return (str(text).replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\r", " ").replace("\n", " "))


def _bar(rating: int | str | None) -> str:
    """A text picture of one rating: barriers to the left of |, facilitators to the right."""
    if rating is None:
        return "`  |  ` not rated"
    if rating == "mixed":
        return "` ±|± ` mixed"
    n = int(rating)
    left = "-" * -n if n < 0 else ""
    right = "+" * n if n > 0 else ""
    return f"`{left:>2}|{right:<2}` {n:+d}" if n else "`  |  ` 0"


def site_section(case: Case) -> list[str]:
    out = ["## Site", "", "| | |", "|---|---|"]
    out += [f"| {_esc(label)} | {_esc(value)} |" for label, value in summary_rows(case)]
    rated = cfir_by_domain(case)
    if any(rated.values()):
        out += ["", "## CFIR ratings (barriers -, facilitators +)", ""]
        for domain, rows in rated.items():
            if rows:
                out.append(f"**{CFIR_DOMAINS[domain]}**")
                out.append("")
                out += [f"- {_bar(rating)} {_esc(name)} (`{cid}`)" for cid, name, rating in rows]
                out.append("")
    return out


def _cap(line: str) -> str:
    return line[:1].upper() + line[1:]


def _plan_section(items: list[tuple[Recommendation, Placement]]) -> list[str]:
    out: list[str] = []
    for horizon in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == horizon]
        if not group:
            continue
        out += ["", f"## {HORIZON_TITLES[horizon]}", ""]
        for rec, place in group:
            kind = f"{rec.priority}, {CATEGORY_TITLES.get(rec.category, rec.category).lower()}"
            if horizon == "now":
                out.append(f"{place.rank}. **{_esc(rec.title)}** ({kind})  ")
                out.append(f"   *Do:* {_esc(first_action(rec))}  ")
                out.append(f"   *Why here:* {_esc(why_here(rec))}  ")
                out.append(f"   *By when:* {BY_WHEN[horizon]}; {_esc(reasons_line(place))}  ")
                out += [f"   *{_esc(_cap(line))}*  " for line in also_line(place)]
                out.append(f"   *Rule:* `{', '.join(rec.rule_ids)}`")
            else:
                out.append(f"{place.rank}. **{_esc(rec.title)}** ({kind}) — {_esc(reasons_line(place))} "
                           f"(`{', '.join(rec.rule_ids)}`)")
    return out


def render_markdown(result: Result, view: View | None = None, *, case: Case | None = None) -> str:
    view = view or View()
    items = shown(result, view)
    out = [f"# Recommendations for {_esc(result.case_id)}", ""]
    out.append(f"{len(result.recommendations)} recommendation(s); rule packs: "
               + ", ".join(f"{r['name']} {r['version']}" for r in result.engine["rulesets"]) + ".")
    if case is not None:
        out += [""] + site_section(case)
    by_plan = view.by == "plan"
    if by_plan:
        out += _plan_section(items)
        if items:
            out += ["", "## Detail by category"]
    for cat in CATEGORIES:
        recs = [(r, p) for r, p in items if r.category == cat]
        if not recs:
            continue
        out += ["", ("### " if by_plan else "## ") + CATEGORY_TITLES[cat], ""]
        for rec, place in recs:
            out.append(f"{'####' if by_plan else '###'} {place.rank}. {_esc(rec.title)} "
                       f"({rec.priority}, {place.horizon})")
            out.append("")
            out += [f"- {_esc(a)}" for a in rec.actions]
            out += [f"- *{_esc(_cap(line))}*" for line in also_line(place)]
            out += ["", f"*Why:* {_esc(rec.rationale)}", ""]
            tags = "; ".join(f"{k}: {', '.join(v)}" for k, v in rec.tags.items() if v)
            if tags:
                out += [f"*Tags:* {_esc(tags)}", ""]
            out.append("*Sources:* " + "; ".join(_esc(s.citation) for s in rec.sources))
            out.append(f"*Rules:* {', '.join(rec.rule_ids)}")
            if view.explain:
                out += ["", FENCE + "text"]
                for proof in rec.explanation:
                    out += [line.replace(FENCE, "'''") for line in proof_lines(proof)]
                out.append(FENCE)
            out.append("")
    if result.plan is not None and result.plan.held_back:
        out += ["", "## Held back", "", "Fired, but waiting while what supersedes them is in the plan:", ""]
        out += [f"- `{h.rule_id}`: {_esc(h.reason)}" for h in result.plan.held_back]
    if result.missing_information:
        out += ["", "## Not stated", "", "Stating these would sharpen the advice: "
                + ", ".join(f"`{m}`" for m in result.missing_information) + "."]
    if result.warnings:
        out += ["", "## Warnings", ""] + [f"- {_esc(w)}" for w in result.warnings]
    return "\n".join(out).rstrip() + "\n"
