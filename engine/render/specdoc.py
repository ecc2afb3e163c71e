"""Printers of the specified plan (`isp-advisor plan`): table, markdown, json, csv and html.

All work from `PlanSpec` (plain data). Text is wrapped to the terminal's width; Markdown escapes
case and rule text and draws the logic model as a Mermaid block; CSV cells never start like a
formula; the HTML is one self-contained file whose pictures are inline SVG (engine/render/plansvg.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from engine.model.case import Case
from engine.model.specdata import (
    BY_WHEN,
    NO_PRIOR,
    TO_AGREE,
    ZONES,
    LogicModel,
    Node,
    PlanSpec,
    SpecItem,
    eric_name,
    when_text,
)
from engine.model.vocabulary import CFIR_IDS
from engine.render.csvrows import SEPARATOR, cell, to_text
from engine.render.formats import PLAN_FORMATS
from engine.render.markdown import _esc as md
from engine.render.table import wrap

FORMATS: tuple[str, ...] = PLAN_FORMATS
CSV_HEADER: tuple[str, ...] = (
    "case_id",
    "rank",
    "horizon",
    "rule_id",
    "title",
    "eric_strategy",
    "actor",
    "action",
    "target",
    "target_cfir",
    "stage",
    "by_when",
    "frequency",
    "duration",
    "outcomes",
    "justification",
    "sources",
    "importance",
    "feasibility",
    "zone",
    "priors_source",
    "determinants",
    "mechanism",
    "mechanism_source",
)
"""One row per specified strategy: the specification, the go-zone and its logic-model row."""


# ---------------------------------------------------------------- shared words


def cfir_text(ids: tuple[str, ...], ratings: Ratings) -> str:
    if not ids:
        return f"CFIR construct: {TO_AGREE}"
    parts = []
    for cid in ids:
        r = ratings.get(cid)
        parts.append(CFIR_IDS.get(cid, cid) + (f" ({r:+d})" if isinstance(r, int) else f" ({r})" if r else ""))
    return "CFIR: " + ", ".join(parts)


Ratings = Mapping[str, int | str]
"""A case's CFIR ratings by construct id: -2..+2, or 'mixed'."""


def case_ratings(case: Case) -> Ratings:
    return dict(case.cfir or {})


def rating_text(item: SpecItem) -> str:
    r = item.rating
    imp = "no prior" if r.importance is None else f"{r.importance:g}"
    fea = "no prior" if r.feasibility is None else f"{r.feasibility:g}"
    zone = "no prior" if item.zone == NO_PRIOR else f"quadrant {item.zone}"
    return f"importance {imp}, feasibility {fea}: {zone} ({r.source})"


def outcomes_text(item: SpecItem) -> str:
    return ", ".join(o.replace("_", " ") for o in item.spec.outcomes) or TO_AGREE


def when_line(item: SpecItem) -> str:
    s = item.spec
    return f"{s.stage}; {s.horizon} ({BY_WHEN[s.horizon]})" + (f"; due {s.due}" if s.due else "")


def dose_line(item: SpecItem) -> str:
    return f"frequency: {item.spec.frequency}; duration: {item.spec.duration}"


def mechanism_text(s: Any) -> str:
    """The mechanism with its source as a short citation ('... (Harvey et al. 2016)'); the placeholder as is."""
    cite = s.mechanism_cite
    return f"{s.mechanism} ({cite})" if cite else s.mechanism


def spec_fields(item: SpecItem, ratings: Ratings) -> list[tuple[str, str]]:
    s = item.spec
    eric = ", ".join(eric_name(e) for e in s.eric_strategy)
    rows = [
        ("actor", s.actor),
        ("action", s.action),
        ("target", f"{s.target} ({cfir_text(s.target_cfir, ratings)})"),
        ("when", when_line(item)),
        ("dose", dose_line(item)),
        ("outcomes", outcomes_text(item)),
        ("go-zone", rating_text(item)),
        ("mechanism", mechanism_text(s).removeprefix("mechanism: ")),
        ("why", s.justification),
    ]
    if eric:
        rows.insert(0, ("ERIC", eric))
    return rows


def determinants_of(model: LogicModel, rule_id: str) -> list[Node]:
    ids = [a for a, b in model.links if b == rule_id]
    return [d for d in model.determinants if d.id in ids]


def det_label(n: Node) -> str:
    r = n.detail
    return f"{n.label} ({r:+d})" if isinstance(r, int) else f"{n.label} ({r})"


def title_line(spec: PlanSpec, case: Case) -> str:
    return (
        f"Plan for {case.site or case.case_id} ({case.case_id}): {len(spec.items)} strategies "
        f"({', '.join(spec.horizons)})"
    )


