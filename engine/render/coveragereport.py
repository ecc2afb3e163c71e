"""Printers for `rules coverage`: the rule view (how often each rule fires over a folder of cases) and the
ERIC view (which CFIR barriers reach each ERIC strategy), as a table that fits the terminal, Markdown or JSON.
Each takes plain data and returns text; none computes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from tabulate import tabulate

from engine.model.checks import Coverage
from engine.model.ericreach import EVIDENCE, EVIDENCE_TEXT, BarrierReach, EricView, Reach, StrategyReach
from engine.model.vocabulary import CATEGORIES, ERIC_CLUSTERS
from engine.render.jsonout import dumps
from engine.render.mdtext import md_text
from engine.render.table import MIN_WIDTH, cols, wrap

# ---------------------------------------------------------------- the rule view


def coverage_report(cov: Coverage, fmt: str = "table", width: int = 100) -> str:
    """The rule view: JSON, Markdown, or a table within `width` columns."""
    if fmt == "json":
        return dumps(cov.to_dict())
    if fmt == "markdown":
        return _coverage_markdown(cov)
    width = max(width, MIN_WIDTH)
    n = len(cov.cases)
    out = [f"{n} cases, {len(cov.rules)} rules, {len(cov.never_fired)} never fired", ""]
    rows = [[r.rule_id, r.kind, len(r.cases), _share(len(r.cases), n)] for r in cov.rules]
    wide = tabulate(rows, headers=["rule", "kind", "cases", "share"], tablefmt="simple")
    if all(cols(line) <= width for line in wide.splitlines()):
        out.append(wide)
    else:  # rule ids too long for one table: one table per kind, the rule id last and wrapped if need be
        out += _coverage_by_kind(cov, width)
    if cov.never_fired:
        out += ["", f"Never fired ({len(cov.never_fired)}):"]
        for rid in cov.never_fired:
            out += wrap(rid, width, "    ", "  ")
    if cov.empty_categories:
        out += ["", "Cases with nothing in a category:"]
        for cid, cats in cov.empty_categories.items():
            out += wrap(f"{cid}: {', '.join(cats)}", width, "    ", "  ")
    return "\n".join(out) + "\n"


def _share(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "-"


def _coverage_by_kind(cov: Coverage, width: int) -> list[str]:
    n = len(cov.cases)
    order = {k: i for i, k in enumerate((*CATEGORIES, "derive"))}
    rules = sorted(cov.rules, key=lambda r: (order.get(r.kind, len(order)), r.kind, r.rule_id))
    out: list[str] = []
    lead = "  cases  share  "
    pad = " " * len(lead)
    for kind, group in groupby(rules, key=lambda r: r.kind):
        members = list(group)
        fired = sum(1 for r in members if r.cases)
        if out:
            out.append("")
        out += [*wrap(f"{kind} ({len(members)} rules, {fired} fired)", width, "  "), f"{lead}rule"]
        for r in members:
            out += wrap(r.rule_id, width, pad + "  ", f"  {len(r.cases):>5}  {_share(len(r.cases), n):>5}  ")
    return out


def _coverage_markdown(cov: Coverage) -> str:
    n = len(cov.cases)
    out = [
        "# Rule coverage",
        "",
        f"{n} cases, {len(cov.rules)} rules, {len(cov.never_fired)} never fired.",
        "",
        "| rule | kind | cases | share |",
        "|---|---|---:|---:|",
    ]
    out += [f"| `{r.rule_id}` | {r.kind} | {len(r.cases)} | {_share(len(r.cases), n)} |" for r in cov.rules]
    if cov.never_fired:
        out += ["", f"## Never fired ({len(cov.never_fired)})", ""] + [f"- `{rid}`" for rid in cov.never_fired]
    if cov.empty_categories:
        out += ["", "## Cases with nothing in a category", ""]
        out += [f"- `{cid}`: {', '.join(cats)}" for cid, cats in cov.empty_categories.items()]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the ERIC view

_EVIDENCE_HEAD = {
    "figure": "figure",
    "level": "level",
    "cited": "cited",
    "judgement": "judgement",
    "uncited": "uncited",
}


def eric_report(view: EricView, fmt: str = "table", width: int = 100) -> str:
    """The ERIC view: JSON, Markdown, or text within `width` columns."""
    if fmt == "json":
        return dumps(view.to_dict())
    if fmt == "markdown":
        return _eric_markdown(view)
    return "\n".join(_eric_text(view, max(width, MIN_WIDTH))) + "\n"


def evidence_words(r: Reach) -> str:
    """'73% of experts, Level 1', 'Level 2, no figure', 'cited', "the authors' judgement", 'no source'."""
    if r.evidence == "figure":
        figure = f"{r.figure:g}% of experts"
        return f"{figure}, Level {r.level}" if r.level else figure
    if r.evidence == "level":
        return f"Level {r.level}, no figure"
    return {"cited": "cited", "judgement": "the authors' judgement", "uncited": "no source"}[r.evidence]


def _groups(b: BarrierReach) -> list[tuple[Reach, list[str]]]:
    """A barrier's reaches grouped by evidence, sources and path: (first reach, its rule ids)."""
    out: list[tuple[Reach, list[str]]] = []
    for r in b.reaches:
        for first, ids in out:
            if (first.evidence, first.level, first.figure, first.sources, first.via) == (
                r.evidence,
                r.level,
                r.figure,
                r.sources,
                r.via,
            ):
                ids.append(r.rule_id)
                break
        else:
            out.append((r, [r.rule_id]))
    return out


