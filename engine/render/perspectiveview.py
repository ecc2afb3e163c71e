"""The groups' views side by side, for the table, Markdown and HTML reports.

They read the result's `perspectives` data only (engine/perspectives.summary): groups with their
stated facts, the divergent fact paths, the community's lower views, the missing groups and the
values combined from the groups where the case states none.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from engine.model.conditions import fmt_value
from engine.model.vocabulary import CFIR_IDS


def fact_name(path: str) -> str:
    if path.startswith("cfir."):
        cid = path[5:]
        parent = cid.rsplit(".", 1)[0] if cid.count(".") == 2 else ""
        return (f"{CFIR_IDS[parent]}: " if parent in CFIR_IDS else "") + CFIR_IDS.get(cid, cid)
    return {
        "relationships.trust": "Trust",
        "engagement.level": "Engagement now",
        "engagement.target": "Engagement wanted",
        "power.differential": "Power differential",
        "power.decision_making": "Who decides",
    }.get(path) or path.replace("capacity.", "Capacity: ")


def group_name(g: dict[str, Any]) -> str:
    return f"{g['group']} ({g['label']})" if g.get("label") else str(g["group"])


def _val(g: dict[str, Any], path: str) -> str:
    value = g["facts"].get(path)
    return "-" if value is None else fmt_value(value)


def _paths(data: dict[str, Any]) -> list[str]:
    """Divergent facts first, then every other fact some group states, in the case file's order."""
    stated: list[str] = []
    for g in data["groups"]:
        stated += [p for p in g["facts"] if p not in stated]
    return list(data["divergent"]) + [p for p in stated if p not in data["divergent"]]


def text_lines(data: dict[str, Any], width: int) -> list[str]:
    """'== Perspectives ==' and a grid: one row per fact, one column per group (divergent rows marked)."""
    out = ["", "== Perspectives (each group's view; ! = divergent) =="]
    out += _grid_lines(data, _paths(data), width)
    labelled = [group_name(g) for g in data["groups"] if g.get("label")]
    if labelled:
        out += textwrap.wrap("Groups: " + ", ".join(labelled), width, initial_indent="  ", subsequent_indent="    ")
    if data["divergent"]:
        out += _note("Divergent (2+ rating points or 1+ step apart): " + ", ".join(data["divergent"]), width)
    if data.get("community_lower"):
        lower = ", ".join(data["community_lower"])
        out += _note(f"The community's view is much lower than leadership's on: {lower}", width)
    if data["missing_groups"]:
        out += textwrap.wrap(
            "No view from: " + ", ".join(data["missing_groups"]), width, initial_indent="  ", subsequent_indent="    "
        )
    if data.get("combined"):
        out += _note(
            "Not stated at the top of the case, so the most critical view is used for: "
            + ", ".join(c["path"] for c in data["combined"]),
            width,
        )
    return out


def _note(text: str, width: int) -> list[str]:
    """A note under the grid, wrapped without breaking a fact's name."""
    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ", break_long_words=False)


def _grid_lines(data: dict[str, Any], paths: list[str], width: int) -> list[str]:
    """One row per fact, one column per group; when the groups do not fit the width, one line per fact."""
    groups = data["groups"]
    out: list[str] = []
    cols = [max(len(g["group"]), *(len(_val(g, p)) for p in paths)) for g in groups]
    name_w = min(width - 2 - sum(c + 1 for c in cols), max(len(fact_name(p)) + 2 for p in paths))
    if name_w < 18:  # too many groups for the width: one line per fact
        for p in paths:
            mark = "!" if p in data["divergent"] else "-"
            line = f"{fact_name(p)}: " + "; ".join(f"{group_name(g)} {_val(g, p)}" for g in groups)
            out += textwrap.wrap(
                line, width, initial_indent=f"  {mark} ", subsequent_indent="      ", break_long_words=False
            )
        return out
    heads = "".join(f" {g['group']:<{c}}" for g, c in zip(groups, cols, strict=True))
    out.append(("  " + " " * name_w + heads).rstrip())
    for p in paths:
        mark = "!" if p in data["divergent"] else " "
        label = f"{mark} {fact_name(p)}"
        label = label if len(label) <= name_w else label[: name_w - 1] + "…"
        cells = "".join(f" {_val(g, p):<{c}}" for g, c in zip(groups, cols, strict=True))
        out.append(f"  {label:<{name_w}}{cells}".rstrip())
    return out


