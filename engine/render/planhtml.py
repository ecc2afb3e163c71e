"""The specified plan as one self-contained, printable HTML page (no scripts, no external assets)."""

from __future__ import annotations

from engine.model.case import Case
from engine.model.specdata import MECHANISM_TBD, NO_PRIOR, TO_AGREE, ZONES, PlanSpec, when_text
from engine.render.plansvg import logic_model, scatter, zone_points
from engine.render.specdoc import (
    Ratings,
    case_ratings,
    det_label,
    determinants_of,
    e,
    means_line,
    mechanism_text,
    outcomes_text,
    spec_fields,
    title_line,
    unaddressed,
)

CSS = """
:root { --ink:#1d2430; --muted:#4f5969; --line:#d6dbe3; --accent:#1e3a8a; --barrier:#c2410c; --mixed:#5b21b6; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #fff; overflow-wrap: break-word; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
h2 { font-size: 20px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 4px; }
.sub, .meta { color: var(--muted); margin: 0 0 8px; }
.meta { font-size: 13px; }
code { font-size: 12.5px; background: #f4f5f7; padding: 0 3px; border-radius: 3px; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
.spec { border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 6px;
        padding: 10px 16px; margin: 0 0 12px; break-inside: avoid; }
.spec.now { border-left-color: #b91c1c; } .spec.next { border-left-color: #d97706; }
.spec dl { display: grid; grid-template-columns: 110px minmax(0, 1fr); gap: 2px 12px; margin: 6px 0 0;
           font-size: 14px; }
.spec dt { font-weight: 600; color: var(--muted); } .spec dd { margin: 0; }
.agree { color: #9a3412; font-style: italic; }
table.grid { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 8px 0 14px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f4f5f7; }
figure { margin: 8px 0 16px; break-inside: avoid; } figcaption { font-size: 13px; color: var(--muted); }
svg text { font-kerning: normal; }
.spec dd, table.grid td, code { overflow-wrap: anywhere; }
svg.gozone { display: block; max-width: 560px; height: auto; }
figure.pan { overflow-x: auto; overscroll-behavior-x: contain; }
figure.pan svg { display: block; min-width: 740px; height: auto; }
figure.pan figcaption { position: sticky; left: 0; }
.pan-hint { display: none; }
.key i { display: inline-block; width: 22px; height: 12px; vertical-align: -1px; margin: 0 4px 0 10px;
         border-radius: 3px; }
.key i.barrier { background: #fee2e2; border: 2px solid var(--barrier); }
.key i.mixed { background: #ede9fe; border: 2px dashed var(--mixed); }
@media (max-width: 780px) { .pan-hint { display: inline; } }
@media (max-width: 640px) {
  main { padding: 18px 14px 36px; }
  h1 { font-size: 23px; }
  .spec { padding: 8px 12px; }
  .spec dl { grid-template-columns: minmax(0, 1fr); gap: 0; }
  .spec dd { margin-bottom: 4px; }
  table.grid, table.grid tbody, table.grid tr, table.grid td { display: block; }
  table.grid thead, table.grid thead tr, table.grid thead th { display: block; position: absolute; width: 1px;
                                                               height: 1px; padding: 0; border: 0;
                                                               overflow: hidden; clip-path: inset(50%); }
  table.grid tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 8px; padding: 4px 10px; }
  table.grid td { border: 0; padding: 2px 0 2px 7.6em; position: relative; }
  table.grid td::before { content: attr(data-label); position: absolute; left: 0; width: 7.2em; font-weight: 600;
                          color: var(--muted); overflow-wrap: normal; }
  table.grid td[colspan] { padding-left: 0; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; } main { max-width: none; padding: 0; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  h1 + *, h2 + *, h3 + * { break-before: avoid; page-break-before: avoid; }
  tr, .spec dl > * { break-inside: avoid; page-break-inside: avoid; }
  figure.pan { overflow: visible; } figure.pan svg { min-width: 0; }
  .pan-hint { display: none; }
  .spec { font-size: 10pt; }
}
@page { margin: 14mm 12mm; }
"""


def _v(text: str) -> str:
    """A field's value; 'to agree with the team' and the mechanism placeholder stand out."""
    out = e(text)
    for phrase in (MECHANISM_TBD, "to be hypothesised by the team", TO_AGREE):
        if phrase in text:
            return out.replace(e(phrase), f'<span class="agree">{e(phrase)}</span>')
    return out


def _head(*names: str) -> str:
    """A table's opening and its header row (on a phone the header is hidden and each cell names its column)."""
    return '<table class="grid"><thead><tr>' + "".join(f"<th>{e(n)}</th>" for n in names) + "</tr></thead><tbody>"


def _row(*cells: tuple[str, str]) -> str:
    """A row of (column name, cell HTML): the name goes to data-label, shown before the cell on a phone."""
    return "<tr>" + "".join(f'<td data-label="{e(label)}">{html}</td>' for label, html in cells) + "</tr>"


