"""A self-contained HTML report to share with a site's team and community partners.

One file, nothing fetched: the styles are inline, there are no scripts or web fonts, the CFIR
picture is drawn with CSS bars. It prints well (A4 or Letter), so it can go out as a PDF too.
Everything from the case or the rules is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .. import vocabulary as v
from ..case import Case
from ..conditions import fmt_value
from ..explain import Proof, Trace
from ..plan import Placement
from ..results import Recommendation, Result
from ..vocabulary import CATEGORY_TITLES
from .plantext import BY_WHEN, HORIZON_TITLES, View, also_line, first_action, reasons_line, shown, why_here
from .prooftext import test_line
from .summary import NOT_STATED, cfir_by_domain, counts, rating_text, summary_rows

CSS = """
:root { --ink:#1d2430; --muted:#5b6575; --line:#d9dee6; --bar:#f1f3f6;
        --neg:#c2410c; --neg2:#9a3412; --pos:#15803d; --pos2:#166534; --mixed:#b45309; --accent:#1e3a8a; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; }
.sub { color: var(--muted); margin: 0 0 8px; }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
.summary dt { font-weight: 600; color: var(--muted); }
.summary dd { margin: 0; }
.unstated { color: #98a1b0; font-style: italic; }
.domains { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; }
.domain { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; break-inside: avoid; }
.domain h3 { display: flex; justify-content: space-between; gap: 8px; }
.domain h3 small { font-weight: 400; color: var(--muted); font-size: 12px; }
.crow { display: grid; grid-template-columns: 1fr 150px 40px; align-items: center; gap: 8px; font-size: 13px;
        padding: 2px 0; }
.crow .name.subc { padding-left: 14px; color: var(--muted); }
.track { position: relative; height: 14px; background: var(--bar); border-radius: 3px; }
.track::after { content: ""; position: absolute; left: 50%; top: -2px; bottom: -2px; border-left: 1px solid #8a94a6; }
.bar { position: absolute; top: 0; bottom: 0; }
.bar.neg { right: 50%; background: var(--neg); border-radius: 3px 0 0 3px; }
.bar.pos { left: 50%; background: var(--pos); border-radius: 0 3px 3px 0; }
.bar.mixed { left: 25%; width: 50%; border-radius: 3px;
             background: repeating-linear-gradient(45deg, var(--mixed) 0 4px, #fcd9a8 4px 8px); }
.val { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.val.neg { color: var(--neg2); } .val.pos { color: var(--pos2); } .val.mixed { color: var(--mixed); }
.none { color: var(--muted); font-size: 13px; margin: 4px 0; }
.legend { font-size: 13px; color: var(--muted); margin: 4px 0 12px; }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin: 0 4px 0 12px;
               border-radius: 2px; }
.rec { border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 6px;
       padding: 12px 16px; margin: 0 0 14px; break-inside: avoid; }
.rec.high { border-left-color: #b91c1c; } .rec.medium { border-left-color: #d97706; }
.rec.low { border-left-color: #64748b; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
         padding: 1px 7px; border-radius: 10px; margin-right: 6px; color: #fff; background: #64748b;
         vertical-align: 2px; }
.badge.high { background: #b91c1c; } .badge.medium { background: #b45309; }
.rec ul { margin: 6px 0 8px; padding-left: 22px; }
ol.plan li { margin: 0 0 10px; } ol.plan small { color: var(--muted); }
.why { margin: 6px 0; }
.meta { font-size: 13px; color: var(--muted); margin: 4px 0 0; }
.tag { display: inline-block; background: #eef2ff; color: #3730a3; border-radius: 4px; padding: 0 6px;
       margin: 2px 4px 2px 0; font-size: 12px; }
.sources { font-size: 13px; margin: 6px 0 0; padding-left: 22px; }
.proof { font-size: 13px; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 0 0 12px;
         break-inside: avoid; }
.proof ul { list-style: none; padding-left: 18px; margin: 2px 0; }
.proof > ul { padding-left: 0; }
.ok { color: var(--pos2); font-weight: 700; } .no { color: var(--neg2); font-weight: 700; }
code { font-size: 12.5px; background: #f4f5f7; padding: 0 3px; border-radius: 3px; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .domains { grid-template-columns: 1fr 1fr; }
  .appendix { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 16mm 14mm; }
"""


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def render_html(result: Result, case: Case, view: View | None = None) -> str:
    """The whole report as one HTML document: the plan first, then the detail (the appendix is always there)."""
    view = view or View()
    items = shown(result, view)
    recs = [r for r, _ in items]
    title = f"ISP Advisor report: {case.site or case.case_id}"
    packs = ", ".join(f"{r['name']} {r['version']}" for r in result.engine["rulesets"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Case <code>{_e(case.case_id)}</code> &middot; {len(recs)} recommendation(s) &middot; '
        f"ISP Advisor {_e(result.engine['version'])}, rule packs: {_e(packs)}</p>",
        _summary(case),
        _plan(items) if view.by == "plan" else "",
        _cfir(case),
        _recommendations(items),
        _held_back(result),
        _missing(result),
        _appendix(recs),
        '<footer>Generated by ISP Advisor from the case file and the rule packs named above. Each recommendation '
        "lists the rules that produced it; the appendix shows, for each, the facts of this case it rests on."
        "</footer>",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _summary(case: Case) -> str:
    rows = []
    for label, value in summary_rows(case):
        cls = ' class="unstated"' if value == NOT_STATED else ""
        rows.append(f"<dt>{_e(label)}</dt><dd{cls}>{_e(value)}</dd>")
    return '<section id="site"><h2>Site summary</h2><dl class="summary">' + "".join(rows) + "</dl></section>"


def _bar(rating: int | str) -> tuple[str, str]:
    """(bar markup, value class) for a rating on the -2..+2 track."""
    if not isinstance(rating, int):
        return '<div class="bar mixed"></div>', "mixed"
    if rating == 0:
        return "", ""
    side = "neg" if rating < 0 else "pos"
    return f'<div class="bar {side}" style="width:{abs(rating) * 25}%"></div>', side


def _cfir(case: Case) -> str:
    by_domain = cfir_by_domain(case)
    out = ['<section id="cfir"><h2>CFIR 2.0 ratings</h2>',
           '<p class="legend">Each construct from -2 (strong barrier) to +2 (strong facilitator):'
           '<span style="background:var(--neg)"></span>barrier<span style="background:var(--pos)"></span>'
           'facilitator<span style="background:var(--mixed)"></span>mixed</p>',
           '<div class="domains">']
    for domain, name in v.CFIR_DOMAINS.items():
        items = by_domain[domain]
        neg, zero, pos, mixed = counts(items)
        tally = (f"{neg} barrier(s), {pos} facilitator(s)" + (f", {mixed} mixed" if mixed else "")
                 + (f", {zero} neutral" if zero else "")) if items else "not rated"
        out.append(f'<div class="domain" data-domain="{_e(domain)}"><h3>{_e(name)} <small>{_e(tally)}</small></h3>')
        if not items:
            out.append('<p class="none">No ratings for this domain.</p>')
        for cid, cname, rating in items:
            bar, cls = _bar(rating)
            sub = " subc" if cid in v.CFIR_SUBCONSTRUCTS else ""
            label = f"&#8627; {_e(cname)}" if sub else _e(cname)
            out.append(f'<div class="crow" title="{_e(cid)}"><span class="name{sub}">{label}</span>'
                       f'<div class="track">{bar}</div><span class="val {cls}">{_e(rating_text(rating))}</span></div>')
        out.append("</div>")
    out.append("</div></section>")
    return "\n".join(out)


def _plan(items: list[tuple[Recommendation, Placement]]) -> str:
    """Start here, Next, Later: each item with its first action, why for this site, and by when."""
    out = ['<section id="plan"><h2>The plan</h2>']
    for horizon in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == horizon]
        if not group:
            continue
        out.append(f'<h3 class="horizon" id="plan-{horizon}">{_e(HORIZON_TITLES[horizon])}</h3><ol class="plan">')
        for rec, place in group:
            extra = ""
            if horizon == "now":
                extra = (f'<br><strong>Do:</strong> {_e(first_action(rec))}'
                         f'<br><strong>Why here:</strong> {_e(why_here(rec))}'
                         f'<br><strong>By when:</strong> {_e(BY_WHEN[horizon])}')
                extra += "".join(f"<br><em>{_e(line)}</em>" for line in also_line(place))
            out.append(f'<li value="{place.rank}"><a href="#rec-{_e(rec.rule_id)}">{_e(rec.title)}</a> '
                       f'<span class="badge {_e(rec.priority)}">{_e(rec.priority)}</span>{extra}'
                       f'<br><small>{_e(reasons_line(place))}</small></li>')
        out.append("</ol>")
    out.append("</section>")
    return "\n".join(out)


def _held_back(result: Result) -> str:
    if result.plan is None or not result.plan.held_back:
        return ""
    rows = "".join(f"<li><code>{_e(h.rule_id)}</code>: {_e(h.reason)}</li>" for h in result.plan.held_back)
    return f'<section id="held-back"><h2>Held back</h2><ul>{rows}</ul></section>'


def _recommendations(items: list[tuple[Recommendation, Placement]]) -> str:
    out = ['<section id="recommendations"><h2>Recommendations</h2>']
    if not items:
        out.append("<p>No rule matched this case. Stating more of the site's context (see below) may help.</p>")
    groups: dict[str, list[tuple[Recommendation, Placement]]] = {}
    for r, p in items:
        groups.setdefault(r.category, []).append((r, p))
    for cat in v.CATEGORIES:
        if cat not in groups:
            continue
        out.append(f'<h3 class="category" style="margin-top:18px">{_e(CATEGORY_TITLES[cat])}</h3>')
        out += [_rec(r, p) for r, p in groups[cat]]
    out.append("</section>")
    return "\n".join(out)


def _rec(r: Recommendation, place: Placement | None = None) -> str:
    actions = "".join(f"<li>{_e(a)}</li>" for a in r.actions)
    tags = "".join(f'<span class="tag" title="{_e(k)}">{_e(t)}</span>' for k, ts in r.tags.items() for t in ts)
    sources = "".join(
        f"<li>{_e(s.citation)}" + (f' <a href="{_e(s.url)}">{_e(s.url)}</a>' if s.url else "") + "</li>"
        for s in r.sources)
    rules = ", ".join(f'<a href="#proof-{_e(rid)}">{_e(rid)}</a>' for rid in r.rule_ids)
    also = "".join(f"<li><em>{_e(line)}</em></li>" for line in also_line(place)) if place else ""
    where = f' <small class="horizon">#{place.rank} &middot; {_e(place.horizon)}</small>' if place else ""
    return (f'<article class="rec {_e(r.priority)}" id="rec-{_e(r.rule_id)}">'
            f'<h3><span class="badge {_e(r.priority)}">{_e(r.priority)}</span>{_e(r.title)}{where}</h3>'
            f"<ul>{actions}{also}</ul>"
            + (f'<p class="why"><strong>Why:</strong> {_e(r.rationale)}</p>' if r.rationale else "")
            + (f'<p class="meta">{tags}</p>' if tags else "")
            + (f'<ol class="sources">{sources}</ol>' if sources else "")
            + f'<p class="meta">Rule(s): {rules}</p></article>')


def _missing(result: Result) -> str:
    out = []
    if result.missing_information:
        items = ", ".join(f"<code>{_e(m)}</code>" for m in result.missing_information)
        out.append(f'<section id="missing"><h2>Not stated</h2><p>Stating these would sharpen the advice: '
                   f"{items}.</p></section>")
    if result.warnings:
        out.append('<section id="warnings"><h2>Warnings</h2><ul>'
                   + "".join(f"<li>{_e(w)}</li>" for w in result.warnings) + "</ul></section>")
    return "\n".join(out)


def _appendix(recs: list[Recommendation]) -> str:
    if not recs:
        return ""
    out = ['<section id="appendix" class="appendix"><h2>Appendix: why each recommendation was made</h2>',
           '<p class="sub"><span class="ok">&#10003;</span> held, <span class="no">&#10007;</span> did not hold; '
           "(case: value) is what the case says, (derived: value) what earlier rules concluded.</p>"]
    seen: set[str] = set()
    for r in recs:
        for proof in r.explanation:
            if proof.rule_id in seen:
                continue
            seen.add(proof.rule_id)
            out.append(f'<div class="proof" id="proof-{_e(proof.rule_id)}"><strong>{_e(proof.rule_id)}</strong> '
                       f"({_e(proof.pack)}): {_e(proof.title)}<ul>{_trace(proof.condition)}</ul></div>")
    out.append("</section>")
    return "\n".join(out)


def _mark(held: bool) -> str:
    return '<span class="ok">&#10003;</span>' if held else '<span class="no">&#10007;</span>'


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
