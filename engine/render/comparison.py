"""Printers of `isp-advisor compare`: table, markdown, json and a self-contained HTML page whose
small multiples (inline SVG) show each CFIR rating over the assessments.

Every format shows the stage and the relationships (trust, power, engagement, conflict, critical
incidents) first, then the progress on the team's decisions (only when a decisions file was read),
then the other changes, then what became of each recommendation: relationship work to keep going,
retired (with what changed), folded, held back, new, back on its own, moved.

They read the comparison's JSON data only (engine.assessments.compare.Comparison.to_dict()).
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from typing import Any

from engine.model.conditions import fmt_value
from engine.model.sitefacts import long_date
from engine.model.vocabulary import ENGAGEMENT_LEVELS, LEVELS
from engine.render.formats import COMPARE_FORMATS  # noqa: E402 - declared once
from engine.render.jsonout import dumps

_ARROWS = {"improved": "+", "worsened": "-", "unchanged": "=", "new": "*", "gone": "x"}


def render_compare(data: dict[str, Any], fmt: str = "table", width: int = 100) -> str:
    if fmt == "json":
        return dumps(data)
    if fmt == "markdown":
        return _markdown(data)
    if fmt == "html":
        return _html(data)
    return _table(data, max(width, 40))


def name(path: str, labels: dict[str, str] | None = None) -> str:
    """A fact path in words: CFIR constructs by their CFIR 2.0 name, other facts by their label."""
    if path.startswith("cfir."):
        from engine.render.perspectiveview import fact_name

        return fact_name(path)
    return (labels or {}).get(path) or path


def _v(value: Any) -> str:
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


def _words(value: Any) -> str:
    return _v(value).replace("_", " ")


def stage_line(stage: dict[str, Any] | None) -> str:
    """The stage change in words (never left out: 'not stated in either assessment' when neither says)."""
    stage = stage or {"from": None, "to": None, "direction": "unstated"}
    way = stage["direction"]
    if way == "unstated":
        return "Stage: not stated in either assessment"
    if way == "unchanged":
        return f"Stage: {_words(stage['to'])} (unchanged)"
    return f"Stage: {_words(stage['from'])} -> {_words(stage['to'])} ({_STAGE_WAYS.get(way, way)})"


def _rel_value(r: dict[str, Any], value: Any) -> str:
    if r["path"].startswith("problem."):
        return "stated" if value else "not stated"
    if r["path"].startswith("events."):
        return f"{value} recorded"
    return _words(value)


def _rel_text(r: dict[str, Any], arrow: str = "->") -> str:
    note = f" ({r['note']})" if r.get("note") else ""
    return f"{r['label']} ({r['path']}): {_rel_value(r, r['from'])} {arrow} {_rel_value(r, r['to'])}{note}"


def _others(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes not shown among the relationships (CFIR ratings, capacity, engagement wanted)."""
    shown = {r["path"] for r in d.get("relationships", ())}
    return [c for c in d["changes"] if c["path"] not in shown]