def render_html(spec: PlanSpec, case: Case) -> str:
    ratings = case_ratings(case)
    title = f"ISP Advisor plan: {case.site or case.case_id}"
    numbers = {i.spec.rule_id: n for n, i in enumerate(spec.items, 1)}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<p class="sub">{e(title_line(spec, case))} &middot; ISP Advisor {e(spec.engine["version"])}</p>',
    ]
    parts += _go_zones(spec)
    parts += _logic_section(spec, numbers)
    parts += _spec_section(spec, ratings)
    parts += _measures_section(spec)
    parts += [
        "</tbody></table>",
        "<footer>Generated by ISP Advisor from the case file and the rule packs. Specification fields, "
        "mechanisms and measures come from the rules and their cited sources; nothing is estimated.</footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _go_zones(spec: PlanSpec) -> list[str]:
    """The go-zones: the scatter of importance against feasibility, and its table."""
    parts = [
        "<h2>Go-zones: importance &times; feasibility</h2>",
        f"<p>{e(means_line(spec))} Priors are the mean expert ratings of Waltz et al. (2015, Table 1); the "
        "team's own ratings in the case file (<code>ratings:</code>) override them. Numbers are the "
        "strategies below.</p>",
        f"<figure>{scatter(zone_points(list(spec.items)), spec.means)}"
        "<figcaption>Quadrant I (shaded) is the go-zone: above this plan's mean on both ratings."
        "</figcaption></figure>",
        _head("#", "strategy", "importance", "feasibility", "quadrant", "source"),
    ]
    for n, i in enumerate(spec.items, 1):
        imp = "&mdash;" if i.rating.importance is None else f"{i.rating.importance:g}"
        fea = "&mdash;" if i.rating.feasibility is None else f"{i.rating.feasibility:g}"
        parts.append(
            _row(
                ("#", str(n)),
                ("strategy", e(i.spec.title)),
                ("importance", imp),
                ("feasibility", fea),
                ("quadrant", e(i.zone)),
                ("source", e(i.rating.source)),
            )
        )
    parts.append("</tbody></table>")
    parts.append("<p>" + "; ".join(f"<b>{e(z)}</b> {e(t)}" for z, t in ZONES.items() if z != NO_PRIOR) + ".</p>")
    return parts


def _logic_section(spec: PlanSpec, numbers: dict[str, int]) -> list[str]:
    """The logic model: its picture, the same links as a table, and the barriers no strategy addresses."""
    parts: list[str] = []
    parts += [
        "<h2>Logic model</h2>",
        "<p>Implementation Research Logic Model (Smith, Li &amp; Rafferty 2020): each arrow from a barrier is "
        "one the strategy's proof matched; mechanisms appear only where a rule or its source states one.</p>",
        '<figure class="pan" tabindex="0" role="region" aria-label="Logic model (scrolls sideways on a narrow '
        f'screen)">{logic_model(spec.logic_model, numbers)}'
        '<figcaption><span class="key">Determinants:<i class="barrier"></i>barrier (solid outline)'
        '<i class="mixed"></i>mixed (dashed outline).</span> <span class="pan-hint">Scroll the picture '
        "sideways to see all four columns; the table below lists the same links.</span></figcaption></figure>",
        _head("determinants", "strategy", "mechanism", "implementation outcomes"),
    ]
    for i in spec.items:
        dets = "; ".join(det_label(d) for d in determinants_of(spec.logic_model, i.spec.rule_id)) or "&mdash;"
        parts.append(
            _row(
                ("determinants", e(dets) if dets != "&mdash;" else dets),
                ("strategy", f"{numbers[i.spec.rule_id]}. {e(i.spec.title)}"),
                ("mechanism", _v(mechanism_text(i.spec))),
                ("outcomes", _v(outcomes_text(i))),
            )
        )
    parts.append("</tbody></table>")
    lone = unaddressed(spec.logic_model)
    if lone:
        parts.append(
            "<p>Barriers no strategy of this plan addresses: " + e("; ".join(det_label(d) for d in lone)) + ".</p>"
        )
    return parts


def _spec_section(spec: PlanSpec, ratings: Ratings) -> list[str]:
    """Each strategy specified: who does what, to whom, when, how often, and why it works."""
    parts: list[str] = []
    parts += [
        "<h2>Strategy specification</h2>",
        "<p>After Proctor, Powell &amp; McMillen (2013). Wherever the knowledge base is silent the plan says "
        f'<span class="agree">{e(TO_AGREE)}</span>.</p>',
    ]
    for n, i in enumerate(spec.items, 1):
        s = i.spec
        rows = "".join(f"<dt>{e(label)}</dt><dd>{_v(text)}</dd>" for label, text in spec_fields(i, ratings))
        more = "".join(f"<li>{e(a)}</li>" for a in s.actions[1:])
        parts.append(
            f'<section class="spec {e(s.horizon)}"><h3>{n}. {e(s.title)}</h3>'
            f'<p class="meta"><code>{e(s.rule_id)}</code> &middot; {e(s.horizon)} &middot; rank {s.rank}'
            f"</p><dl>{rows}</dl>"
            + (f'<p class="meta">Further actions:</p><ul>{more}</ul>' if more else "")
            + "</section>"
        )
    return parts


def _measures_section(spec: PlanSpec) -> list[str]:
    """The outcome measures: what to measure, when and from which source."""
    parts: list[str] = []
    parts += ["<h2>Outcome measures</h2>", _head("outcome", "when (stage)", "measure", "source")]
    for m in spec.measures:
        parts.append(
            _row(
                ("outcome", e(m.outcome)),
                ("when", e(when_text(m.when, spec.stage))),
                ("measure", e(m.measure)),
                ("source", e(m.source.citation) if m.source else "&mdash;"),
            )
        )
    if not spec.measures:
        parts.append(f'<tr><td colspan="4" class="agree">no implementation outcome is tagged: {e(TO_AGREE)}</td></tr>')
    return parts
