"""Markdown: a report to paste into a shared document or issue, the plan first.

Text from the case and the rules is escaped: no raw HTML reaches a renderer that allows it, and
a `|` or a newline cannot break a table row.
"""

from __future__ import annotations

import re

from engine.model.case import Case
from engine.model.placement import Placement
from engine.model.results import Recommendation, Result
from engine.model.rules import Source
from engine.model.specdata import BY_WHEN
from engine.model.vocabulary import CATEGORIES, CATEGORY_TITLES, CFIR_DOMAINS, CFIR_IDS
from engine.model.whyhere import why_here
from engine.render.casesummary import barriers, cfir_by_domain, facilitators, rating_text, summary_rows
from engine.render.mdtext import md_text
from engine.render.plantext import (
    HORIZON_TITLES,
    TAG_KINDS,
    View,
    also_line,
    decision_line,
    engagement_step,
    eric_names,
    evidence,
    first_action,
    lent_actions,
    reasons_line,
    references,
    report_date,
    shown,
    tag_label,
    working_groups,
)
from engine.render.prooftext import proof_lines

FENCE = "`" * 3


def _esc(text: object) -> str:
    """Case or rule text as Markdown text (engine/render/mdtext.py)."""
    return md_text(text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


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


def _short(title: str) -> str:
    return title.split(" (")[0]


def _cap(line: str) -> str:
    return line[:1].upper() + line[1:]


def _names(cfir: tuple[str, ...]) -> str:
    return ", ".join(CFIR_IDS.get(b, b) for b in cfir)


_URL = re.compile(r"https?://[^\s<>\\]+", re.ASCII)


def cites(rec: Recommendation, refs: dict[str, tuple[int, Source]]) -> str:
    """'[1], [4]': an item's sources by their numbers in the reference list, each a link to it."""
    nums = sorted({refs[s.key][0] for s in rec.sources if s.key in refs})
    return ", ".join(f"[\\[{n}\\]](#references)" for n in nums)


def references_section(refs: dict[str, tuple[int, Source]]) -> list[str]:
    """'## References': every source cited once, numbered as the items cite it (the HTML report's numbers)."""
    out = ["", "## References", ""]
    for n, s in sorted(refs.values(), key=lambda t: t[0]):
        link = f" <{s.url}>" if _URL.fullmatch(s.url) else (f" {_esc(s.url)}" if s.url else "")
        text = _esc(s.citation)
        text = "\\" + text if text[:1] in "#>+-=" else text  # not a heading, quote or list inside the item
        out.append(f"{n}. {text}{link}")
    return out


def glance_section(case: Case, items: list[tuple[Recommendation, Placement]]) -> list[str]:
    """At a glance: site, stage, the top barriers, the engagement step and the size of each horizon."""
    bars = barriers(case)
    top = ", ".join(f"{_esc(name)} ({rating_text(r)})" for _, name, r in bars[:5])
    if len(bars) > 5:
        top += f", and {len(bars) - 5} more"
    helps = ", ".join(f"{_esc(name)} ({rating_text(r)})" for _, name, r in facilitators(case)[:3])
    sizes = [(h, sum(1 for _, p in items if p.horizon == h)) for h in ("now", "next", "later")]
    plan = ", ".join(
        f"[{n} {('start here', 'next', 'later')[i]}](#{slug(HORIZON_TITLES[h])})" for i, (h, n) in enumerate(sizes) if n
    )
    out = [
        "## At a glance",
        "",
        f"- **Site:** {_esc(case.site or 'not stated')}",
        f"- **Stage:** {_esc(str(case.stage).replace('_', ' ') if case.stage else 'not stated')}",
        f"- **Top barriers:** {top or 'no CFIR barrier rated'}",
    ]
    if helps:
        out.append(f"- **What helps:** {helps}")
    out.append(f"- **Engagement step:** {_esc(engagement_step(case) or 'not stated')}")
    if plan:
        out.append(f"- **The plan:** {plan}")
    return out


def _plan_section(items: list[tuple[Recommendation, Placement]], eric: dict[str, str]) -> list[str]:
    out: list[str] = []
    for horizon in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == horizon]
        if not group:
            continue
        out += ["", f"## {HORIZON_TITLES[horizon]}", ""]
        for rec, place in group:
            kind = f"{rec.priority} · {CATEGORY_TITLES.get(rec.category, rec.category)}"
            if horizon == "now":
                out.append(f"{place.rank}. **{_esc(rec.title)}** ({kind})  ")
                out.append(f"   *Do:* {_esc(first_action(rec))}  ")
                out.append(f"   *Why here:* {_esc(why_here(rec))}  ")
                if (decided := decision_line(place)) is not None:
                    out.append(f"   *Team:* {_esc(decided)}  ")
                out.append(f"   *By when:* {BY_WHEN[horizon]}; {_esc(reasons_line(place))}  ")
                out += [
                    f"   *Evidence:* ERIC {_esc(ev.strategy)}: {_esc(ev.text)}"
                    + (f" for {_esc(_names(ev.barriers))}" if ev.barriers else "")
                    + "  "
                    for ev in evidence(rec, place, eric)
                ]
                out.append(f"   *Rule:* `{', '.join(rec.rule_ids)}`")
            else:
                out.append(f"{place.rank}. **{_esc(rec.title)}** ({kind})  ")
                out.append(f"   *Do:* {_esc(first_action(rec))}  ")
                if (decided := decision_line(place)) is not None:
                    out.append(f"   *Team:* {_esc(decided)}  ")
                out.append(
                    f"   *Why here:* {_esc(why_here(rec, 3))}; {_esc(reasons_line(place))} "
                    f"(`{', '.join(rec.rule_ids)}`)"
                )
    return out


