"""Printers of `isp-advisor compare`: table, markdown, json and a self-contained HTML page whose
small multiples (inline SVG) show each CFIR rating over the assessments.

Every format shows the stage and the relationships (trust, power, engagement, conflict, critical
incidents) first, then the progress on the team's decisions (only when a decisions file was read),
then the other changes, then what became of each recommendation: relationship work to keep going,
retired (with what changed), folded, held back, new, back on its own, moved.

They read the comparison's typed data only (engine/model/comparereport.py: ComparisonReport, from
engine.assessments.compare.Comparison.report()).
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Sequence
from typing import TypeVar

from engine.model.changes import FactChange
from engine.model.comparereport import (
    AcceptedFate,
    BasisChange,
    ComparisonReport,
    DecisionEntry,
    DecisionProgress,
    ItemRow,
    RecommendationChanges,
    RelationshipChange,
    RetiredRow,
    StageChange,
    StepReport,
)
from engine.model.conditions import fmt_value
from engine.model.facts import Scalar
from engine.model.sitefacts import long_date
from engine.model.vocabulary import ENGAGEMENT_LEVELS, LEVELS
from engine.render.formats import COMPARE_FORMATS  # noqa: E402 - declared once
from engine.render.jsonout import dumps

_I = TypeVar("_I", bound=ItemRow)

_ARROWS = {"improved": "+", "worsened": "-", "unchanged": "=", "new": "*", "gone": "x"}


def render_compare(report: ComparisonReport, fmt: str = "table", width: int = 100) -> str:
    if fmt == "json":
        return dumps(report.to_dict())
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "html":
        return _html(report)
    return _table(report, max(width, 40))


def name(path: str, labels: dict[str, str] | None = None) -> str:
    """A fact path in words: CFIR constructs by their CFIR 2.0 name, other facts by their label."""
    if path.startswith("cfir."):
        from engine.render.perspectiveview import fact_name

        return fact_name(path)
    return (labels or {}).get(path) or path


def _v(value: object) -> str:
    return "not stated" if value is None else fmt_value(value)


# ---------------------------------------------------------------- shared words

_STAGE_WAYS = {
    "forward": "moved on",
    "back": "went back",
    "unchanged": "unchanged",
    "new": "stated for the first time",
    "gone": "no longer stated",
    "unstated": "not stated in either assessment",
}


def _words(value: object) -> str:
    return _v(value).replace("_", " ")


def stage_line(stage: StageChange) -> str:
    """The stage change in words (never left out: 'not stated in either assessment' when neither says)."""
    way = stage.direction
    if way == "unstated":
        return "Stage: not stated in either assessment"
    if way == "unchanged":
        return f"Stage: {_words(stage.new)} (unchanged)"
    return f"Stage: {_words(stage.old)} -> {_words(stage.new)} ({_STAGE_WAYS.get(way, way)})"


def _rel_value(r: RelationshipChange, value: Scalar) -> str:
    if r.path.startswith("problem."):
        return "stated" if value else "not stated"
    if r.path.startswith("events."):
        return f"{value} recorded"
    return _words(value)


def _rel_text(r: RelationshipChange, arrow: str = "->") -> str:
    note = f" ({r.note})" if r.note else ""
    return f"{r.label} ({r.path}): {_rel_value(r, r.old)} {arrow} {_rel_value(r, r.new)}{note}"


def _others(relationships: Sequence[RelationshipChange], changes: Sequence[FactChange]) -> list[FactChange]:
    """The changes not shown among the relationships (CFIR ratings, capacity, engagement wanted)."""
    shown = {r.path for r in relationships}
    return [c for c in changes if c.path not in shown]


def _summary(recs: RecommendationChanges) -> str:
    carried = len(recs.kept) + len(recs.moved)
    parts = [
        f"{carried} carried on ({len(recs.moved)} moved between horizons)",
        f"{len(recs.retired)} retired",
        f"{len(recs.new)} new",
    ]
    extra: tuple[tuple[Sequence[ItemRow], str], ...] = (
        (recs.continued, "to keep going while relationships worsen"),
        (recs.folded, "folded into other items"),
        (recs.held_back, "held back"),
        (recs.unfolded, "back on their own"),
    )
    parts += [f"{len(rows)} {words}" for rows, words in extra if rows]
    return ", ".join(parts)


def _changed(b: BasisChange, arrow: str = "->") -> str:
    """One fact a retired item rested on, as it changed: "Available Resources -2 -> +1"."""
    path, a, z = b.path, b.old, b.new
    if path.startswith("problem."):
        return f"{path[len('problem.') :].replace('_', ' ')} {'now' if z else 'no longer'} stated as a problem"
    if isinstance(a, bool) or isinstance(z, bool):
        return f"{b.label.lower()}: {'now' if z else 'no longer'} the case"
    return f"{b.label} {_words(a)} {arrow} {_words(z)}"


def _because(r: RetiredRow, limit: int = 2, arrow: str = "->") -> str:
    said = [_changed(b, arrow) for b in r.because[:limit]]
    more = len(r.because) - limit
    return "; ".join(said) + (f"; +{more} more" if more > 0 else "")


def _keep_going_head(recs: RecommendationChanges) -> str:
    reason = recs.continued[0].reason
    return (
        f"Keep going: {reason}, so keep doing this relationship work although the plan no longer lists it "
        "(do not stop it):"
    )


# ---------------------------------------------------------------- the team's decisions

PROGRESS_HEAD = "Progress on the team's decisions"


def progress_head(p: DecisionProgress) -> str:
    """ "Progress on the team's decisions (made at 2026-02-10; as of 2026-06-09)"."""
    made = ", ".join(p.decisions_of)
    return f"{PROGRESS_HEAD} (decided at {made}" + (f"; as of {p.as_of})" if p.as_of else ")")


def progress_summary(p: DecisionProgress) -> str:
    """ "3 done, 2 under way, 1 not started, 1 overdue (due 1 April 2026), 1 set aside"."""
    n = p.counts
    parts = [
        f"{count} {words}"
        for count, words in ((n.done, "done"), (n.under_way, "under way"), (n.not_started, "not started"))
        if count
    ]
    if n.overdue:
        dues = sorted({e.due for e in p.overdue if e.due})
        parts.append(f"{n.overdue} overdue (due {', '.join(long_date(d) for d in dues)})")
    if n.set_aside:
        parts.append(f"{n.set_aside} set aside")
    return ", ".join(parts) or "no item accepted or set aside yet"


def _who(e: DecisionEntry, overdue: set[str]) -> str:
    bits = [f"owner {e.owner}"] if e.owner else []
    if e.due:
        bits.append(f"due {long_date(e.due)}" + (", overdue" if e.key in overdue else ""))
    return f" ({', '.join(bits)})" if bits else ""


def _fate_text(f: AcceptedFate) -> tuple[str, str]:
    """(the heading of the fate, one accepted item's part of it)."""
    t, fate = f.title, f.fate
    if fate == "still_recommended":
        carried = f"; decision carried forward from {f.carried_from}" if f.carried_from else ""
        return "Accepted and still recommended", f"{t} ({f.horizon}{carried})"
    if fate == "folded":
        return "Accepted and folded into another item", f"{t}, now done within {f.into_title} ({f.into_horizon})"
    if fate == "held_back":
        return "Accepted and held back", f"{t}: {f.reason}"
    if fate == "continued":
        return "Accepted, keep going", f"{t}: {f.reason}, so keep doing it although the plan no longer lists it"
    if fate == "set_aside":
        return "Accepted, then set aside", f"{t}: {f.reason}"
    why = f"because {f.why}" if f.why else "though nothing it rested on changed (the rules may have)"
    return "Accepted and no longer recommended", f"{t} — {why}"


def progress_lines(p: DecisionProgress) -> list[str]:
    """The team's decisions in plain sentences, one per line: the counts, each status, the set-aside items
    with their reasons, then what became of each accepted item (the items no longer recommended one a line)."""
    overdue = {e.key for e in p.overdue}
    out = [_cap(progress_summary(p)) + "."]
    for entries, words in ((p.done, "Done"), (p.under_way, "Under way"), (p.not_started, "Not started")):
        if entries:
            out.append(f"{words}: " + "; ".join(e.title + _who(e, overdue) for e in entries) + ".")
    for e in p.set_aside:
        again = f" (still recommended: {e.horizon})" if e.horizon else ""
        out.append(f"Set aside: {e.title} — {e.reason}{again}.")
    for fate in ("still_recommended", "folded", "held_back", "continued", "set_aside"):
        texts = [_fate_text(f) for f in p.accepted_fate if f.fate == fate]
        if texts:
            out.append(f"{texts[0][0]}: " + "; ".join(text for _, text in texts) + ".")
    out += [
        f"{head}: {text}."
        for head, text in map(_fate_text, p.accepted_fate)
        if head == "Accepted and no longer recommended"
    ]
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- table


def _table(d: ComparisonReport, width: int) -> str:
    first, last = d.assessments[0], d.assessments[-1]
    out = [f"Assessments of {d.case_id}: " + " -> ".join(d.assessments), ""]
    out += _wrapped(stage_line(d.stage), width)
    out += _table_relationships(d.relationships, first, last, width)
    if d.progress:
        out += _table_progress(d.progress, width)
    out += _table_other_changes(d, first, last, width)
    out += _table_recommendations(d.recommendations, width)
    if len(d.steps) > 1:
        out += _table_steps(d.steps, width)
    out += _table_debrief(d.debrief, width)
    return "\n".join(out) + "\n"


def _indented(line: str, width: int) -> list[str]:
    """One line of a list, wrapped with its continuation under the text after the arrow and direction."""
    return textwrap.wrap(line, width, subsequent_indent="      ", break_long_words=False) or [line]


def _table_relationships(rels: Sequence[RelationshipChange], first: str, last: str, width: int) -> list[str]:
    """The relationships' section: each change a line, then the unchanged ones together."""
    out = [""] + textwrap.wrap(
        f"Relationships (trust, power, engagement, conflict, critical incidents), {first} to {last}:",
        width,
        break_long_words=False,
    )
    if not rels:
        out.append("  none stated")
    for r in rels:
        if r.direction != "unchanged":
            out += _indented(f"  {_ARROWS.get(r.direction, ' ')} {r.direction:<9} {_rel_text(r)}", width)
    same = [r for r in rels if r.direction == "unchanged"]
    if same:
        out += _indented("  = unchanged " + "; ".join(f"{r.label}: {_rel_value(r, r.new)}" for r in same), width)
    return out


def _table_progress(p: DecisionProgress, width: int) -> list[str]:
    """The progress on the team's decisions (when a decisions file was read)."""
    out = [""] + _wrapped(progress_head(p) + ":", width)
    for line in progress_lines(p):
        out += textwrap.wrap(
            line,
            width,
            initial_indent="  ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        ) or [line]
    return out


def _table_other_changes(d: ComparisonReport, first: str, last: str, width: int) -> list[str]:
    """The changes not shown among the relationships: the count, then each one that changed."""
    others = _others(d.relationships, d.changes)
    moved = [c for c in others if c.direction != "unchanged"]
    out = [""] + textwrap.wrap(
        f"Other changes, {first} to {last} ({len(moved)} changed, {len(others) - len(moved)} unchanged):",
        width,
        break_long_words=False,
    )
    if not moved:
        out.append("  nothing else rated changed")
    for c in moved:
        label = name(c.path, d.labels)
        out += _indented(
            f"  {_ARROWS[c.direction]} {c.direction:<9} {label} ({c.path}): {_v(c.old)} -> {_v(c.new)}",
            width,
        )
    return out


def _table_recommendations(recs: RecommendationChanges, width: int) -> list[str]:
    """What became of each recommendation: the summary, then each list in the order of the module's docstring."""
    out = [""] + _wrapped(f"Recommendations: {_summary(recs)}", width)
    if recs.continued:
        out += _wrapped("  " + _keep_going_head(recs), width)
        for c in recs.continued:
            out += _wrapped(f"  = keep going {c.rule_id}: {c.title} (was {c.horizon})", width)
    for r in recs.retired:
        why = _because(r)
        out += _wrapped(
            f"  - retired  {r.rule_id}: {r.title} (was {r.horizon}" + (f"; changed: {why})" if why else ")"),
            width,
        )
    for f in recs.folded:
        out += _wrapped(
            f"  > folded   {f.rule_id}: {f.title} (was {f.horizon}), now done within "
            f"{f.into_rule_id}: {f.into_title} ({f.into_horizon})",
            width,
        )
    for h in recs.held_back:
        out += _wrapped(f"  | held back {h.rule_id}: {h.title} (was {h.horizon}): {h.reason}", width)
    for n in recs.new:
        out += _wrapped(f"  + new      {n.rule_id}: {n.title} ({n.horizon})", width)
    for u in recs.unfolded:
        out += _wrapped(f"  < own item {u.rule_id}: {u.title} ({u.horizon}), was done within {u.was_in_rule_id}", width)
    for m in recs.moved:
        out += _wrapped(f"  ~ moved    {m.rule_id}: {m.title} ({m.old} -> {m.new})", width)
    return out


def _table_steps(steps: Sequence[StepReport], width: int) -> list[str]:
    """Each step between two assessments in a line (when there are several)."""
    out = ["", "Step by step:"]
    for s in steps:
        out += _wrapped(f"  {s.old} -> {s.new}: {_step_text(s)}", width)
    return out


def _table_debrief(questions: Sequence[str], width: int) -> list[str]:
    """The questions to ask in the debrief."""
    out = ["", "Ask in the debrief:"]
    for q in questions:
        out += textwrap.wrap(q, width, initial_indent="  - ", subsequent_indent="    ", break_long_words=False)
    return out


def _step_text(s: StepReport) -> str:
    """One step in a line: the stage and relationships first, then the count of other changes and items."""
    parts = [stage_line(s.stage)[len("Stage: ") :].join(("stage ", ""))]
    parts += [
        f"{r.label.lower()} {_rel_value(r, r.old)} -> {_rel_value(r, r.new)}"
        for r in s.relationships
        if r.direction != "unchanged"
    ]
    n = len([c for c in _others(s.relationships, s.changes) if c.direction != "unchanged"])
    recs = s.recommendations
    parts.append(f"{n} other facts changed")
    parts.append(
        f"{len(recs.retired)} recommendations retired, {len(recs.new)} new, {len(recs.moved)} moved"
        + (f", {len(recs.continued)} kept going" if recs.continued else "")
        + (f", {len(recs.folded)} folded" if recs.folded else "")
    )
    if s.progress:
        parts.append("team's decisions: " + progress_summary(s.progress))
    return "; ".join(parts)


def _wrapped(line: str, width: int) -> list[str]:
    return textwrap.wrap(line, width, subsequent_indent="             ", break_long_words=False) or [line]


# ---------------------------------------------------------------- markdown


def _md(text: object) -> str:
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


_MD_HEAD = ["| fact | path | from | to | direction |", "|---|---|---|---|---|"]


def _md_row(label: str, path: str, a: str, b: str, direction: str, note: str = "") -> str:
    """One row of a changes table (a relationship's `note` after its later value)."""
    note = f" ({_md(note)})" if note else ""
    return f"| {_md(label)} | `{path}` | {_md(a)} | {_md(b)}{note} | {direction} |"


def _md_relationships(rels: Sequence[RelationshipChange]) -> list[str]:
    return _MD_HEAD + [
        _md_row(r.label, r.path, _rel_value(r, r.old), _rel_value(r, r.new), r.direction, r.note or "") for r in rels
    ]


def _md_changes(changes: Sequence[FactChange], labels: dict[str, str]) -> list[str]:
    return _MD_HEAD + [_md_row(name(c.path, labels), c.path, _v(c.old), _v(c.new), c.direction) for c in changes]


def _md_items(rows: Sequence[_I], rest: Callable[[_I], str]) -> str:
    """Items in a line, each "title (`rule id`" and its `rest`; "none" when there is none."""
    return "; ".join(f"{_md(r.title)} (`{r.rule_id}`{rest(r)}" for r in rows) or "none"


def _md_retired(r: RetiredRow) -> str:
    why = _because(r, arrow="→")
    return f", {r.horizon}" + (f"; changed: {_md(why)})" if why else ")")


def _markdown(d: ComparisonReport) -> str:
    out = [
        f"# Assessments of {_md(d.case_id)}",
        "",
        "Assessments: " + " → ".join(_md(a) for a in d.assessments),
        "",
        "## Stage and relationships",
        "",
        f"**{_md(stage_line(d.stage).replace(' -> ', ' → '))}**",
        "",
    ]
    rels = d.relationships
    out += _md_relationships(rels) if rels else ["No trust, power, engagement, conflict or critical incidents stated."]
    if d.progress:
        out += ["", f"## {_md(progress_head(d.progress))}", ""] + [
            f"- {_md(line)}" for line in progress_lines(d.progress)
        ]
    out += ["", "## Other changes", ""]
    others = _others(d.relationships, d.changes)
    moved = [c for c in others if c.direction != "unchanged"]
    out += _md_changes(moved, d.labels) if moved else ["Nothing else rated changed."]
    recs = d.recommendations
    out += [
        "",
        f"{len(others) - len(moved)} other facts unchanged.",
        "",
        "## Recommendations",
        "",
        _md(_summary(recs)) + ".",
        "",
    ]
    if recs.continued:
        out += [f"**{_md(_keep_going_head(recs))}** " + _md_items(recs.continued, lambda r: f", was {r.horizon})"), ""]
    out += ["**Retired:** " + _md_items(recs.retired, _md_retired), ""]
    if recs.folded:
        folded = _md_items(
            recs.folded, lambda r: f"), now done within {_md(r.into_title)} (`{r.into_rule_id}`, {r.into_horizon})"
        )
        out += [f"**Folded into other items:** {folded}", ""]
    if recs.held_back:
        out += ["**Held back:** " + _md_items(recs.held_back, lambda r: f"): {_md(r.reason)}"), ""]
    out += ["**New:** " + _md_items(recs.new, lambda r: f", {r.horizon})"), ""]
    if recs.unfolded:
        unfolded = _md_items(recs.unfolded, lambda r: f", {r.horizon}), was done within `{r.was_in_rule_id}`")
        out += [f"**Back on their own:** {unfolded}", ""]
    out += ["**Moved between horizons:** " + _md_items(recs.moved, lambda r: f", {r.old} → {r.new})"), ""]
    out += ["## Ask in the debrief", ""] + [f"- {_md(q)}" for q in d.debrief]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- html

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; margin: 24px auto;
       max-width: 980px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; }
.sub { color: #5a6270; margin-top: 0; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 240px), 1fr)); gap: 10px; }
figure svg { display: block; width: 100%; max-width: 300px; height: auto; }
body { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
figure { margin: 0; border: 1px solid #d9dde4; border-radius: 6px; padding: 6px 8px; background: #fbfcfd; }
figcaption { font-size: 12px; font-weight: 600; min-height: 30px; }
figure.improved { border-color: #3b8f5a; } figure.worsened { border-color: #c0392b; }
.dir { font-weight: 400; color: #5a6270; }
table { border-collapse: collapse; width: 100%; font-size: 14px; table-layout: fixed; }
th, td { border-bottom: 1px solid #e3e6eb; padding: 4px 6px; text-align: left; vertical-align: top; }
.improved-t { color: #2e7d4f; } .worsened-t { color: #b03a2e; }
.stage { font-weight: 600; } .keep { border-left: 4px solid #2e7d4f; padding-left: 8px; }
.key i { display: inline-block; width: 14px; height: 10px; margin: 0 3px 0 6px; vertical-align: -1px; }
.key i.barrier { background: #fbeaea; border: 1px solid #c0392b; }
.key b.mixed { color: #5b21b6; }
@media (max-width: 640px) {
  body { margin: 16px auto; padding: 0 14px; }
  h1 { font-size: 22px; }
  table, tbody, tr, td { display: block; }
  table tr:first-child { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table tr:first-child th { display: block; width: 1px; height: 1px; padding: 0; border: 0; overflow: hidden; }
  tr { border: 1px solid #d9dde4; border-radius: 6px; margin: 0 0 8px; padding: 4px 10px; }
  td { border: 0; padding: 2px 0 2px 6.5em; position: relative; }
  td::before { content: attr(data-label); position: absolute; left: 0; width: 6em; font-weight: 600;
               color: #5a6270; }
}
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  figure, tr, li { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  h1 + *, h2 + *, h3 + * { break-before: avoid; page-break-before: avoid; }
}
"""

_W, _H = 220, 112
_LEFT, _RIGHT, _TOP, _BOTTOM = 4, 216, 18, 80  # the plot's box; the scale's ends are written above and below it
_FONT = 10  # the smallest text: 10 px or more, as a panel is drawn 220 px wide or more (a 240 px grid column)


def _y(value: float, lo: float, hi: float) -> float:
    return _BOTTOM - (value - lo) / (hi - lo) * (_BOTTOM - _TOP)


def _x(i: int, n: int) -> float:
    return 34 + (i * (_W - 68) / (n - 1) if n > 1 else (_W - 68) / 2)


def _shown(labels: Sequence[str]) -> list[bool]:
    """Which assessments get their date under the panel: all when they fit side by side, else the first and last."""
    n = len(labels)
    if n < 3 or (_W - 68) / (n - 1) >= 0.6 * _FONT * max(len(lab[:10]) for lab in labels) + 6:
        return [True] * n
    return [i in (0, n - 1) for i in range(n)]


def _scale(path: str) -> tuple[Sequence[int | str], float, float]:
    if path.startswith("cfir."):
        return [-2, -1, 0, 1, 2], -2, 2
    values = list(ENGAGEMENT_LEVELS) if path.startswith("engagement.") else list(LEVELS)
    return values, 0, len(values) - 1


def _pos(path: str, value: Scalar) -> float | None:
    if value is None or value == "mixed":
        return None
    if path.startswith("cfir."):
        return float(value)
    values, _, _ = _scale(path)
    return float(values.index(value)) if value in values else None


def svg_panel(path: str, values: Sequence[Scalar], labels: Sequence[str]) -> str:
    """One small multiple: the fact's value at each assessment on its own scale."""
    ticks, lo, hi = _scale(path)
    n = len(values)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        f'role="img" aria-label="{html.escape(name(path))}: '
        + html.escape(", ".join(f"{lab} {_v(v)}" for lab, v in zip(labels, values, strict=True)))
        + '">'
    ]
    if path.startswith("cfir."):
        y0 = _y(0, lo, hi)
        parts.append(f'<rect x="{_LEFT}" y="{_TOP}" width="{_RIGHT - _LEFT}" height="{y0 - _TOP:.1f}" fill="#e8f4ec"/>')
        parts.append(
            f'<rect class="barrier" x="{_LEFT}" y="{y0:.1f}" width="{_RIGHT - _LEFT}" '
            f'height="{_BOTTOM - y0:.1f}" fill="#fbeaea"/>'
        )
        parts.append(
            f'<line x1="{_LEFT}" x2="{_RIGHT}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="#9aa1ab" stroke-width="1"/>'
        )
    else:
        parts.append(
            f'<rect x="{_LEFT}" y="{_TOP}" width="{_RIGHT - _LEFT}" height="{_BOTTOM - _TOP}" fill="#f1f3f6"/>'
        )
    parts.append(
        f'<text x="{_LEFT}" y="{_TOP - 5}" font-size="{_FONT}" fill="#5a6270">{html.escape(_v(ticks[-1]))}'
        f'</text><text x="{_LEFT}" y="{_BOTTOM + 13}" font-size="{_FONT}" fill="#5a6270">'
        f"{html.escape(_v(ticks[0]))}</text>"
    )
    pts = [(_x(i, n), _y(p, lo, hi)) for i, v in enumerate(values) if (p := _pos(path, v)) is not None]
    if len(pts) > 1:
        parts.append(
            '<polyline fill="none" stroke="#34495e" stroke-width="1.6" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            + '"/>'
        )
    for i, (v, shown) in enumerate(zip(values, _shown(labels), strict=True)):
        x = _x(i, n)
        if shown:
            parts.append(
                f'<text x="{x:.1f}" y="{_H - 3}" font-size="{_FONT}" text-anchor="middle" fill="#5a6270">'
                f"{html.escape(labels[i][:10])}</text>"
            )
        p = _pos(path, v)
        if p is None:
            mark, fill = ("m", "#5b21b6") if v == "mixed" else ("?", "#5a6270")  # mixed: violet, as the report
            parts.append(
                f'<text x="{x:.1f}" y="{_y((lo + hi) / 2, lo, hi) + 4:.1f}" font-size="{_FONT + 2}" '
                f'font-weight="700" text-anchor="middle" fill="{fill}">{mark}</text>'
            )
            continue
        colour = (
            "#c0392b"
            if path.startswith("cfir.") and p < 0
            else "#2e7d4f"
            if path.startswith("cfir.") and p > 0
            else "#34495e"
        )
        parts.append(f'<circle cx="{x:.1f}" cy="{_y(p, lo, hi):.1f}" r="3.2" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _html_figures(d: ComparisonReport) -> str:
    """One small multiple per rated fact of the series, its border coloured by the fact's direction."""
    e = html.escape
    direction = {c.path: c.direction for c in d.changes}
    figs = []
    for path, values in d.series.items():
        way = direction.get(path, "")
        figs.append(
            f'<figure class="{e(way)}"><figcaption>{e(name(path, d.labels))} '
            f'<span class="dir">{e(way)}</span></figcaption>{svg_panel(path, values, d.assessments)}</figure>'
        )
    return "".join(figs)


def _html_relationships(rels: Sequence[RelationshipChange]) -> str:
    """The relationships' table, or a sentence when none is stated."""
    e = html.escape
    rows = "".join(
        f'<tr><td data-label="fact">{e(r.label)}<br><code>{e(r.path)}</code></td>'
        f'<td data-label="from">{e(_rel_value(r, r.old))}</td>'
        f'<td data-label="to">{e(_rel_value(r, r.new))}' + (f" ({e(r.note)})" if r.note else "") + "</td>"
        f'<td data-label="direction" class="{e(r.direction)}-t">{e(r.direction)}</td></tr>'
        for r in rels
    )
    if not rows:
        return "<p>No trust, power, engagement, conflict or critical incidents stated.</p>"
    return f"<table><tr><th>fact</th><th>from</th><th>to</th><th>direction</th></tr>{rows}</table>"


def _html_other_changes(d: ComparisonReport) -> str:
    """The table of the other changes that changed, or a sentence when none did."""
    e = html.escape
    rows = "".join(
        f'<tr><td data-label="fact">{e(name(c.path, d.labels))}<br>'
        f"<code>{e(c.path)}</code></td>"
        f'<td data-label="from">{e(_v(c.old))}</td><td data-label="to">{e(_v(c.new))}</td>'
        f'<td data-label="direction" class="{e(c.direction)}-t">{e(c.direction)}</td></tr>'
        for c in _others(d.relationships, d.changes)
        if c.direction != "unchanged"
    )
    if not rows:
        return "<p>Nothing else rated changed.</p>"
    return f"<table><tr><th>fact</th><th>from</th><th>to</th><th>direction</th></tr>{rows}</table>"


def _html_items(rows: Sequence[_I], tail: Callable[[_I], str]) -> str:
    """A list of items, each "title `rule id` (<tail>)"; "None." when there is none."""
    e = html.escape
    if not rows:
        return "<p>None.</p>"
    return "<ul>" + "".join(f"<li>{e(r.title)} <code>{e(r.rule_id)}</code> ({e(tail(r))})</li>" for r in rows) + "</ul>"


def _html_retired(r: RetiredRow) -> str:
    why = _because(r, 3, "→")
    return f"was {r.horizon}" + (f"; changed: {why}" if why else "")


def _html_recommendations(recs: RecommendationChanges) -> str:
    """What became of each recommendation: the summary, relationship work to keep going, then each list
    (folded, held back and back on their own only when there are some)."""
    e = html.escape
    out = f"<h2>Recommendations</h2><p>{e(_summary(recs))}.</p>"
    if recs.continued:
        out += f'<p class="keep">{e(_keep_going_head(recs))}</p>'
        out += _html_items(recs.continued, lambda r: f"was {r.horizon}")
    out += "<h3>Retired</h3>" + _html_items(recs.retired, _html_retired)
    if recs.folded:
        out += "<h3>Folded into other items</h3>"
        out += _html_items(recs.folded, lambda r: f"now done within {r.into_title}, {r.into_rule_id}")
    if recs.held_back:
        out += "<h3>Held back</h3>" + _html_items(recs.held_back, lambda r: r.reason)
    out += "<h3>New</h3>" + _html_items(recs.new, lambda r: r.horizon)
    if recs.unfolded:
        out += "<h3>Back on their own</h3>"
        out += _html_items(recs.unfolded, lambda r: f"{r.horizon}, was done within {r.was_in_rule_id}")
    return out + "<h3>Moved between horizons</h3>" + _html_items(recs.moved, lambda r: f"{r.old} → {r.new}")


def _html(d: ComparisonReport) -> str:
    e = html.escape
    labels = d.assessments
    debrief = "".join(f"<li>{e(q)}</li>" for q in d.debrief)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Assessments of {e(d.case_id)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Assessments of {e(d.case_id)}</h1>"
        f'<p class="sub">{e(" → ".join(labels))}</p>'
        "<h2>Stage and relationships</h2>"
        f'<p class="stage">{e(stage_line(d.stage).replace(" -> ", " → "))}</p>'
        + _html_relationships(d.relationships)
        + (
            f'<h2>{e(progress_head(d.progress))}</h2><ul class="progress">'
            + "".join(f"<li>{e(line)}</li>" for line in progress_lines(d.progress))
            + "</ul>"
            if d.progress
            else ""
        )
        + "<h2>Each rating over the assessments</h2>"
        '<p class="sub key">CFIR ratings from -2 (strong barrier, <i class="barrier"></i>red band below the '
        "line) to +2 (strong facilitator, green band above it); trust, capacity and engagement on their own "
        'scales. <b class="mixed">m</b>: mixed, <b>?</b>: not stated.</p>'
        f'<div class="multiples">{_html_figures(d)}</div>'
        f"<h2>Other changes, {e(labels[0])} to {e(labels[-1])}</h2>"
        + _html_other_changes(d)
        + _html_recommendations(d.recommendations)
        + f"<h2>Ask in the debrief</h2><ul>{debrief}</ul></body></html>\n"
    )


__all__ = ["render_compare", "svg_panel", "COMPARE_FORMATS", "progress_lines", "progress_summary"]