def means_line(spec: PlanSpec) -> str:
    m = spec.means
    if m.importance is None or m.feasibility is None:
        return "No strategy of this plan has both ratings yet: rate them with the team (ratings: in the case file)."
    return (
        f"The quadrants divide at this plan's means over its {m.count} rated strategies: importance "
        f"{m.importance:.2f}, feasibility {m.feasibility:.2f} (quadrant I = above both)."
    )


# ---------------------------------------------------------------- table (terminal)


def render_table(spec: PlanSpec, case: Case, width: int = 100) -> str:
    width = max(width, 40)
    ratings = case_ratings(case)
    out: list[str] = []
    out += wrap(title_line(spec, case), width)
    out += wrap(
        "Strategy specification (Proctor, Powell & McMillen 2013): what the knowledge base does not state "
        f"reads '{TO_AGREE}'.",
        width,
    )
    out.append("")
    for n, item in enumerate(spec.items, 1):
        s = item.spec
        out += wrap(f"{s.title}  [{s.horizon}, rank {s.rank}, {s.rule_id}]", width, "    ", f"{n:>2}. ")
        for label, text in spec_fields(item, ratings):
            out += wrap(text, width, " " * 15, f"    {label:<10} ")
        out.append("")
    out += wrap(
        "Go-zones (importance x feasibility, 1-5; priors: Waltz et al. 2015, Table 1; the case's ratings "
        "override them)",
        width,
    )
    out += wrap(means_line(spec), width, "  ", "  ")
    for z, items in spec.quadrants().items():
        if not items:
            continue
        out += wrap(f"{z if z != NO_PRIOR else 'no prior'}: {ZONES[z]}", width, "    ", "  ")
        for i in items:
            figs = "" if i.zone == NO_PRIOR else f" ({i.rating.importance:g}, {i.rating.feasibility:g})"
            out += wrap(f"{i.spec.title}{figs}", width, "      ", "    - ")
    out.append("")
    out += wrap("Logic model (Smith, Li & Rafferty 2020): determinants -> strategy -> mechanism -> outcomes", width)
    for item in spec.items:
        dets = (
            "; ".join(det_label(d) for d in determinants_of(spec.logic_model, item.spec.rule_id)) or "no rated barrier"
        )
        out += wrap(
            f"{dets} -> {item.spec.title} -> {mechanism_text(item.spec)} -> {outcomes_text(item)}",
            width,
            "      ",
            "    - ",
        )
    lone = unaddressed(spec.logic_model)
    if lone:
        out += wrap(
            "Barriers no strategy of this plan addresses: " + "; ".join(det_label(d) for d in lone), width, "    ", "  "
        )
    further = [n.label for n in spec.logic_model.outcomes if n.kind in ("service", "client")]
    if further:
        out += wrap("Then the outcomes the case names: " + "; ".join(further), width, "    ", "  ")
    out.append("")
    out += wrap("Outcome measures (when, by stage; what)", width)
    if not spec.measures:
        out += wrap(f"No implementation outcome is tagged on these strategies: {TO_AGREE}.", width, "    ", "  ")
    for m in spec.measures:
        cite = _cite(m.source)
        out += wrap(
            f"{m.outcome}: {m.measure}. When: {when_text(m.when, spec.stage)}. {cite}", width, "      ", "    - "
        )
    return "\n".join(out).rstrip() + "\n"


def _cite(source: Any) -> str:
    from engine.model.specdata import short_cite

    return f"Source: {short_cite(source)}." if source is not None else ""


def unaddressed(model: LogicModel) -> list[Node]:
    linked = {a for a, _ in model.links}
    return [d for d in model.determinants if d.id not in linked]


# ---------------------------------------------------------------- markdown