def render_markdown(result: Result, view: View | None = None, *, case: Case | None = None) -> str:
    """The plan first (at a glance, Start here, Next, Later), then the site, its CFIR ratings and the
    detail by category; GitHub renders it (headings, lists, anchors), and case text is escaped."""
    view = view or View()
    items = shown(result, view)
    eric = eric_names(result)
    refs = references(items)
    out = _header(result, case, view)
    out += _contents(case, items, refs, view.by == "plan")
    if case is not None:
        out += [""] + glance_section(case, items)
    if view.by == "plan":
        out += _plan_section(items, eric)
    if case is not None:
        out += [""] + site_section(case)
    if result.perspectives:
        from engine.render.perspectiveview import markdown_lines

        out += markdown_lines(result.perspectives)
    out += _detail_section(items, eric, refs, view)
    out += _outside_plan_section(result)
    out += _not_stated_section(result)
    if refs:
        out += references_section(refs)
    return "\n".join(out).rstrip() + "\n"


def _header(result: Result, case: Case | None, view: View) -> list[str]:
    """The title, the site line (with a case) and the count of recommendations with the rule packs."""
    case_id = result.case_id if re.fullmatch(r"[\w-]+", result.case_id, re.ASCII) else _esc(result.case_id)
    out = [f"# Recommendations for {case_id}", ""]  # a valid id as it is: it is searched for
    if case is not None:
        date = report_date(case, view.assessed_on)
        head = [
            f"**{_esc(case.site)}**" if case.site else "",
            _esc(case.innovation) if case.innovation else "",
            f"assessed {_esc(date)}" if date else "assessment date not stated",
        ]
        out += [" · ".join(h for h in head if h), ""]
    out.append(
        f"{len(result.recommendations)} recommendation(s); rule packs: "
        + ", ".join(f"{r['name']} {r['version']}" for r in result.engine["rulesets"])
        + "."
    )
    return out


def _contents(
    case: Case | None, items: list[tuple[Recommendation, Placement]], refs: dict[str, tuple[int, Source]], by_plan: bool
) -> list[str]:
    """'**Contents:**' linking the report's sections, when it has more than two."""
    sections = ["At a glance"] if case is not None else []
    if by_plan:
        sections += [HORIZON_TITLES[h] for h in ("now", "next", "later") if any(p.horizon == h for _, p in items)]
    if case is not None:
        sections += ["Site"] + (
            ["CFIR ratings (barriers -, facilitators +)"] if any(cfir_by_domain(case).values()) else []
        )
    if items:
        sections.append(
            "Detail by category"
            if by_plan
            else CATEGORY_TITLES[next(c for c in CATEGORIES if any(r.category == c for r, _ in items))]
        )
    if refs:
        sections.append("References")
    if len(sections) > 2:
        return ["", "**Contents:** " + " · ".join(f"[{_short(t)}](#{slug(t)})" for t in sections)]
    return []


