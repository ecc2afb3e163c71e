"""Markdown: a report to paste into a shared document or issue."""

from __future__ import annotations

from ..case import Case
from ..results import Result
from ..vocabulary import CATEGORIES, CATEGORY_TITLES, CFIR_DOMAINS
from .prooftext import proof_lines
from .summary import cfir_by_domain, summary_rows


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def _bar(rating: int | str) -> str:
    """A text picture of one rating: barriers to the left of |, facilitators to the right."""
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


def render_markdown(result: Result, *, explain: bool = False, categories: tuple[str, ...] = (),
                    case: Case | None = None) -> str:
    out = [f"# Recommendations for {result.case_id}", ""]
    out.append(f"{len(result.recommendations)} recommendation(s); rule packs: "
               + ", ".join(f"{r['name']} {r['version']}" for r in result.engine["rulesets"]) + ".")
    if case is not None:
        out += [""] + site_section(case)
    groups = result.by_category()
    for cat in CATEGORIES:
        recs = groups.get(cat, [])
        if not recs or (categories and cat not in categories):
            continue
        out += ["", f"## {CATEGORY_TITLES[cat]}", ""]
        for rec in recs:
            out.append(f"### {_esc(rec.title)} ({rec.priority})")
            out.append("")
            out += [f"- {_esc(a)}" for a in rec.actions]
            out += ["", f"*Why:* {_esc(rec.rationale)}", ""]
            tags = "; ".join(f"{k}: {', '.join(v)}" for k, v in rec.tags.items() if v)
            if tags:
                out += [f"*Tags:* {tags}", ""]
            out.append("*Sources:* " + "; ".join(_esc(s.citation) for s in rec.sources))
            out.append(f"*Rules:* {', '.join(rec.rule_ids)}")
            if explain:
                out += ["", "```text"]
                for proof in rec.explanation:
                    out += proof_lines(proof)
                out.append("```")
            out.append("")
    if result.missing_information:
        out += ["", "## Not stated", "", "Stating these would sharpen the advice: "
                + ", ".join(f"`{m}`" for m in result.missing_information) + "."]
    if result.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    return "\n".join(out).rstrip() + "\n"