def render_markdown(spec: PlanSpec, case: Case) -> str:
    ratings = case_ratings(case)
    out = [
        f"# {md(title_line(spec, case))}",
        "",
        "Strategy specification after Proctor, Powell & McMillen (2013). Wherever the knowledge base is silent "
        f"the plan says *{TO_AGREE}*.",
        "",
        "## Strategy specification",
        "",
    ]
    for n, item in enumerate(spec.items, 1):
        s = item.spec
        out += [
            f"### {n}. {md(s.title)}",
            "",
            f"`{md(s.rule_id)}` · {s.horizon} · rank {s.rank}",
            "",
            "| | |",
            "|---|---|",
        ]
        out += [f"| **{label}** | {md(text)} |" for label, text in spec_fields(item, ratings)]
        if len(s.actions) > 1:
            out += ["", "Further actions:", ""] + [f"- {md(a)}" for a in s.actions[1:]]
        out.append("")
    out += [
        "## Go-zones",
        "",
        "Importance and feasibility, 1-5: priors are the mean expert ratings of Waltz et al. "
        "(2015, Table 1); the case's `ratings:` override them. " + md(means_line(spec)),
        "",
        "| quadrant | strategy | importance | feasibility | source |",
        "|---|---|---|---|---|",
    ]
    for z, items in spec.quadrants().items():
        for i in items:
            imp = "—" if i.rating.importance is None else f"{i.rating.importance:g}"
            fea = "—" if i.rating.feasibility is None else f"{i.rating.feasibility:g}"
            out.append(f"| {md(z)} | {md(i.spec.title)} | {imp} | {fea} | {md(i.rating.source)} |")
    out += ["", "Quadrants: " + "; ".join(f"**{z}** {md(t)}" for z, t in ZONES.items()) + ".", ""]
    out += [
        "## Logic model",
        "",
        "Implementation Research Logic Model (Smith, Li & Rafferty 2020). Each arrow "
        "from a determinant is a barrier the strategy's proof matched.",
        "",
        "| determinants | strategy | mechanism | implementation outcomes |",
        "|---|---|---|---|",
    ]
    for item in spec.items:
        dets = "; ".join(det_label(d) for d in determinants_of(spec.logic_model, item.spec.rule_id)) or "—"
        out.append(
            f"| {md(dets)} | {md(item.spec.title)} | {md(mechanism_text(item.spec))} | {md(outcomes_text(item))} |"
        )
    lone = unaddressed(spec.logic_model)
    if lone:
        out += ["", "Barriers no strategy of this plan addresses: " + md("; ".join(det_label(d) for d in lone)) + "."]
    out += [
        "",
        "```mermaid",
        *mermaid(spec.logic_model),
        "```",
        "",
        "## Outcome measures",
        "",
        "| outcome | when (stage) | measure | source |",
        "|---|---|---|---|",
    ]
    for m in spec.measures:
        src = md(m.source.citation) if m.source else "—"
        out.append(f"| {md(m.outcome)} | {md(when_text(m.when, spec.stage))} | {md(m.measure)} | {src} |")
    if not spec.measures:
        out.append(f"| — | — | no implementation outcome is tagged: {TO_AGREE} | — |")
    return "\n".join(out).rstrip() + "\n"


def _mm(text: str) -> str:
    """A Mermaid label: quoted, with quotes and markup characters as entities, at most 60 characters."""
    text = text if len(text) <= 60 else text[:57] + "..."
    # '#' first: Mermaid reads '#lt;' as '<', so a '#' of the text itself becomes '#35;'
    return (
        text.replace("#", "#35;")
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
        .replace("\n", " ")
    )


def mermaid(model: LogicModel) -> list[str]:
    """A left-to-right flowchart, one subgraph per column; node ids are n1, n2, ... (never case text)."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    groups = [
        ("Determinants", model.determinants),
        ("Strategies", model.strategies),
        ("Mechanisms", model.mechanisms),
        ("Outcomes", model.outcomes),
    ]
    for gi, (name, nodes) in enumerate(groups, 1):
        lines.append(f'  subgraph g{gi}["{name}"]')
        for n in nodes:
            ids[n.id] = f"n{len(ids) + 1}"
            label = det_label(n) if n.kind == "determinant" else n.label
            lines.append(f'    {ids[n.id]}["{_mm(label)}"]')
        lines.append("  end")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in model.links if a in ids and b in ids]
    return lines


# ---------------------------------------------------------------- csv


def render_csv(spec: PlanSpec) -> str:
    table = [list(CSV_HEADER)]
    for item in spec.items:
        s = item.spec
        dets = SEPARATOR.join(d.id.removeprefix("cfir:") for d in determinants_of(spec.logic_model, s.rule_id))
        row = [
            spec.case_id,
            str(s.rank),
            s.horizon,
            s.rule_id,
            s.title,
            SEPARATOR.join(s.eric_strategy),
            s.actor,
            s.action,
            s.target,
            SEPARATOR.join(s.target_cfir),
            s.stage,
            BY_WHEN[s.horizon],
            s.frequency,
            s.duration,
            SEPARATOR.join(s.outcomes),
            s.justification,
            SEPARATOR.join(x.key for x in s.sources),
            "" if item.rating.importance is None else f"{item.rating.importance:g}",
            "" if item.rating.feasibility is None else f"{item.rating.feasibility:g}",
            item.zone,
            item.rating.source,
            dets,
            s.mechanism,
            s.mechanism_source,
        ]
        table.append([cell(c) for c in row])
    return to_text(table)


def e(x: Any) -> str:
    return escape(str(x), quote=True)