def _detail_section(
    items: list[tuple[Recommendation, Placement]], eric: dict[str, str], refs: dict[str, tuple[int, Source]], view: View
) -> list[str]:
    """Every item in full under its category ('## Detail by category' above them in the plan layout)."""
    by_plan = view.by == "plan"
    out: list[str] = []
    if by_plan and items:
        out += ["", "## Detail by category"]
    for cat in CATEGORIES:
        recs = [(r, p) for r, p in items if r.category == cat]
        if not recs:
            continue
        out += ["", ("### " if by_plan else "## ") + CATEGORY_TITLES[cat], ""]
        for rec, place in recs:
            out += _detail_item(rec, place, eric, refs, view)
    return out


def _detail_item(
    rec: Recommendation, place: Placement, eric: dict[str, str], refs: dict[str, tuple[int, Source]], view: View
) -> list[str]:
    """One item in full: its heading, all its actions, why, tags, evidence, sources, rules (and proofs)."""
    out = [
        f"{'####' if view.by == 'plan' else '###'} {place.rank}. {_esc(rec.title)} ({rec.priority}, {place.horizon})",
        "",
    ]
    out += [f"- {_esc(a)}" for a in (*rec.actions, *lent_actions(place))]
    out += [f"- *{_esc(_cap(line))}*" for line in also_line(place)]
    out += ["", f"*Why:* {_esc(rec.rationale)}", ""]
    tags = "; ".join(
        f"{TAG_KINDS.get(k, k)}: {', '.join(tag_label(k, t, eric) for t in v)}" for k, v in rec.tags.items() if v
    )
    if tags:
        out += [f"*Tags:* {_esc(tags)}", ""]
    for ev in evidence(rec, place, eric):
        out += [
            f"*Evidence:* ERIC {_esc(ev.strategy)}: {_esc(ev.text)}"
            + (f" for {_esc(_names(ev.barriers))}" if ev.barriers else ""),
            "",
        ]
    if rec.sources:
        out.append(f"*Sources:* {cites(rec, refs)}")
    out.append(f"*Rules:* {', '.join(rec.rule_ids)}")
    if view.explain:
        out += _proof_block(rec)
    out.append("")
    return out


def _proof_block(rec: Recommendation) -> list[str]:
    """The item's proofs as a fenced text block (a fence inside a proof line cannot close it)."""
    out = ["", FENCE + "text"]
    for proof in rec.explanation:
        out += [line.replace(FENCE, "'''") for line in proof_lines(proof)]
    out.append(FENCE)
    return out


def _outside_plan_section(result: Result) -> list[str]:
    """The team's decisions outside the plan (from the decisions file), then the items held back."""
    out: list[str] = []
    for title, lines in working_groups(result):
        out += ["", f"## {title}", "", "From the team's decisions file:", ""]
        out += [f"- {_esc(line)}" for line in lines]
    if result.plan is not None and result.plan.held_back:
        out += [
            "",
            "## Held back",
            "",
            "Fired, but waiting while what supersedes them is in the plan, or for an answer:",
            "",
        ]
        out += [f"- `{h.rule_id}`: {_esc(h.reason)}" for h in result.plan.held_back]
    return out


def _not_stated_section(result: Result) -> list[str]:
    """'## Not stated' (the cues to answer first, the missing facts), then '## Warnings'."""
    out: list[str] = []
    if result.missing_information or result.cues:
        out += ["", "## Not stated", ""]
        if result.cues:
            out += ["The case's own words suggest these; answer them first:", ""]
            out += [f"- {_esc(c.question)}" for c in result.cues] + [""]
        if result.missing_information:
            out += [
                "Stating these would sharpen the advice: "
                + ", ".join(f"`{m}`" for m in result.missing_information)
                + "."
            ]
    if result.warnings:
        out += ["", "## Warnings", ""] + [f"- {_esc(w)}" for w in result.warnings]
    return out
