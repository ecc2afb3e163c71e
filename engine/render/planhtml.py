"""The specified plan as one self-contained, printable HTML page (no scripts, no external assets)."""

from __future__ import annotations

from engine.model.case import Case
from engine.model.specdata import MECHANISM_TBD, NO_PRIOR, TO_AGREE, ZONES, PlanSpec, when_text
from engine.render.plansvg import logic_model, scatter, zone_points
from engine.render.specdoc import (
    case_ratings,
    det_label,
    determinants_of,
    e,
    means_line,
    outcomes_text,
    spec_fields,
    title_line,
    unaddressed,
)

CSS = """
:root { --ink:#1d2430; --muted:#4f5969; --line:#d6dbe3; --accent:#1e3a8a; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #fff; }
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
.spec dl { display: grid; grid-template-columns: 110px 1fr; gap: 2px 12px; margin: 6px 0 0; font-size: 14px; }
.spec dt { font-weight: 600; color: var(--muted); } .spec dd { margin: 0; }
.agree { color: #9a3412; font-style: italic; }
table.grid { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 8px 0 14px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f4f5f7; }
figure { margin: 8px 0 16px; break-inside: avoid; } figcaption { font-size: 13px; color: var(--muted); }
svg text { font-kerning: normal; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; } main { max-width: none; padding: 0; } h2 { break-after: avoid; }
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


def render_html(spec: PlanSpec, case: Case) -> str:
    ratings = case_ratings(case)
    title = f"ISP Advisor plan: {case.site or case.case_id}"
    numbers = {i.spec.rule_id: n for n, i in enumerate(spec.items, 1)}
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{e(title)}</title>",
             f"<style>{CSS}</style></head><body><main>", f"<h1>{e(title)}</h1>",
             f'<p class="sub">{e(title_line(spec, case))} &middot; ISP Advisor {e(spec.engine["version"])}</p>',
             "<h2>Go-zones: importance &times; feasibility</h2>",
             f"<p>{e(means_line(spec))} Priors are the mean expert ratings of Waltz et al. (2015, Table 1); the "
             "team's own ratings in the case file (<code>ratings:</code>) override them. Numbers are the "
             "strategies below.</p>",
             f'<figure>{scatter(zone_points(list(spec.items)), spec.means)}'
             "<figcaption>Quadrant I (shaded) is the go-zone: above this plan's mean on both ratings."
             "</figcaption></figure>",
             '<table class="grid"><thead><tr><th>#</th><th>strategy</th><th>importance</th><th>feasibility</th>'
             "<th>quadrant</th><th>source</th></tr></thead><tbody>"]
    for n, i in enumerate(spec.items, 1):
        imp = "&mdash;" if i.rating.importance is None else f"{i.rating.importance:g}"
        fea = "&mdash;" if i.rating.feasibility is None else f"{i.rating.feasibility:g}"
        parts.append(f"<tr><td>{n}</td><td>{e(i.spec.title)}</td><td>{imp}</td><td>{fea}</td>"
                     f"<td>{e(i.zone)}</td><td>{e(i.rating.source)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append("<p>" + "; ".join(f"<b>{e(z)}</b> {e(t)}" for z, t in ZONES.items() if z != NO_PRIOR) + ".</p>")
    parts += ["<h2>Logic model</h2>",
              "<p>Implementation Research Logic Model (Smith, Li &amp; Rafferty 2020): each arrow from a barrier is "
              "one the strategy's proof matched; mechanisms appear only where a rule or its source states one.</p>",
              f"<figure>{logic_model(spec.logic_model, numbers)}</figure>",
              '<table class="grid"><thead><tr><th>determinants</th><th>strategy</th><th>mechanism</th>'
              "<th>implementation outcomes</th></tr></thead><tbody>"]
    for i in spec.items:
        dets = "; ".join(det_label(d) for d in determinants_of(spec.logic_model, i.spec.rule_id)) or "&mdash;"
        parts.append(f"<tr><td>{e(dets) if dets != '&mdash;' else dets}</td><td>{numbers[i.spec.rule_id]}. "
                     f"{e(i.spec.title)}</td><td>{_v(i.spec.mechanism)}</td><td>{_v(outcomes_text(i))}</td></tr>")
    parts.append("</tbody></table>")
    lone = unaddressed(spec.logic_model)
    if lone:
        parts.append("<p>Barriers no strategy of this plan addresses: " + e("; ".join(det_label(d) for d in lone))
                     + ".</p>")
    parts += ["<h2>Strategy specification</h2>",
              "<p>After Proctor, Powell &amp; McMillen (2013). Wherever the knowledge base is silent the plan says "
              f'<span class="agree">{e(TO_AGREE)}</span>.</p>']
    for n, i in enumerate(spec.items, 1):
        s = i.spec
        rows = "".join(f"<dt>{e(label)}</dt><dd>{_v(text)}</dd>" for label, text in spec_fields(i, ratings))
        more = "".join(f"<li>{e(a)}</li>" for a in s.actions[1:])
        parts.append(f'<section class="spec {e(s.horizon)}"><h3>{n}. {e(s.title)}</h3>'
                     f'<p class="meta"><code>{e(s.rule_id)}</code> &middot; {e(s.horizon)} &middot; rank {s.rank}'
                     f"</p><dl>{rows}</dl>" + (f"<p class=\"meta\">Further actions:</p><ul>{more}</ul>" if more
                                                  else "") + "</section>")
    parts += ["<h2>Outcome measures</h2>", '<table class="grid"><thead><tr><th>outcome</th><th>when (stage)</th>'
              "<th>measure</th><th>source</th></tr></thead><tbody>"]
    for m in spec.measures:
        parts.append(f"<tr><td>{e(m.outcome)}</td><td>{e(when_text(m.when, spec.stage))}</td><td>{e(m.measure)}</td>"
                     f"<td>{e(m.source.citation) if m.source else '&mdash;'}</td></tr>")
    if not spec.measures:
        parts.append(f'<tr><td colspan="4" class="agree">no implementation outcome is tagged: {e(TO_AGREE)}</td></tr>')
    parts += ["</tbody></table>",
              "<footer>Generated by ISP Advisor from the case file and the rule packs. Specification fields, "
              "mechanisms and measures come from the rules and their cited sources; nothing is estimated.</footer>",
              "</main></body></html>"]
    return "\n".join(parts) + "\n"