def _recs(d: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The recommendations object with every list present (older JSON lacks the later ones)."""
    recs = d["recommendations"]
    return {
        k: list(recs.get(k, ()))
        for k in ("continued", "retired", "folded", "held_back", "new", "unfolded", "moved", "kept")
    }


def _summary(recs: dict[str, list[dict[str, Any]]]) -> str:
    carried = len(recs["kept"]) + len(recs["moved"])
    parts = [
        f"{carried} carried on ({len(recs['moved'])} moved between horizons)",
        f"{len(recs['retired'])} retired",
        f"{len(recs['new'])} new",
    ]
    extra = (
        ("continued", "to keep going while relationships worsen"),
        ("folded", "folded into other items"),
        ("held_back", "held back"),
        ("unfolded", "back on their own"),
    )
    parts += [f"{len(recs[k])} {words}" for k, words in extra if recs[k]]
    return ", ".join(parts)


def _changed(b: dict[str, Any], arrow: str = "->") -> str:
    """One fact a retired item rested on, as it changed: "Available Resources -2 -> +1"."""
    path, a, z = b["path"], b["from"], b["to"]
    if path.startswith("problem."):
        return f"{path[len('problem.') :].replace('_', ' ')} {'now' if z else 'no longer'} stated as a problem"
    if isinstance(a, bool) or isinstance(z, bool):
        return f"{b['label'].lower()}: {'now' if z else 'no longer'} the case"
    return f"{b['label']} {_words(a)} {arrow} {_words(z)}"


def _because(r: dict[str, Any], limit: int = 2, arrow: str = "->") -> str:
    said = [_changed(b, arrow) for b in r.get("because", ())[:limit]]
    more = len(r.get("because", ())) - limit
    return "; ".join(said) + (f"; +{more} more" if more > 0 else "")


def _keep_going_head(recs: dict[str, list[dict[str, Any]]]) -> str:
    reason = recs["continued"][0]["reason"]
    return (
        f"Keep going: {reason}, so keep doing this relationship work although the plan no longer lists it "
        "(do not stop it):"
    )


# ---------------------------------------------------------------- the team's decisions

PROGRESS_HEAD = "Progress on the team's decisions"


def progress_head(p: dict[str, Any]) -> str:
    """ "Progress on the team's decisions (made at 2026-02-10; as of 2026-06-09)"."""
    made = ", ".join(p["decisions_of"])
    return f"{PROGRESS_HEAD} (decided at {made}" + (f"; as of {p['as_of']})" if p.get("as_of") else ")")


def progress_summary(p: dict[str, Any]) -> str:
    """ "3 done, 2 under way, 1 not started, 1 overdue (due 1 April 2026), 1 set aside"."""
    n = p["counts"]
    parts = [
        f"{n[k]} {words}"
        for k, words in (("done", "done"), ("under_way", "under way"), ("not_started", "not started"))
        if n[k]
    ]
    if n["overdue"]:
        dues = sorted({e["due"] for e in p["overdue"]})
        parts.append(f"{n['overdue']} overdue (due {', '.join(long_date(d) for d in dues)})")
    if n["set_aside"]:
        parts.append(f"{n['set_aside']} set aside")
    return ", ".join(parts) or "no item accepted or set aside yet"


def _who(e: dict[str, Any], overdue: set[str]) -> str:
    bits = [f"owner {e['owner']}"] if e.get("owner") else []
    if e.get("due"):
        bits.append(f"due {long_date(e['due'])}" + (", overdue" if e["key"] in overdue else ""))
    return f" ({', '.join(bits)})" if bits else ""


def _fate_text(f: dict[str, Any]) -> tuple[str, str]:
    """(the heading of the fate, one accepted item's part of it)."""
    t, fate = f["title"], f["fate"]
    if fate == "still_recommended":
        carried = f"; decision carried forward from {f['carried_from']}" if f.get("carried_from") else ""
        return "Accepted and still recommended", f"{t} ({f['horizon']}{carried})"
    if fate == "folded":
        return "Accepted and folded into another item", f"{t}, now done within {f['into_title']} ({f['into_horizon']})"
    if fate == "held_back":
        return "Accepted and held back", f"{t}: {f['reason']}"
    if fate == "continued":
        return "Accepted, keep going", f"{t}: {f['reason']}, so keep doing it although the plan no longer lists it"
    if fate == "set_aside":
        return "Accepted, then set aside", f"{t}: {f['reason']}"
    why = f"because {f['why']}" if f.get("why") else "though nothing it rested on changed (the rules may have)"
    return "Accepted and no longer recommended", f"{t} — {why}"


def progress_lines(p: dict[str, Any]) -> list[str]:
    """The team's decisions in plain sentences, one per line: the counts, each status, the set-aside items
    with their reasons, then what became of each accepted item (the items no longer recommended one a line)."""
    overdue = {e["key"] for e in p["overdue"]}
    out = [_cap(progress_summary(p)) + "."]
    for key, words in (("done", "Done"), ("under_way", "Under way"), ("not_started", "Not started")):
        if p[key]:
            out.append(f"{words}: " + "; ".join(e["title"] + _who(e, overdue) for e in p[key]) + ".")
    for e in p["set_aside"]:
        again = f" (still recommended: {e['horizon']})" if e.get("horizon") else ""
        out.append(f"Set aside: {e['title']} — {e['reason']}{again}.")
    for fate in ("still_recommended", "folded", "held_back", "continued", "set_aside"):
        texts = [_fate_text(f) for f in p["accepted_fate"] if f["fate"] == fate]
        if texts:
            out.append(f"{texts[0][0]}: " + "; ".join(text for _, text in texts) + ".")
    out += [
        f"{head}: {text}."
        for head, text in map(_fate_text, p["accepted_fate"])
        if head == "Accepted and no longer recommended"
    ]
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- table


def _table(d: dict[str, Any], width: int) -> str:
    first, last = d["assessments"][0], d["assessments"][-1]
    out = [f"Assessments of {d['case_id']}: " + " -> ".join(d["assessments"]), ""]
    out += _wrapped(stage_line(d.get("stage")), width)
    out += _table_relationships(d.get("relationships", []), first, last, width)
    if d.get("progress"):
        out += _table_progress(d["progress"], width)
    out += _table_other_changes(d, first, last, width)
    out += _table_recommendations(_recs(d), width)
    if len(d["steps"]) > 1:
        out += _table_steps(d["steps"], width)
    out += _table_debrief(d["debrief"], width)
    return "\n".join(out) + "\n"


def _indented(line: str, width: int) -> list[str]:
    """One line of a list, wrapped with its continuation under the text after the arrow and direction."""
    return textwrap.wrap(line, width, subsequent_indent="      ", break_long_words=False) or [line]


def _table_relationships(rels: list[dict[str, Any]], first: str, last: str, width: int) -> list[str]:
    """The relationships' section: each change a line, then the unchanged ones together."""
    out = [""] + textwrap.wrap(
        f"Relationships (trust, power, engagement, conflict, critical incidents), {first} to {last}:",
        width,
        break_long_words=False,
    )
    if not rels:
        out.append("  none stated")
    for r in rels:
        if r["direction"] != "unchanged":
            out += _indented(f"  {_ARROWS.get(r['direction'], ' ')} {r['direction']:<9} {_rel_text(r)}", width)
    same = [r for r in rels if r["direction"] == "unchanged"]
    if same:
        out += _indented("  = unchanged " + "; ".join(f"{r['label']}: {_rel_value(r, r['to'])}" for r in same), width)
    return out


def _table_progress(p: dict[str, Any], width: int) -> list[str]:
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


def _table_other_changes(d: dict[str, Any], first: str, last: str, width: int) -> list[str]:
    """The changes not shown among the relationships: the count, then each one that changed."""
    others = _others(d)
    moved = [c for c in others if c["direction"] != "unchanged"]
    out = [""] + textwrap.wrap(
        f"Other changes, {first} to {last} ({len(moved)} changed, {len(others) - len(moved)} unchanged):",
        width,
        break_long_words=False,
    )
    if not moved:
        out.append("  nothing else rated changed")
    for c in moved:
        label = name(c["path"], d.get("labels"))
        out += _indented(
            f"  {_ARROWS[c['direction']]} {c['direction']:<9} {label} ({c['path']}): {_v(c['from'])} -> {_v(c['to'])}",
            width,
        )
    return out


def _table_recommendations(recs: dict[str, list[dict[str, Any]]], width: int) -> list[str]:
    """What became of each recommendation: the summary, then each list in the order of the module's docstring."""
    out = [""] + _wrapped(f"Recommendations: {_summary(recs)}", width)
    if recs["continued"]:
        out += _wrapped("  " + _keep_going_head(recs), width)
        for r in recs["continued"]:
            out += _wrapped(f"  = keep going {r['rule_id']}: {r['title']} (was {r['horizon']})", width)
    for r in recs["retired"]:
        why = _because(r)
        out += _wrapped(
            f"  - retired  {r['rule_id']}: {r['title']} (was {r['horizon']}" + (f"; changed: {why})" if why else ")"),
            width,
        )
    for r in recs["folded"]:
        out += _wrapped(
            f"  > folded   {r['rule_id']}: {r['title']} (was {r['horizon']}), now done within "
            f"{r['into_rule_id']}: {r['into_title']} ({r['into_horizon']})",
            width,
        )
    for r in recs["held_back"]:
        out += _wrapped(f"  | held back {r['rule_id']}: {r['title']} (was {r['horizon']}): {r['reason']}", width)
    for r in recs["new"]:
        out += _wrapped(f"  + new      {r['rule_id']}: {r['title']} ({r['horizon']})", width)
    for r in recs["unfolded"]:
        out += _wrapped(
            f"  < own item {r['rule_id']}: {r['title']} ({r['horizon']}), was done within {r['was_in_rule_id']}", width
        )
    for r in recs["moved"]:
        out += _wrapped(f"  ~ moved    {r['rule_id']}: {r['title']} ({r['from']} -> {r['to']})", width)
    return out


def _table_steps(steps: list[dict[str, Any]], width: int) -> list[str]:
    """Each step between two assessments in a line (when there are several)."""
    out = ["", "Step by step:"]
    for s in steps:
        out += _wrapped(f"  {s['from']} -> {s['to']}: {_step_text(s)}", width)
    return out


def _table_debrief(questions: list[str], width: int) -> list[str]:
    """The questions to ask in the debrief."""
    out = ["", "Ask in the debrief:"]
    for q in questions:
        out += textwrap.wrap(q, width, initial_indent="  - ", subsequent_indent="    ", break_long_words=False)
    return out


def _step_text(s: dict[str, Any]) -> str:
    """One step in a line: the stage and relationships first, then the count of other changes and items."""
    parts = [stage_line(s.get("stage"))[len("Stage: ") :].join(("stage ", ""))]
    parts += [
        f"{r['label'].lower()} {_rel_value(r, r['from'])} -> {_rel_value(r, r['to'])}"
        for r in s.get("relationships", ())
        if r["direction"] != "unchanged"
    ]
    shown = {r["path"] for r in s.get("relationships", ())}
    n = len([c for c in s["changes"] if c["direction"] != "unchanged" and c["path"] not in shown])
    recs = _recs(s)
    parts.append(f"{n} other facts changed")
    parts.append(
        f"{len(recs['retired'])} recommendations retired, {len(recs['new'])} new, {len(recs['moved'])} moved"
        + (f", {len(recs['continued'])} kept going" if recs["continued"] else "")
        + (f", {len(recs['folded'])} folded" if recs["folded"] else "")
    )
    if s.get("progress"):
        parts.append("team's decisions: " + progress_summary(s["progress"]))
    return "; ".join(parts)


def _wrapped(line: str, width: int) -> list[str]:
    return textwrap.wrap(line, width, subsequent_indent="             ", break_long_words=False) or [line]


# ---------------------------------------------------------------- markdown


def _md(text: object) -> str:
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def _md_table(rows: list[dict[str, Any]], d: dict[str, Any], rel: bool = False) -> list[str]:
    out = ["| fact | path | from | to | direction |", "|---|---|---|---|---|"]
    for c in rows:
        label = c["label"] if rel else name(c["path"], d.get("labels"))
        a, b = (_rel_value(c, c["from"]), _rel_value(c, c["to"])) if rel else (_v(c["from"]), _v(c["to"]))
        note = f" ({_md(c['note'])})" if c.get("note") else ""
        out.append(f"| {_md(label)} | `{c['path']}` | {_md(a)} | {_md(b)}{note} | {c['direction']} |")
    return out


def _md_item(part: str, r: dict[str, Any]) -> str:
    head = f"{_md(r['title'])} (`{r['rule_id']}`"
    if part == "folded":
        return f"{head}), now done within {_md(r['into_title'])} (`{r['into_rule_id']}`, {r['into_horizon']})"
    if part == "held_back":
        return f"{head}): {_md(r['reason'])}"
    if part == "unfolded":
        return f"{head}, {r['horizon']}), was done within `{r['was_in_rule_id']}`"
    if part == "moved":
        return f"{head}, {r['from']} → {r['to']})"
    return f"{head}, {r['horizon']})"


def _markdown(d: dict[str, Any]) -> str:
    out = [
        f"# Assessments of {_md(d['case_id'])}",
        "",
        "Assessments: " + " → ".join(_md(a) for a in d["assessments"]),
        "",
        "## Stage and relationships",
        "",
        f"**{_md(stage_line(d.get('stage')).replace(' -> ', ' → '))}**",
        "",
    ]
    rels = d.get("relationships", [])
    out += (
        _md_table(rels, d, rel=True)
        if rels
        else ["No trust, power, engagement, conflict or critical incidents stated."]
    )
    if d.get("progress"):
        out += ["", f"## {_md(progress_head(d['progress']))}", ""] + [
            f"- {_md(line)}" for line in progress_lines(d["progress"])
        ]
    out += ["", "## Other changes", ""]
    others = _others(d)
    moved = [c for c in others if c["direction"] != "unchanged"]
    out += _md_table(moved, d) if moved else ["Nothing else rated changed."]
    out += [
        "",
        f"{len(others) - len(moved)} other facts unchanged.",
        "",
        "## Recommendations",
        "",
        _md(_summary(_recs(d))) + ".",
        "",
    ]
    recs = _recs(d)
    if recs["continued"]:
        out.append(
            f"**{_md(_keep_going_head(recs))}** "
            + "; ".join(f"{_md(r['title'])} (`{r['rule_id']}`, was {r['horizon']})" for r in recs["continued"])
        )
        out.append("")
    out.append(
        "**Retired:** "
        + (
            "; ".join(
                f"{_md(r['title'])} (`{r['rule_id']}`, {r['horizon']}"
                + (f"; changed: {_md(_because(r, arrow='→'))})" if _because(r) else ")")
                for r in recs["retired"]
            )
            or "none"
        )
    )
    out.append("")
    sections = (
        ("Folded into other items", "folded"),
        ("Held back", "held_back"),
        ("New", "new"),
        ("Back on their own", "unfolded"),
        ("Moved between horizons", "moved"),
    )
    for title, part in sections:
        if recs[part] or part in ("new", "moved"):
            out += [f"**{title}:** " + ("; ".join(_md_item(part, r) for r in recs[part]) or "none"), ""]
    out += ["## Ask in the debrief", ""] + [f"- {_md(q)}" for q in d["debrief"]]
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


def _shown(labels: list[str]) -> list[bool]:
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


def _pos(path: str, value: Any) -> float | None:
    if value is None or value == "mixed":
        return None
    if path.startswith("cfir."):
        return float(value)
    values, _, _ = _scale(path)
    return float(values.index(value)) if value in values else None


def svg_panel(path: str, values: list[Any], labels: list[str]) -> str:
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


def _html(d: dict[str, Any]) -> str:
    e = html.escape
    labels = d["assessments"]
    direction = {c["path"]: c["direction"] for c in d["changes"]}
    figs = []
    for path, values in d["series"].items():
        way = direction.get(path, "")
        figs.append(
            f'<figure class="{e(way)}"><figcaption>{e(name(path, d.get("labels")))} '
            f'<span class="dir">{e(way)}</span></figcaption>{svg_panel(path, values, labels)}</figure>'
        )
    rel_rows = "".join(
        f'<tr><td data-label="fact">{e(r["label"])}<br><code>{e(r["path"])}</code></td>'
        f'<td data-label="from">{e(_rel_value(r, r["from"]))}</td>'
        f'<td data-label="to">{e(_rel_value(r, r["to"]))}' + (f" ({e(r['note'])})" if r.get("note") else "") + "</td>"
        f'<td data-label="direction" class="{e(r["direction"])}-t">{e(r["direction"])}</td></tr>'
        for r in d.get("relationships", ())
    )
    rows = "".join(
        f'<tr><td data-label="fact">{e(name(c["path"], d.get("labels")))}<br>'
        f"<code>{e(c['path'])}</code></td>"
        f'<td data-label="from">{e(_v(c["from"]))}</td><td data-label="to">{e(_v(c["to"]))}</td>'
        f'<td data-label="direction" class="{e(c["direction"])}-t">{e(c["direction"])}</td></tr>'
        for c in _others(d)
        if c["direction"] != "unchanged"
    )
    recs = _recs(d)

    def rec_list(items: list[dict[str, Any]], tail: str, empty: str = "<p>None.</p>") -> str:
        if not items:
            return empty
        return (
            "<ul>"
            + "".join(f"<li>{e(r['title'])} <code>{e(r['rule_id'])}</code> ({e(tail.format(**r))})</li>" for r in items)
            + "</ul>"
        )

    retired = (
        "<p>None.</p>"
        if not recs["retired"]
        else "<ul>"
        + "".join(
            f"<li>{e(r['title'])} <code>{e(r['rule_id'])}</code> (was {e(r['horizon'])}"
            + (f"; changed: {e(_because(r, 3, '→'))}" if _because(r) else "")
            + ")</li>"
            for r in recs["retired"]
        )
        + "</ul>"
    )
    keep = ""
    if recs["continued"]:
        keep = f'<p class="keep">{e(_keep_going_head(recs))}</p>' + rec_list(recs["continued"], "was {horizon}")
    rel_table = (
        f"<table><tr><th>fact</th><th>from</th><th>to</th><th>direction</th></tr>{rel_rows}</table>"
        if rel_rows
        else "<p>No trust, power, engagement, conflict or critical incidents stated.</p>"
    )
    debrief = "".join(f"<li>{e(q)}</li>" for q in d["debrief"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Assessments of {e(d['case_id'])}</title><style>{_CSS}</style></head><body>"
        f"<h1>Assessments of {e(d['case_id'])}</h1>"
        f'<p class="sub">{e(" → ".join(labels))}</p>'
        "<h2>Stage and relationships</h2>"
        f'<p class="stage">{e(stage_line(d.get("stage")).replace(" -> ", " → "))}</p>'
        + rel_table
        + (
            f'<h2>{e(progress_head(d["progress"]))}</h2><ul class="progress">'
            + "".join(f"<li>{e(line)}</li>" for line in progress_lines(d["progress"]))
            + "</ul>"
            if d.get("progress")
            else ""
        )
        + "<h2>Each rating over the assessments</h2>"
        '<p class="sub key">CFIR ratings from -2 (strong barrier, <i class="barrier"></i>red band below the '
        "line) to +2 (strong facilitator, green band above it); trust, capacity and engagement on their own "
        'scales. <b class="mixed">m</b>: mixed, <b>?</b>: not stated.</p>'
        f'<div class="multiples">{"".join(figs)}</div>'
        f"<h2>Other changes, {e(labels[0])} to {e(labels[-1])}</h2>"
        + (
            f"<table><tr><th>fact</th><th>from</th><th>to</th><th>direction</th></tr>{rows}</table>"
            if rows
            else "<p>Nothing else rated changed.</p>"
        )
        + f"<h2>Recommendations</h2><p>{e(_summary(recs))}.</p>"
        + keep
        + "<h3>Retired</h3>"
        + retired
        + (
            "<h3>Folded into other items</h3>"
            + rec_list(recs["folded"], "now done within {into_title}, {into_rule_id}")
            if recs["folded"]
            else ""
        )
        + ("<h3>Held back</h3>" + rec_list(recs["held_back"], "{reason}") if recs["held_back"] else "")
        + "<h3>New</h3>"
        + rec_list(recs["new"], "{horizon}")
        + (
            "<h3>Back on their own</h3>" + rec_list(recs["unfolded"], "{horizon}, was done within {was_in_rule_id}")
            if recs["unfolded"]
            else ""
        )
        + "<h3>Moved between horizons</h3>"
        + rec_list(recs["moved"], "{from} → {to}")
        + f"<h2>Ask in the debrief</h2><ul>{debrief}</ul></body></html>\n"
    )


__all__ = ["render_compare", "svg_panel", "COMPARE_FORMATS", "progress_lines", "progress_summary"]