def _domain_rows(view: EricView) -> tuple[list[str], list[list[object]]]:
    shown = [k for k in EVIDENCE if k != "uncited" or any(d.by_evidence[k] for d in view.domains)]
    headers = ["domain", "constructs", "strategies", *(_EVIDENCE_HEAD[k] for k in shown)]
    rows: list[list[object]] = [
        [d.name, f"{d.constructs_reaching}/{d.constructs}", d.strategies, *(d.by_evidence[k] for k in shown)]
        for d in view.domains
    ]
    return headers, rows


def _grid(headers: list[str], rows: list[list[object]]) -> list[str]:
    """A compact table: the first column left-aligned, the others right-aligned, two spaces apart."""
    cells = [headers, *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])]


def _eric_text(view: EricView, width: int) -> list[str]:
    out = wrap(
        f"ERIC view of {len(view.packs)} rule packs: which CFIR barriers reach each of the "
        f"{len(view.strategies)} ERIC strategies, through which rules, on what evidence.",
        width,
    )
    out += wrap("Packs: " + (", ".join(f"{n} {v}" for n, v in view.packs) or "none"), width, "  ")
    out += wrap(
        f"{len(view.reached)} of {len(view.strategies)} strategies are reached from a barrier; "
        f"{len(view.unreached)} are not.",
        width,
    )
    out += ["", *wrap("Strategies reachable from each CFIR domain", width)]
    headers, rows = _domain_rows(view)
    table = _grid(headers, rows)
    if all(cols(line) <= width for line in table):
        out += table
    else:
        for row in rows:
            counts = ", ".join(f"{h} {v}" for h, v in zip(headers[3:], row[3:], strict=True))
            out += wrap(f"{row[0]}: {row[2]} strategies from {row[1]} constructs ({counts})", width, "    ", "  ")
    out += wrap(
        "A strategy counts once in each domain that reaches it, under the strongest evidence from that domain.", width
    )
    out += ["", "Evidence:"]
    for k in EVIDENCE:
        out += wrap(f"{k}: {EVIDENCE_TEXT[k]}", width, "    ", "  ")
    out += ["", f"No barrier reaches ({len(view.unreached)}):"]
    for s in view.unreached:
        why = ("recommended without a barrier by " + ", ".join(s.other_rules)) if s.other_rules else "no rule"
        out += wrap(f"{s.name} [{s.strategy}]: {why}", width, "    ", "  ")
    for cluster, (title, _) in ERIC_CLUSTERS.items():
        members = [s for s in view.strategies if s.cluster == cluster]
        out += ["", title, "=" * min(len(title), width)]
        for i, s in enumerate(members):
            out += ([""] if i else []) + _strategy_text(s, width)
    return out