def _md(text: object) -> str:
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def markdown_lines(data: dict[str, Any]) -> list[str]:
    groups = data["groups"]
    out = [
        "",
        "## Perspectives",
        "",
        "Each group's view of the same facts; **bold** rows are divergent (2+ rating points or 1+ step apart).",
        "",
        "| fact | " + " | ".join(_md(group_name(g)) for g in groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    for p in _paths(data):
        cells = [_md(_val(g, p)) for g in groups]
        name = f"**{_md(fact_name(p))}**" if p in data["divergent"] else _md(fact_name(p))
        out.append(f"| {name} (`{p}`) | " + " | ".join(cells) + " |")
    out.append("")
    if data.get("community_lower"):
        out += [
            "The community's view is much lower than leadership's on: "
            + ", ".join(f"`{p}`" for p in data["community_lower"])
            + ".",
            "",
        ]
    if data["missing_groups"]:
        out += ["No view from: " + ", ".join(_md(g) for g in data["missing_groups"]) + ".", ""]
    if data.get("combined"):
        out += [
            "Not stated at the top of the case, so the most critical view is used: "
            + "; ".join(f"`{c['path']}` = {_md(fmt_value(c['value']))} ({_md(c['note'])})" for c in data["combined"])
            + "."
        ]
    return out


def _bar(value: Any) -> tuple[str, str]:
    if not isinstance(value, int) or isinstance(value, bool):
        return ('<div class="bar mixed"></div>', "mixed") if value == "mixed" else ("", "")
    if value == 0:
        return "", ""
    side = "neg" if value < 0 else "pos"
    return f'<div class="bar {side}" style="width:{abs(value) * 25}%"></div>', side


def html_block(data: dict[str, Any]) -> str:
    """Each divergent fact with every group's rating on the CFIR chart's -2..+2 track (other scales as
    words), then the rest of what the groups state."""
    e = html.escape
    out = [
        '<p class="legend">The same facts as each group sees them. Divergent facts (2+ rating points or 1+ '
        "step apart) come first; no rating is averaged: where the case states none, the most critical view "
        "is used.</p>",
        '<div class="domains">',
    ]
    for p in _paths(data):
        div = p in data["divergent"]
        tag = " <small>divergent</small>" if div else ""
        out.append(
            f'<div class="domain perspective{" divergent" if div else ""}" data-fact="{e(p)}">'
            f"<h3>{e(fact_name(p))}{tag}</h3>"
        )
        for g in data["groups"]:
            value = g["facts"].get(p)
            if value is None:
                continue
            who = (
                f"{e(g['label'])} <small>{e(g['group'])}</small>"
                if g.get("label")
                else e(str(g["group"]).replace("_", " "))
            )
            if p.startswith("cfir."):
                bar, cls = _bar(value)
                out.append(
                    f'<div class="crow"><span class="name">{who}</span>'
                    f'<div class="track">{bar}</div><span class="val {cls}">{e(fmt_value(value))}</span></div>'
                )
            else:
                out.append(
                    f'<div class="crow"><span class="name">{who}</span>'
                    f'<span class="val" style="text-align:left">{e(fmt_value(value))}</span><span></span></div>'
                )
        out.append("</div>")
    out.append("</div>")
    if data["missing_groups"]:
        out.append(f'<p class="muted">No view from: {e(", ".join(data["missing_groups"]))}.</p>')
    if data.get("community_lower"):
        out.append(
            "<p class=\"muted\">The community's view is much lower than leadership's on: "
            f"{e(', '.join(fact_name(p) for p in data['community_lower']))}.</p>"
        )
    return "\n".join(out)


__all__ = ["text_lines", "markdown_lines", "html_block", "fact_name"]
