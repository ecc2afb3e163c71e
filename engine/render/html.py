"""A self-contained HTML report to share with a site's team and community partners: the plan first.

One file, nothing fetched: the styles are inline, there are no scripts or web fonts, the pictures
are CSS and a table. Reading order: at a glance (site, stage, top barriers, the engagement step),
Start here, Next, Later (each item: its first action and why for this site, in one line), the
priorities by barrier, the CFIR ratings (with several perspectives, each group's rating of a
divergent construct on its own line under it), the other facts each group states, the case in
full, then the references (each cited once, numbered) and the full catalogue as a collapsible
appendix (`<details>`; left out with `View(appendix=False)`, `--no-appendix`). In print, the
appendix's items print open (CSS `::details-content`), every heading stays with what follows it,
and riverside's plan without the appendix fits in six Letter pages. Everything from the case or
the rules is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Protocol

from engine.model import vocabulary as v
from engine.model.case import Case
from engine.model.conditions import fmt_value
from engine.model.placement import Placement
from engine.model.results import Recommendation, Result
from engine.model.rules import Source
from engine.model.specdata import BY_WHEN
from engine.model.traces import Proof, Trace
from engine.model.vocabulary import CATEGORY_TITLES
from engine.model.whyhere import why_here
from engine.render.casesummary import (
    NOT_STATED,
    barriers,
    case_rows,
    cfir_by_domain,
    counts,
    facilitators,
    is_sub,
    rating_text,
)
from engine.render.plantext import (
    TAG_KINDS,
    Evidence,
    View,
    decision_line,
    engagement_step,
    eric_names,
    evidence,
    first_action,
    item_barriers,
    lent_actions,
    reasons_line,
    references,
    report_date,
    shown,
    tag_label,
    working_groups,
)
from engine.render.prooftext import test_line

UNSTATED = ' class="unstated"'
Items = list[tuple[Recommendation, Placement]]
Refs = Mapping[str, tuple[int, Source]]
Section = tuple[str, str, str]
"""One section of the report: (its id, its title, its markup)."""

SECTIONS: dict[str, str] = {
    "now": "Start here: the first 30 days",
    "next": "Next: this quarter",
    "later": "Later: when the earlier work is done",
}
SECTION_IDS: dict[str, str] = {"now": "start-here", "next": "next", "later": "later"}
NOTHING: Section = (
    "nothing",
    "Recommendations",
    "<p>No rule matched this case. Stating more of the site's context (see “Not stated”) may help.</p>",
)
"""The section after At a glance when the view shows no item."""

CSS = """
:root { --ink:#1d2430; --muted:#4f5969; --line:#d6dbe3; --soft:#f4f6f9; --bar:#e9edf2;
        --neg:#c2410c; --neg2:#9a3412; --pos:#15803d; --pos2:#166534; --mixed:#5b21b6; --accent:#1e3a8a;
        --high:#b91c1c; --medium:#b45309; --low:#5b6577; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; overflow-wrap: break-word; }
a { color: var(--accent); }
.wrap { max-width: 1040px; margin: 0 auto; padding: 0 28px; }
header.top { background: var(--accent); color: #fff; padding: 22px 0 18px; }
header.top .kicker { margin: 0; font-size: 13px; letter-spacing: .06em; text-transform: uppercase; opacity: .9; }
header.top h1 { margin: 2px 0 4px; font-size: 28px; line-height: 1.2; }
header.top p.sub { margin: 0; font-size: 15px; opacity: .95; }
nav.toc { border-bottom: 1px solid var(--line); background: var(--soft); font-size: 14px; }
nav.toc h2 { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
nav.toc ol { list-style: none; margin: 0; padding: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
main { padding-bottom: 40px; }
section { margin: 0; }
h2 { font-size: 21px; margin: 30px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--line);
     color: var(--accent); }
h3 { font-size: 17px; margin: 0 0 4px; line-height: 1.3; }
h4 { font-size: 15px; margin: 0; }
p { margin: 4px 0; }
.muted, small { color: var(--muted); }
.glance { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 8px 28px; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 0; }
.facts dt { font-weight: 600; color: var(--muted); }
.facts dd { margin: 0; }
.unstated { color: var(--muted); font-style: italic; }
.side h3 { font-size: 15px; margin: 0 0 4px; }
ul.plain { list-style: none; margin: 0 0 10px; padding: 0; }
ul.plain li { margin: 2px 0; }
.horizons { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0 0; padding: 0; list-style: none; }
.horizons a { display: block; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px;
              text-decoration: none; color: var(--ink); background: var(--soft); }
.horizons b { font-size: 18px; color: var(--accent); margin-right: 4px; }
.chip { display: inline-block; min-width: 2.3em; text-align: center; font-size: 13px; font-weight: 700;
        border-radius: 4px; padding: 0 5px; margin-right: 6px; font-variant-numeric: tabular-nums; }
.chip.neg { background: #fde8dc; color: var(--neg2); } .chip.pos { background: #dcf3e3; color: var(--pos2); }
.chip.mixed { background: #ede9fe; color: var(--mixed); outline: 1px dashed var(--mixed); outline-offset: -1px; }
ol.cards { list-style: none; margin: 0; padding: 0; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--low); border-radius: 8px;
        padding: 10px 16px 10px; margin: 0 0 12px; break-inside: avoid; }
.card.high { border-left-color: var(--high); } .card.medium { border-left-color: var(--medium); }
.card h3 .n, ol.compact .n { display: inline-block; min-width: 1.7em; color: var(--muted); font-weight: 700; }
.kind { font-size: 14px; color: var(--muted); margin: 0 0 6px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
         padding: 0 7px; border-radius: 10px; color: #fff; background: var(--low); vertical-align: 1px; }
.badge.high { background: var(--high); } .badge.medium { background: var(--medium); }
.label { font-weight: 600; }
.reasons { font-size: 13.5px; color: var(--muted); margin-top: 6px; }
.refs a { text-decoration: none; }
ol.compact { list-style: none; margin: 0; padding: 0; }
ol.compact li { display: grid; grid-template-columns: 2.4em minmax(0, 1fr); padding: 7px 0;
                border-bottom: 1px solid var(--line); break-inside: avoid; }
ol.compact li > .n { grid-row: 1 / span 3; }
ol.compact .t { font-weight: 600; }
ol.compact p { margin: 1px 0 0 0; font-size: 14.5px; }
ol.compact p.head { font-size: 16px; margin: 0; }
.ev { display: grid; grid-template-columns: minmax(0, 1fr) 120px max-content; gap: 2px 10px; align-items: center;
      font-size: 14px; margin: 4px 0; }
.meter { display: block; height: 10px; background: var(--bar); border-radius: 5px; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--accent); }
.ev .fig { font-variant-numeric: tabular-nums; font-weight: 600; }
table.matrix { border-collapse: collapse; width: 100%; font-size: 14px; }
table.matrix caption { text-align: left; color: var(--muted); font-size: 14px; padding-bottom: 6px; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 5px 8px; text-align: left;
                                   vertical-align: top; }
table.matrix thead th { background: var(--soft); }
table.matrix td a { display: inline-block; min-width: 1.9em; text-align: center; margin: 1px 2px 1px 0;
                    border-radius: 4px; text-decoration: none; font-weight: 700; font-size: 13px; padding: 0 3px; }
a.p-high { background: #fde2e2; color: #8f1414; } a.p-medium { background: #fdebd0; color: #7a3505; }
a.p-low { background: #e8ebf0; color: #3b4352; }
.legend { font-size: 13.5px; color: var(--muted); margin: 4px 0 10px; }
.legend i { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin: 0 4px 0 10px;
            border-radius: 2px; }
.domains { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 12px; }
.domain { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; break-inside: avoid; }
.domain h3 { font-size: 15px; margin-bottom: 4px; }
.domain h3 small { display: block; font-weight: 400; font-size: 13px; }
.crow { display: grid; grid-template-columns: minmax(0, 1fr) 90px 3.6em; align-items: center; gap: 6px;
        font-size: 14px; padding: 1px 0; }
.crow .name.subc { padding-left: 14px; }
.crow.parent { grid-template-columns: minmax(0, 1fr); }
.crow small.div { font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .03em;
                  color: #7c2d12; background: #fdebd0; border-radius: 3px; padding: 0 4px; }
ul.views { list-style: none; margin: 0 0 5px; padding: 0 0 0 14px; border-left: 2px solid #f3c58f; }
ul.views.subc { margin-left: 14px; }
.crow.group { font-size: 13px; color: var(--muted); padding: 0; }
.crow.group .track { height: 7px; }
.crow.group .bar { opacity: .75; }
.crow.parent .name { font-weight: 600; }
.track { position: relative; height: 12px; background: var(--bar); border-radius: 3px; }
.track::after { content: ""; position: absolute; left: 50%; top: -2px; bottom: -2px; border-left: 1px solid #7d8799; }
.bar { position: absolute; top: 0; bottom: 0; }
.bar.neg { right: 50%; background: var(--neg); border-radius: 3px 0 0 3px; }
.bar.pos { left: 50%; background: var(--pos); border-radius: 0 3px 3px 0; }
.bar.mixed { left: 25%; width: 50%; border-radius: 3px;
             background: repeating-linear-gradient(45deg, var(--mixed) 0 4px, #ddd6fe 4px 8px); }
/* barrier and mixed differ in hue (red-orange, violet: still apart under deuteranopia), in lightness for a
   grey printer, and without colour: a barrier is a solid bar left of the centre line, mixed a striped bar
   across it, a dashed chip, and the word "mixed" (issue 26) */
.legend i.neg { background: var(--neg); } .legend i.pos { background: var(--pos); }
.legend i.mixed { background: repeating-linear-gradient(45deg, var(--mixed) 0 3px, #ddd6fe 3px 6px); }
.val { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; font-size: 13px; }
.val.neg { color: var(--neg2); } .val.pos { color: var(--pos2); } .val.mixed { color: var(--mixed); }
.none { color: var(--muted); font-size: 14px; margin: 2px 0; }
ol.references { padding-left: 2.4em; font-size: 14px; }
ol.references li { margin: 0 0 4px; overflow-wrap: anywhere; }
details.rec { border: 1px solid var(--line); border-left: 5px solid var(--low); border-radius: 6px;
              margin: 0 0 8px; }
details.rec.high { border-left-color: var(--high); } details.rec.medium { border-left-color: var(--medium); }
details.rec > summary { cursor: pointer; padding: 7px 12px; list-style-position: outside; margin-left: 14px; }
details.rec > summary h4 { display: inline; font-size: 15px; }
details.rec > summary small { display: block; font-size: 13px; }
details.rec .body { padding: 0 16px 10px; font-size: 14.5px; }
details.rec .body ul { margin: 4px 0 6px; padding-left: 20px; }
.tags { font-size: 13px; }
.tag { display: inline-block; background: #eef2ff; color: #312e81; border-radius: 4px; padding: 0 6px;
       margin: 2px 4px 2px 0; }
.proof { font-size: 13px; border-top: 1px dashed var(--line); padding-top: 6px; margin-top: 8px; }
.proof ul { list-style: none; padding-left: 16px; margin: 2px 0; }
.proof > ul { padding-left: 0; }
.ok { color: var(--pos2); font-weight: 700; } .no { color: var(--neg2); font-weight: 700; }
code { font-size: 13px; background: var(--soft); padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
footer { margin: 28px 0 0; padding: 10px 0 20px; font-size: 13px; color: var(--muted);
         border-top: 1px solid var(--line); }
@media (max-width: 700px) {
  .wrap { padding: 0 14px; }
  header.top h1 { font-size: 23px; }
  .glance { grid-template-columns: minmax(0, 1fr); }
  .glance .side { order: -1; }
  .facts { grid-template-columns: minmax(0, 1fr); }
  .facts dt { margin-top: 4px; }
  .ev { grid-template-columns: minmax(0, 1fr) max-content; }
  .ev .meter { grid-column: 1 / -1; grid-row: 2; }
  .card { padding: 8px 12px; }
  table.matrix th, table.matrix td { padding: 4px 5px; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 9.5pt; line-height: 1.35; }
  .wrap { max-width: none; padding: 0; }
  header.top { background: none; color: var(--ink); padding: 0 0 4px; border-bottom: 3px solid var(--accent); }
  header.top h1 { font-size: 18pt; color: var(--accent); }
  header.top p.sub, header.top .kicker { font-size: 9pt; }
  nav.toc { background: none; border: 0; font-size: 8.5pt; }
  nav.toc ol { padding: 3px 0; gap: 0 12px; }
  h2 { font-size: 13pt; margin: 14px 0 6px; }
  h3 { font-size: 10.5pt; }
  h1, h2, h3, h4, summary, caption, .kind { break-after: avoid; page-break-after: avoid; }
  h1 + *, h2 + *, h3 + *, h4 + * { break-before: avoid; page-break-before: avoid; }
  ol.compact li, tr, .domain, .ev, table.matrix, details.rec > summary, .card p { break-inside: avoid; }
  .card { break-inside: auto; }
  .card { padding: 5px 10px; margin-bottom: 6px; }
  .kind { margin-bottom: 2px; font-size: 8.5pt; }
  ol.compact li { padding: 2px 0; grid-template-columns: 2.2em minmax(0, 1fr); }
  ol.compact p.head { font-size: 9.5pt; }
  .badge { font-size: 7pt; padding: 0 5px; }
  .facts { font-size: 8.5pt; gap: 1px 12px; }
  #case .facts { font-size: 8pt; }
  #case > p.muted { display: none; }
  #case .facts { grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); }
  ol.compact p, .ev, table.matrix, table.matrix caption, .crow, .reasons, .legend { font-size: 8.5pt; }
  .domains { grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px; }
  .crow { grid-template-columns: minmax(0, 1fr) 60px 3em; }
  ol.references { columns: 3; column-gap: 14px; font-size: 7pt; line-height: 1.25; }
  #later p.todo { display: none; }  /* on paper Later is the list of what follows; the screen shows its first steps */
  ol.references li { break-inside: avoid; }
  section.appendix { break-before: page; }
  details.rec { break-inside: auto; }
  details.rec::details-content { content-visibility: visible; display: block; }
  details.rec > summary { list-style: none; margin-left: 0; }
  details.rec .body { font-size: 9pt; }
  a { color: inherit; text-decoration: none; }
  footer { font-size: 8pt; }
}
@page { margin: 11mm 11mm 12mm; }
"""


class GoZone(Protocol):
    """The plan command's go-zone picture, when it is available (issue 11): the report shows it as
    its picture of priorities instead of the barriers x horizon table."""

    def svg(self) -> str:
        """Inline SVG markup built by the engine from its own data, every text in it escaped."""
        ...

    @property
    def description(self) -> str:
        """What the picture shows, in words: the picture's accessible name (aria-label)."""
        ...


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def render_html(result: Result, case: Case, view: View | None = None, *, go_zone: GoZone | None = None) -> str:
    """The whole report as one HTML document, plan first; see the module docstring for its parts."""
    view = view or View()
    items = shown(result, view)
    eric = eric_names(result)
    refs = references(items)
    body: list[Section] = [("glance", "At a glance", _glance(case, items, result))]
    if not items:
        body.append(NOTHING)
    body += _plan_sections(case, items, refs, eric, view, go_zone)
    body += _case_sections(result, case)
    body += _closing_sections(items, refs, eric, view)
    return _document(result, case, view, body)


def _plan_sections(
    case: Case, items: Items, refs: Refs, eric: Mapping[str, str], view: View, go_zone: GoZone | None
) -> list[Section]:
    """Start here, Next, Later and the priorities by barrier; by category, the catalogue open instead."""
    if view.by != "plan":
        return [("recommendations", "Recommendations by category", _catalogue(items, refs, eric, collapsed=False))]
    out: list[Section] = []
    for h in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == h]
        if group:
            out.append((SECTION_IDS[h], SECTIONS[h], _horizon(h, group, refs, eric, view.appendix)))
    if items:
        out.append(("priorities", "Priorities by barrier", priority_picture(case, items, go_zone)))
    return out


def _case_sections(result: Result, case: Case) -> list[Section]:
    """The CFIR ratings, each group's view, the case in full, the decisions outside the plan, the items
    held back and what the case does not state."""
    out: list[Section] = [("cfir", "CFIR 2.0 ratings", _cfir(case, result.perspectives))]
    if result.perspectives:
        from engine.render.perspectiveview import html_block

        out.append(("perspectives", "Each group's view", _other_views(result.perspectives, html_block)))
    out.append(("case", "The case in full", _case(case)))
    if working_groups(result):
        out.append(("decisions", "The team's decisions outside the plan", _working(result)))
    if result.plan is not None and result.plan.held_back:
        out.append(("held-back", "Held back", _held_back(result)))
    if result.missing_information or result.warnings or result.cues:
        out.append(("not-stated", "Not stated", _missing(result)))
    return out


def _closing_sections(items: Items, refs: Refs, eric: Mapping[str, str], view: View) -> list[Section]:
    """The references, then (in the plan layout) the appendix: every item in full, collapsed."""
    out: list[Section] = []
    if refs:
        out.append(("references", "References", _references(refs)))
    if view.by == "plan" and view.appendix and items:
        out.append(
            (
                "appendix",
                "Appendix: every recommendation in full",
                '<p class="muted">Each item with all its actions, the rationale, the tags, the sources and '
                "the facts of this case it rests on. Select an item to open it; in print every item is "
                "open.</p>" + _catalogue(items, refs, eric, collapsed=True),
            )
        )
    return out


def _document(result: Result, case: Case, view: View, body: list[Section]) -> str:
    """The page around the sections: head and styles, the title band, the contents, the footer."""
    site = case.site or case.case_id
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(f'Implementation support plan: {site}')}</title>",
        f"<style>{CSS}</style></head><body>",
        _masthead(case, view),
        '<nav class="toc" aria-labelledby="toc-h"><div class="wrap"><h2 id="toc-h">Contents</h2><ol>'
        + "".join(f'<li><a href="#{sid}">{_e(_short(title))}</a></li>' for sid, title, _ in body)
        + "</ol></div></nav>",
        '<main class="wrap">',
        *(
            f'<section id="{sid}" aria-labelledby="{sid}-h"'
            + (' class="appendix"' if sid == "appendix" else "")
            + f'><h2 id="{sid}-h">{_e(title)}</h2>\n{html}</section>'
            for sid, title, html in body
        ),
        "</main>",
        _footer(result, case),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _masthead(case: Case, view: View) -> str:
    """The title band: the site, then its innovation, stage and assessment date."""
    site = case.site or case.case_id
    date = report_date(case, view.assessed_on)
    sub = [
        _e(case.innovation) if case.innovation else "",
        _e(_word(case.stage)) if case.stage else "",
        f"assessed {_e(date)}" if date else "assessment date not stated",
    ]
    return (
        '<header class="top"><div class="wrap"><p class="kicker">Implementation support plan</p>'
        f'<h1>{_e(site)}</h1><p class="sub">{" &middot; ".join(s for s in sub if s)}</p></div></header>'
    )


def _footer(result: Result, case: Case) -> str:
    """What made the report: the engine's version, the case and the rule packs."""
    packs = ", ".join(f"{r['name']} {r['version']}" for r in result.engine["rulesets"])
    return (
        f'<footer><div class="wrap">Made by ISP Advisor {_e(result.engine["version"])} from case '
        f"<code>{_e(case.case_id)}</code> and the rule packs {_e(packs)}. Each recommendation names the rules "
        "behind it; the appendix shows the facts of this case each rests on.</div></footer>"
    )


def _short(title: str) -> str:
    return title.split(":")[0]


def _word(value: object) -> str:
    return str(value).replace("_", " ")


def _chip(rating: int | str | None) -> str:
    cls = "mixed" if not isinstance(rating, int) else "neg" if rating < 0 else "pos" if rating > 0 else ""
    return f'<span class="chip {cls}">{_e(rating_text(rating))}</span>'


# ---------------------------------------------------------------- at a glance


def _glance(case: Case, items: Items, result: Result) -> str:
    """The report's first box: the site's facts, the plan's horizons at a glance, the top barriers and
    what helps."""
    rows = _glance_facts(case)
    facts = "".join(f"<dt>{_e(k)}</dt><dd{UNSTATED if val == NOT_STATED else ''}>{_e(val)}</dd>" for k, val in rows)
    sizes = {h: sum(1 for _, p in items if p.horizon == h) for h in ("now", "next", "later")}
    plan = "".join(
        f'<li><a href="#{SECTION_IDS[h]}"><b>{n}</b>{_e(("start here", "next", "later")[i])}</a></li>'
        for i, (h, n) in enumerate(sizes.items())
        if n
    )
    held = len(result.plan.held_back) if result.plan else 0
    note = f" ({held} more held back, see below)" if held else ""
    return (
        f'<div class="glance"><div><dl class="facts">{facts}</dl>'
        + (f'<ul class="horizons" aria-label="The plan">{plan}</ul>' if plan else "")
        + (f'<p class="muted">{len(items)} item(s) in the plan{_e(note)}.</p>' if items else "")
        + f"</div>{_glance_side(case)}</div>"
    )


def _glance_facts(case: Case) -> list[tuple[str, str]]:
    """The site's facts at a glance, each as (label, text); NOT_STATED where the case is silent."""
    ch = case.challenge
    challenge = _word(ch.type) if ch and ch.type else NOT_STATED
    if ch and ch.summary:
        challenge += f": {ch.summary}"
    pops = case.equity.priority_populations if case.equity and case.equity.priority_populations else None
    return [
        ("Site", case.site or NOT_STATED),
        ("Stage", _word(case.stage) if case.stage else NOT_STATED),
        ("Challenge", challenge),
        ("Engagement step", engagement_step(case) or NOT_STATED),
        ("Power and trust", _power(case)),
        ("Priority populations", "; ".join(pops) if pops else NOT_STATED),
    ]


def _glance_side(case: Case) -> str:
    """The top five CFIR barriers (and how many more) and the top three facilitators."""
    bars = barriers(case)
    top = "".join(f"<li>{_chip(r)}{_e(name)}</li>" for _, name, r in bars[:5])
    more = f'<li class="muted">and {len(bars) - 5} more (see CFIR ratings)</li>' if len(bars) > 5 else ""
    helps = "".join(f"<li>{_chip(r)}{_e(name)}</li>" for _, name, r in facilitators(case)[:3])
    return (
        '<div class="side"><h3>Top barriers</h3><ul class="plain">'
        + (top + more or '<li class="unstated">no CFIR barrier rated</li>')
        + "</ul>"
        + (f'<h3>What helps</h3><ul class="plain">{helps}</ul>' if helps else "")
        + "</div>"
    )


def _power(case: Case) -> str:
    p, r = case.power, case.relationships
    parts = []
    if p and p.differential:
        parts.append(f"power differential {p.differential}")
    if p and p.decision_making:
        parts.append(f"decisions: {_word(p.decision_making)}")
    if r and r.trust:
        parts.append(f"trust {r.trust}")
    return "; ".join(parts) or NOT_STATED


# ---------------------------------------------------------------- the plan


def _refs(rec: Recommendation, refs: Refs) -> str:
    nums = sorted({refs[s.key][0] for s in rec.sources if s.key in refs})
    if not nums:
        return ""
    links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in nums)
    return f' <span class="refs" aria-label="sources">[{links}]</span>'


def _evidence(figures: Sequence[Evidence]) -> str:
    out = []
    for ev in figures:
        where = ", ".join(v.CFIR_IDS.get(b, b) for b in ev.barriers)
        name = f"ERIC: {_e(ev.strategy)}" + (f" <small>for {_e(where)}</small>" if where else "")
        meter = (
            f'<span class="meter" role="img" aria-label="{_e(ev.text)}"><span style="width:{ev.percent:g}%">'
            "</span></span>"
            if ev.percent
            else "<span></span>"
        )
        out.append(f'<div class="ev"><span>{name}</span>{meter}<span class="fig">{_e(ev.text)}</span></div>')
    return "".join(out)


def _horizon(h: str, group: Items, refs: Refs, eric: Mapping[str, str], appendix: bool) -> str:
    """Start here as cards (first action, why here, by when, evidence); Next and Later as compact lists."""
    out = []
    for rec, place in group:
        title = _e(rec.title)
        more = f' <a href="#rec-{_e(rec.rule_id)}">details</a>' if appendix else ""
        kind = f"{_e(CATEGORY_TITLES.get(rec.category, rec.category))}"
        if h == "now":
            out.append(
                f'<li class="card {_e(rec.priority)}" id="item-{_e(rec.rule_id)}">'
                f'<h3><span class="n">{place.rank}.</span>{title}</h3>'
                f'<p class="kind"><span class="badge {_e(rec.priority)}">{_e(rec.priority)}</span> {kind} &middot; '
                f"by when: {_e(BY_WHEN[h])}</p>"
                f'<p><span class="label">Do:</span> {_e(first_action(rec))}</p>'
                f'<p><span class="label">Why here:</span> {_e(why_here(rec))}{_refs(rec, refs)}</p>'
                f"{_team(place)}"
                f"{_evidence(evidence(rec, place, eric))}"
                f'<p class="reasons">{_e(_cap(reasons_line(place)))}.{more}</p></li>'
            )
        else:
            todo = f'<p class="todo"><span class="label">Do:</span> {_e(first_action(rec))}</p>'
            out.append(
                f'<li class="{_e(rec.priority)}" id="item-{_e(rec.rule_id)}"><span class="n">{place.rank}.</span>'
                f'<p class="head"><span class="t">{title}</span> <span class="badge {_e(rec.priority)}">'
                f"{_e(rec.priority)}</span> <small>{kind}</small></p>{todo}{_team(place)}"
                f'<p><span class="label">Why here:</span> {_e(why_here(rec, 3))}{_refs(rec, refs)}{more}</p></li>'
            )
    cls = "cards" if h == "now" else "compact"
    return f'<ol class="{cls}">' + "\n".join(out) + "</ol>"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def priority_picture(case: Case, items: Items, go_zone: GoZone | None = None) -> str:
    """The report's picture of priorities: the plan command's go-zone when given, else barriers x horizon
    (the case's CFIR barriers as rows, now/next/later as columns, each cell the ranks of the items that
    address that barrier, linked to them)."""
    if go_zone is not None:
        return (
            f'<figure role="img" aria-label="{_e(go_zone.description)}">{go_zone.svg()}'
            f"<figcaption>{_e(go_zone.description)}</figcaption></figure>"
        )
    rows = [(cid, name, r) for cid, name, r in barriers(case)]
    addressed: dict[str, dict[str, list[tuple[Recommendation, Placement]]]] = {}
    untied: dict[str, list[tuple[Recommendation, Placement]]] = {}
    for rec, place in items:
        bs = item_barriers(rec, place)
        for b in bs:
            addressed.setdefault(b, {}).setdefault(place.horizon, []).append((rec, place))
        if not bs:
            untied.setdefault(place.horizon, []).append((rec, place))
    horizons = [h for h in ("now", "next", "later") if any(p.horizon == h for _, p in items)]

    def cell(group: list[tuple[Recommendation, Placement]]) -> str:
        if not group:
            return '<td><span class="muted">&ndash;</span></td>'
        return (
            "<td>"
            + "".join(
                f'<a class="p-{_e(r.priority)}" href="#item-{_e(r.rule_id)}" title="{_e(r.title)}">{p.rank}</a>'
                for r, p in group
            )
            + "</td>"
        )

    head = "".join(
        f'<th scope="col">{_e(("Start here", "Next", "Later")[("now", "next", "later").index(h)])}</th>'
        for h in horizons
    )
    body = []
    for cid, name, rating in rows:
        cells = "".join(cell(addressed.get(cid, {}).get(h, [])) for h in horizons)
        body.append(f'<tr><th scope="row">{_chip(rating)}{_e(name)}</th>{cells}</tr>')
    if any(untied.values()):
        body.append(
            '<tr><th scope="row">Not tied to a CFIR barrier <small>(equity, engagement, leadership, '
            "capacity)</small></th>" + "".join(cell(untied.get(h, [])) for h in horizons) + "</tr>"
        )
    return (
        '<table class="matrix"><caption>Which items of the plan address each of the site’s CFIR barriers, and '
        "when. The numbers are the items’ places in the plan; the colour is their priority (red high, amber "
        f'medium, grey low).</caption><thead><tr><th scope="col">Barrier</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )


# ---------------------------------------------------------------- CFIR and the case


def _bar(rating: int | str | None) -> tuple[str, str]:
    """(bar markup, value class) for a rating on the -2..+2 track."""
    if rating is None:
        return "", ""
    if not isinstance(rating, int):
        return '<div class="bar mixed"></div>', "mixed"
    if rating == 0:
        return "", ""
    side = "neg" if rating < 0 else "pos"
    return f'<div class="bar {side}" style="width:{abs(rating) * 25}%"></div>', side


def _cfir(case: Case, perspectives: Mapping[str, Any] | None = None) -> str:
    """The -2..+2 chart by domain. With perspectives, a construct the groups rate 2+ points apart carries
    each group's rating on its own line under it (issue 12), and a construct only the groups rate shows the
    most critical view, the value the rules use (engine/model/perspectives.py)."""
    views = _cfir_views(perspectives)
    if views.combined:
        case = case.model_copy(update={"cfir": {**views.combined, **(case.cfir or {})}})
    by_domain = cfir_by_domain(case)
    out = [
        '<p class="legend">Each construct from -2 (strong barrier) to +2 (strong facilitator):'
        '<i class="neg"></i>barrier (left of centre)<i class="pos"></i>facilitator (right of centre)'
        '<i class="mixed"></i>mixed (striped, across the centre)</p>'
    ]
    if views.divergent:
        out.append(
            '<p class="legend">Where the groups’ ratings are 2 or more points apart (marked '
            "<b>divergent</b>), each group’s rating is on its own line under the construct; the "
            "construct’s own bar is the case’s rating, or, where the case states none, the most critical "
            "group’s view: no rating is averaged.</p>"
        )
    out.append('<div class="domains">')
    for domain, name in v.CFIR_DOMAINS.items():
        rows = by_domain[domain]
        neg, zero, pos, mixed = counts(rows)
        tally = (
            (
                f"{neg} barrier(s), {pos} facilitator(s)"
                + (f", {mixed} mixed" if mixed else "")
                + (f", {zero} neutral" if zero else "")
            )
            if rows
            else "not rated"
        )
        out.append(f'<div class="domain" data-domain="{_e(domain)}"><h3>{_e(name)} <small>{_e(tally)}</small></h3>')
        if not rows:
            out.append('<p class="none">No ratings for this domain.</p>')
        for cid, cname, rating in rows:
            bar, cls = _bar(rating)
            sub = " subc" if is_sub(cid) else ""
            label = f"&#8627; {_e(cname)}" if sub else _e(cname)
            if rating is None:  # a construct not rated, shown as the heading of its rated subconstructs
                out.append(
                    f'<div class="crow parent" title="{_e(cid)}"><span class="name">{label} '
                    "<small>(not rated)</small></span></div>"
                )
                continue
            groups = views.divergent.get(cid)
            if groups:
                label += ' <small class="div">divergent</small>'
            elif cid in views.combined and cid not in (case.cfir or {}):
                label += " <small>(the groups’ view)</small>"
            attrs = f'class="crow divergent" data-fact="cfir.{_e(cid)}"' if groups else 'class="crow"'
            out.append(
                f'<div {attrs} title="{_e(cid)}"><span class="name{sub}">{label}</span>'
                f'<div class="track">{bar}</div><span class="val {cls}">{_e(rating_text(rating))}</span></div>'
            )
            if groups:
                out.append(_group_lines(cname, groups, sub))
        out.append("</div>")
    out.append("</div>")
    return "\n".join(out)


@dataclass
class _CfirViews:
    """The CFIR part of the result's perspectives: values combined from the groups where the case states
    none ({cid: value}) and, for each divergent construct, each group's rating ({cid: [(label, group, value)]})."""

    combined: dict[str, int | str] = field(default_factory=dict)
    divergent: dict[str, list[tuple[str, str, int | str]]] = field(default_factory=dict)


def _cfir_views(data: Mapping[str, Any] | None) -> _CfirViews:
    views = _CfirViews()
    if not data:
        return views
    for c in data.get("combined", ()):
        if str(c["path"]).startswith("cfir."):
            views.combined[c["path"][5:]] = c["value"]
    for path in data.get("divergent", ()):
        if not str(path).startswith("cfir."):
            continue
        views.divergent[path[5:]] = [
            (str(g.get("label") or ""), str(g["group"]), g["facts"][path])
            for g in data["groups"]
            if g["facts"].get(path) is not None
        ]
    return views


def _group_lines(cname: str, groups: Sequence[tuple[str, str, int | str]], sub: str) -> str:
    """Each group's rating of one divergent construct on its own thin -2..+2 track, under the construct."""
    lines = []
    for label, group, value in groups:
        name = group.replace("_", " ")
        who = f"{_e(label)} <small>{_e(name)}</small>" if label else _e(name)
        bar, cls = _bar(value)
        lines.append(
            f'<li class="crow group" data-group="{_e(group)}"><span class="name">{who}</span>'
            f'<div class="track">{bar}</div><span class="val {cls}">{_e(rating_text(value))}</span></li>'
        )
    return f'<ul class="views{sub}" aria-label="{_e(f"Each group’s rating of {cname}")}">' + "".join(lines) + "</ul>"


def _other_views(data: Mapping[str, Any], block: Callable[[dict[str, Any]], str]) -> str:
    """'Each group's view' without the divergent CFIR ratings, which the chart above shows per group."""
    cfir_div = {p for p in data["divergent"] if str(p).startswith("cfir.")}
    rest = {
        **data,
        "divergent": [p for p in data["divergent"] if p not in cfir_div],
        "groups": [{**g, "facts": {p: x for p, x in g["facts"].items() if p not in cfir_div}} for g in data["groups"]],
    }
    note = (
        '<p class="muted">The CFIR ratings the groups see differently are in the '
        '<a href="#cfir">CFIR chart</a>, each group on its own line.</p>'
        if cfir_div
        else ""
    )
    return note + block(rest)


def _case(case: Case) -> str:
    """Every case field: those stated one by one, those not stated named together in one row."""
    rows = []
    unstated = []
    for label, value in case_rows(case):
        if value == NOT_STATED:
            unstated.append(label)
        else:
            rows.append(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>")
    if unstated:
        rows.append(f'<dt>{_e(NOT_STATED.capitalize())}</dt><dd class="unstated">{_e(", ".join(unstated))}</dd>')
    return f'<p class="muted">Case <code>{_e(case.case_id)}</code>.</p><dl class="facts">' + "".join(rows) + "</dl>"


def _team(place: Placement) -> str:
    decided = decision_line(place)
    return f'<p class="team"><span class="label">Team:</span> {_e(decided)}</p>' if decided else ""


def _working(result: Result) -> str:
    return "".join(
        f"<h3>{_e(title)}</h3><ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"
        for title, lines in working_groups(result)
    )


def _held_back(result: Result) -> str:
    assert result.plan is not None
    rows = "".join(
        f"<li>{_e(h.recommendation.title)} <small>(<code>{_e(h.rule_id)}</code>): {_e(h.reason)}</small></li>"
        for h in result.plan.held_back
    )
    return f"<p>These fired, but wait while what supersedes them is in the plan, or for an answer:</p><ul>{rows}</ul>"


def _missing(result: Result) -> str:
    out = []
    if result.cues:
        out.append(
            '<p>The case\'s own words suggest these; answer them first:</p><ul class="cues">'
            + "".join(f"<li>{_e(c.question)}</li>" for c in result.cues)
            + "</ul>"
        )
    if result.missing_information:
        items = ", ".join(f"<code>{_e(m)}</code>" for m in result.missing_information)
        out.append(f"<p>Stating these would sharpen the advice: {items}.</p>")
    if result.warnings:
        out.append(
            '<h3 id="warnings">Warnings</h3><ul>' + "".join(f"<li>{_e(w)}</li>" for w in result.warnings) + "</ul>"
        )
    return "\n".join(out)


def _references(refs: Refs) -> str:
    out = ['<ol class="references">']
    for n, s in sorted(refs.values(), key=lambda t: t[0]):
        link = f' <a href="{_e(s.url)}">{_e(s.url)}</a>' if s.url else ""
        out.append(f'<li id="ref-{n}">{_e(s.citation)}{link}</li>')
    out.append("</ol>")
    return "\n".join(out)


# ---------------------------------------------------------------- the catalogue (appendix)


def _catalogue(items: Items, refs: Refs, eric: Mapping[str, str], *, collapsed: bool) -> str:
    out = []
    for cat in v.CATEGORIES:
        group = [(r, p) for r, p in items if r.category == cat]
        if group:
            out.append(f'<h3 class="category">{_e(CATEGORY_TITLES[cat])}</h3>')
            out += [_rec(r, p, refs, eric, collapsed) for r, p in group]
    return "\n".join(out)


def _tags(rec: Recommendation, eric: Mapping[str, str]) -> str:
    groups = []
    for kind, values in rec.tags.items():
        if values and kind in TAG_KINDS:
            chips = "".join(
                f'<span class="tag" title="{_e(kind)}: {_e(t)}">{_e(tag_label(kind, t, eric))}</span>' for t in values
            )
            groups.append(f"{_e(TAG_KINDS[kind])}: {chips}")
    return f'<p class="tags">{" ".join(groups)}</p>' if groups else ""


def _rec(r: Recommendation, place: Placement, refs: Refs, eric: Mapping[str, str], collapsed: bool) -> str:
    actions = "".join(f"<li>{_e(a)}</li>" for a in (*r.actions, *lent_actions(place)))
    where = f"#{place.rank} &middot; {_e(SECTIONS[place.horizon].split(':')[0])} &middot; {_e(r.priority)} priority"
    rules = ", ".join(f"<code>{_e(rid)}</code>" for rid in r.rule_ids)
    proofs = "".join(_proof(p) for p in r.explanation)
    proofs += "".join(
        _proof(p, f"folded ERIC strategy {a.title.removeprefix('ERIC strategy: ')}")
        for a in place.also
        for p in a.explanation
    )
    body = (
        f'<div class="body"><ul>{actions}</ul>'
        + (f'<p><span class="label">Why:</span> {_e(r.rationale)}</p>' if r.rationale else "")
        + f'<p><span class="label">Why here:</span> {_e(why_here(r, 8))}{_refs(r, refs)}</p>'
        + _evidence(evidence(r, place, eric))
        + _tags(r, eric)
        + f'<p class="reasons">{_e(_cap(reasons_line(place)))}. Rule(s): {rules}.</p>'
        + proofs
        + "</div>"
    )
    open_ = "" if collapsed else " open"
    return (
        f'<details class="rec {_e(r.priority)}" id="rec-{_e(r.rule_id)}"{open_}><summary>'
        f"<h4>{_e(r.title)}</h4><small>{where}</small></summary>{body}</details>"
    )


def _proof(proof: Proof, note: str = "") -> str:
    extra = f" ({_e(note)})" if note else ""
    return (
        f'<div class="proof" id="proof-{_e(proof.rule_id)}"><strong>{_e(proof.rule_id)}</strong> '
        f"({_e(proof.pack)}){extra} held because: <ul>{_trace(proof.condition)}</ul></div>"
    )


def _mark(held: bool) -> str:
    return (
        '<span class="ok" aria-label="held">&#10003;</span>'
        if held
        else '<span class="no" aria-label="did not hold">&#10007;</span>'
    )


def _trace(t: Trace) -> str:
    if t.op == "test":
        inner = ""
        if t.derived_from is not None:
            inner = f"<ul>{_derived(t.derived_from)}</ul>"
        return f"<li>{_mark(t.held)} {_e(test_line(t))}{inner}</li>"
    if t.op in ("all", "any") and len(t.children) == 1:
        return _trace(t.children[0])
    word = {"all": "all of", "any": "any of", "not": "not"}[t.op]
    return f"<li>{_mark(t.held)} {word}:<ul>{''.join(_trace(c) for c in t.children)}</ul></li>"


def _derived(p: Proof) -> str:
    derived = ", ".join(f"{k}={fmt_value(val)}" for k, val in p.derived.items())
    return f"<li>from {_e(p.rule_id)} ({_e(p.pack)}), deriving {_e(derived)}:<ul>{_trace(p.condition)}</ul></li>"
