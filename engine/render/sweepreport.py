"""Sweep reports: which facts move a site's plan (table, json, csv), and the same for a portfolio."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from engine.errors import clip, printable
from engine.model.conditions import fmt_value
from engine.render.csvrows import cell, to_text
from engine.render.formats import SWEEP_FORMATS

FORMATS = SWEEP_FORMATS
CSV_HEADER = (
    "case_id",
    "rule_id",
    "title",
    "category",
    "base_horizon",
    "fact",
    "effects",
    "value",
    "variants",
    "present",
    "now",
    "next",
    "later",
)
PORTFOLIO_CSV_HEADER = ("fact", "sites_moved", "rule_id", "title", "category", "sites")
EFFECTS = {"adds_removes": "adds or removes it", "moves_horizon": "moves its horizon"}


def render_sweep(data: dict[str, Any], fmt: str, width: int = 100) -> str:
    """One case's sweep (engine.batch.sweep.Sweep.to_dict())."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        rows = []
        for rec in data["recommendations"]:
            for lever in rec["levers"]:
                for v in lever["by_value"]:
                    rows.append(
                        [
                            cell(data["case_id"]),
                            cell(rec["rule_id"]),
                            cell(rec["title"]),
                            rec["category"],
                            rec["base"] or "",
                            lever["fact"],
                            ";".join(lever["effects"]),
                            cell(_text(v["value"])),
                            str(v["variants"]),
                            str(v["present"]),
                            str(v["now"]),
                            str(v["next"]),
                            str(v["later"]),
                        ]
                    )
        return to_text([list(CSV_HEADER), *rows])
    return _table(data, width)


def _table(data: dict[str, Any], width: int) -> str:
    width = max(60, width)
    varies = ", ".join(f"{v['fact']} ({len(v['values'])} values)" for v in data["vary"])
    base = ", ".join(f"{k}={_text(v)}" for k, v in data["base"].items())
    out = [
        *_wrap(f"Sweep of {data['case_id']}: {data['variants']} variants of {varies}.", width, "  "),
        *_wrap(f"The case as it is: {base}.", width, "  "),
        "",
    ]
    out += _wrap("Levers (facts whose change alone adds, removes or moves a recommendation):", width)
    for f in data["facts"]:
        out += _wrap(
            f"  {f['fact']}: {f['recommendations']} recommendations "
            f"({f['adds_removes']} added or removed, {f['moves_horizon']} moved to another horizon)",
            width,
            "    ",
        )
    if data["invalid_variants"]:
        out += [
            "",
            f"{len(data['invalid_variants'])} combinations are not valid cases and were skipped, e.g. "
            f"{_values(data['invalid_variants'][0]['values'])}: {data['invalid_variants'][0]['problem']}",
        ]
    moved = [r for r in data["recommendations"] if r["levers"]]
    still = len(data["recommendations"]) - len(moved)
    out += ["", "Recommendations that move:" if moved else "No recommendation moves."]
    for rec in moved:
        base = rec["base"] or "not in the plan"
        out += [""] + _wrap(f"{rec['rule_id']}: {rec['title']} (as it is: {base})", width, "  ")
        for lever in rec["levers"]:
            effects = " and ".join(EFFECTS[e] for e in lever["effects"])
            out += _wrap(
                f"  {lever['fact']} {effects}: " + "; ".join(_where(v) for v in lever["by_value"]), width, "      "
            )
    if still:
        out += ["", f"{still} recommendations stay where they are in every variant."]
    return "\n".join(out) + "\n"


def _where(v: dict[str, Any]) -> str:
    """'inform: now' or 'consult: absent' or 'involve: next 3, later 1 of 6'."""
    if not v["variants"]:
        return f"{_text(v['value'])}: no valid variant"
    if not v["present"]:
        return f"{_text(v['value'])}: absent"
    parts = [f"{h} {v[h]}" if v["variants"] > 1 else h for h in ("now", "next", "later") if v[h]]
    absent = v["variants"] - v["present"]
    if absent:
        parts.append(f"absent {absent}" if v["variants"] > 1 else "absent")
    tail = f" of {v['variants']}" if v["variants"] > 1 else ""
    return f"{_text(v['value'])}: {', '.join(parts)}{tail}"


def _values(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_text(v)}" for k, v in values.items())


def _text(value: Any) -> str:
    return "(not stated)" if value is None else str(fmt_value(value))


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) or [""]


def render_portfolio_sweep(data: dict[str, Any], fmt: str, width: int = 100) -> str:
    """A portfolio's sweep (engine.batch.sweep.PortfolioSweep.to_dict())."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        rows = [
            [f["fact"], str(f["sites_moved"]), cell(r["rule_id"]), cell(r["title"]), r["category"], str(r["sites"])]
            for f in data["facts"]
            for r in f["recommendations"]
        ]
        return to_text([list(PORTFOLIO_CSV_HEADER), *rows])
    width = max(60, width)
    out = [
        f"Sweep of {data['cases']} cases"
        + (f" ({len(data['failed'])} could not be read)" if data["failed"] else "")
        + ".",
        "",
    ]
    for f in data["facts"]:
        values = ", ".join(_text(v) for v in f["values"])
        out += _wrap(f"{f['fact']} ({values}) moves the plan of {f['sites_moved']} of {data['cases']} sites.", width)
        if f["recommendations"]:
            out.append("  Most often moved:")
            for r in f["recommendations"]:
                out += _wrap(f"    {r['sites']:>4} sites  {r['rule_id']}: {r['title']}", width, " " * 8)
        out.append("")
    for row in data["failed"][:3]:
        out += _wrap(f"could not read {failed_text(row)}", width, "  ")
    if len(data["failed"]) > 3:
        out.append(f"... and {len(data['failed']) - 3} more could not be read")
    return "\n".join(out).rstrip("\n") + "\n"


MAX_LISTED = 50
"""At most this many unreadable cases are listed on stderr (--format json lists every one)."""


def failed_text(row: dict[str, Any]) -> str:
    """One unreadable case of a portfolio sweep (an errors.jsonl-style row): where, what is wrong, the fix."""
    where = f"{row['source']}:{row['line']}" if row.get("line") else str(row["source"])
    text = f"{clip(where, 200)}: " + (f"{row['field']}: " if row.get("field") else "") + clip(str(row["message"]), 300)
    if row.get("hint"):
        text += f" ({clip(str(row['hint']), 300)})"
    return printable(text)


def failed_lines(data: dict[str, Any], limit: int = MAX_LISTED) -> list[str]:
    """The stderr lines for the cases a portfolio sweep could not read (PortfolioSweep.to_dict()), one a case."""
    failed = data["failed"]
    if not failed:
        return []
    lines = [f"{len(failed)} of {data['cases'] + len(failed)} cases could not be read and were not swept:"]
    lines += [f"  {failed_text(row)}" for row in failed[:limit]]
    if len(failed) > limit:
        lines.append(f"  ... and {len(failed) - limit} more; --format json lists every one under 'failed'")
    lines.append("the figures above are those of the other cases; fix these (or leave them out) and sweep again")
    return lines


__all__ = ["FORMATS", "MAX_LISTED", "failed_lines", "failed_text", "render_portfolio_sweep", "render_sweep"]