def _strategy_text(s: StrategyReach, width: int) -> list[str]:
    out = wrap(f"{s.name} [{s.strategy}]", width, "    ", "")
    if not s.reached:
        out += wrap(
            "no barrier reaches it"
            + (
                f"; recommended without a barrier by {', '.join(s.other_rules)}"
                if s.other_rules
                else "; no rule recommends it"
            ),
            width,
            "    ",
            "  ",
        )
        return out
    domains = len(s.domains)
    out += wrap(
        f"{len(s.barriers)} barrier{'s' * (len(s.barriers) != 1)} in {domains} "
        f"domain{'s' * (domains != 1)}, {len(s.rules)} rule{'s' * (len(s.rules) != 1)}",
        width,
        "    ",
        "  ",
    )
    for b in s.barriers:
        for first, ids in _groups(b):
            via = "" if first.via == "condition" else f", via {first.via}"
            sources = f" ({', '.join(first.sources)})" if first.sources else ""
            out += wrap(f"- {b.construct}: {evidence_words(first)}{sources}{via}", width, "    ", "  ")
            out += wrap(", ".join(ids), width, "    ", "    ")
    if s.other_rules:
        out += wrap(f"also without a barrier: {', '.join(s.other_rules)}", width, "    ", "  ")
    return out


def _eric_markdown(view: EricView) -> str:
    headers, rows = _domain_rows(view)
    out = [
        "# ERIC view of the rule packs",
        "",
        f"Which CFIR barriers reach each of the {len(view.strategies)} ERIC strategies in "
        + ", ".join(f"{n} {v}" for n, v in view.packs)
        + f": {len(view.reached)} are reached from a barrier, {len(view.unreached)} are not.",
        "",
        "## Strategies reachable from each CFIR domain",
        "",
        "| " + " | ".join(headers) + " |",
        "|---|" + "---:|" * (len(headers) - 1),
    ]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    out += [
        "",
        "A strategy counts once in each domain that reaches it, under the strongest evidence from that "
        "domain. Evidence:",
        "",
    ]
    out += [f"- **{k}**: {EVIDENCE_TEXT[k]}" for k in EVIDENCE]
    out += ["", f"## No barrier reaches ({len(view.unreached)})", ""]
    for s in view.unreached:
        why = (
            "recommended without a barrier by " + ", ".join(f"`{r}`" for r in s.other_rules)
            if s.other_rules
            else "no rule"
        )
        out.append(f"- {md_text(s.name)} (`{s.strategy}`): {why}")
    for cluster, (title, _) in ERIC_CLUSTERS.items():
        out += ["", f"## {md_text(title)}"]
        for s in (s for s in view.strategies if s.cluster == cluster):
            out += ["", f"### {md_text(s.name)}", "", f"`{s.strategy}`", ""]
            if s.reached:
                out += ["| barrier | evidence | sources | rules |", "|---|---|---|---|"]
                for b in s.barriers:
                    for first, ids in _groups(b):
                        via = "" if first.via == "condition" else f" (via {first.via})"
                        out.append(
                            f"| `{b.construct}`{via} | {evidence_words(first)} | "
                            f"{', '.join(first.sources) or '-'} | {', '.join(f'`{i}`' for i in ids)} |"
                        )
            else:
                out.append("No barrier reaches it.")
            if s.other_rules:
                out += ["", "Without a barrier: " + ", ".join(f"`{r}`" for r in s.other_rules) + "."]
    return "\n".join(out) + "\n"
