"""The terminal view: the plan first (Start here, Next, Later), then the detail by category.

Everything is wrapped to the terminal's width (`View.width`); rule ids break only after a
hyphen or dot, never inside a word.
"""

from __future__ import annotations

import re
import textwrap

import click
import msgspec
from tabulate import tabulate

from engine.model.placement import Placement
from engine.model.results import Recommendation, Result
from engine.model.vocabulary import CATEGORIES, CATEGORY_TITLES, CFIR_IDS
from engine.model.whyhere import why_here
from engine.render.plantext import (
    HORIZON_TITLES,
    View,
    also_line,
    decision_line,
    first_action,
    held_line,
    lent_actions,
    plan_refs,
    reasons_line,
    rule_ref,
    shown,
    working_groups,
)
from engine.render.prooftext import proof_lines

MIN_WIDTH = 40
_ID_BREAKS = re.compile(r"(?<=[-.])")


def cols(line: str) -> int:
    """A line's width as the strictest terminal tools count it (bytes of UTF-8, so never under-counted)."""
    return len(line.encode("utf-8", "replace"))


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """Lines of at most `width` columns; words are split only when one is wider than a line."""
    first = indent if first is None else first
    target = width = max(width, len(first) + 8, len(indent) + 8)
    for _ in range(4):
        lines = textwrap.wrap(
            text, width, initial_indent=first, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
        if any(len(line) > width for line in lines):
            lines = _wrap_ids(text, width, first, indent)
        excess = max((cols(line) - target for line in lines), default=0)
        if excess <= 0:
            break
        width = max(width - excess, len(indent) + 8)  # multi-byte characters: wrap narrower
    return lines or [first.rstrip()]


def _wrap_ids(text: str, width: int, first: str, indent: str) -> list[str]:
    """Wrap allowing breaks after '-' and '.' inside long words (rule ids), and only then anywhere."""
    words = [
        piece
        for word in text.split()
        for piece in (_ID_BREAKS.split(word) if len(word) > width // 2 else [word])
        if piece
    ]
    lines: list[str] = []
    line = first
    for w in words:
        glue = "" if line.endswith(("-", ".")) or line in (first, indent) else " "
        if len(line) + len(glue) + len(w) <= width:
            line += glue + w
            continue
        if line.strip():
            lines.append(line)
        line = indent + w
        while len(line) > width:
            lines.append(line[:width])
            line = indent + line[width:]
    if line.strip():
        lines.append(line)
    return lines


_HANG = re.compile(r"( *)((?:[-+~?] |\[[+-]\] |[A-Za-z_][\w ]{0,15}: +(?=\S))?)")


def fit_lines(lines: list[str], width: int) -> list[str]:
    """Finished lines fitted to `width`: a line that fits is kept as it is; a longer one is wrapped
    (`wrap`) under its own indentation, continuing after its marker ('- ', '[+] ') or label
    ('source:    '), else four columns in. For reports printed line by line (why-not, rules show)."""
    width = max(width, MIN_WIDTH)
    out: list[str] = []
    for line in lines:
        if cols(line) <= width:
            out.append(line)
            continue
        m = _HANG.match(line)
        lead, marker = (m.group(1), m.group(2)) if m else ("", "")
        lead = lead[: width // 2]
        hang = len(lead) + len(marker) if marker else len(lead) + 4
        if hang > width // 2:
            hang = min(len(lead) + 4, width // 2)
        out += wrap(line.strip(), width, " " * hang, lead)
    return out


def _kind(rec: Recommendation) -> str:
    return f"{rec.priority}, {CATEGORY_TITLES.get(rec.category, rec.category).lower()}"


def _start_item(n: int, rec: Recommendation, place: Placement, width: int, refs: dict[str, str] | None) -> list[str]:
    head = f"{n:>3}. "
    pad = " " * len(head)
    out = wrap(f"{rec.title}  [{_kind(rec)}]", width, pad, head)
    out += wrap("Do: " + first_action(rec), width, pad)
    out += wrap("Why here: " + why_here(rec, 3), width, pad)
    if (decided := decision_line(place)) is not None:
        out += wrap("Team: " + decided, width, pad)
    reasons = reasons_line(place, refs)
    ids = "" if refs is not None else f" ({', '.join(rec.rule_ids)})"
    out += wrap(f"{reasons[0].upper()}{reasons[1:]}{ids}", width, pad)
    return out


def _short_item(n: int, rec: Recommendation, place: Placement, width: int, refs: dict[str, str] | None) -> list[str]:
    head = f"{n:>3}. "
    pad = " " * len(head)
    decided = decision_line(place)
    return (
        wrap(rec.title, width, pad, head)
        + (wrap("Team: " + decided, width, pad) if decided else [])
        + wrap(
            f"{_kind(rec)}; " + ("" if refs is not None else f"{rule_ref(rec)}; ") + reasons_line(place, refs),
            width,
            pad,
        )
    )


def _field_label(path: str) -> str:
    """A case path as people say it: the field registry's label, a CFIR construct's name, else the path."""
    from engine.model.fields import BY_PATH
    from engine.model.vocabulary import CFIR_DOMAINS

    if path in BY_PATH:
        return BY_PATH[path].label
    if path.startswith("cfir."):
        cid = path[5:]
        return CFIR_IDS.get(cid) or (f"CFIR {CFIR_DOMAINS[cid]}" if cid in CFIR_DOMAINS else cid)
    return path


def plan_lines(
    items: list[tuple[Recommendation, Placement]], width: int, refs: dict[str, str] | None = None
) -> list[str]:
    """Start here, Next and Later; in words with `refs` (`plan_refs`: the default view), with the rule ids
    without (--explain)."""
    out: list[str] = []
    for horizon in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == horizon]
        if not group:
            continue
        out += ["", f"== {HORIZON_TITLES[horizon]}: {len(group)} =="]
        for rec, place in group:
            out += (_start_item if horizon == "now" else _short_item)(place.rank, rec, place, width, refs)
    return out


def _detail_tables(items: list[tuple[Recommendation, Placement]], view: View) -> list[str]:
    rank_w = max(len(str(p.rank)) for _, p in items)
    out: list[str] = []
    for cat in CATEGORIES:
        group = sorted(((r, p) for r, p in items if r.category == cat), key=lambda rp: rp[1].rank)
        if not group:
            continue
        out += ["", f"== {CATEGORY_TITLES[cat]} ({len(group)}) ==", _category_table(group, view, rank_w)]
        if view.explain:
            for rec, place in group:
                out.append(f"  #{place.rank} why:")
                for proof in rec.explanation:
                    out += [x for line in proof_lines(proof) for x in _wrap_proof("    " + line, view.width)]
    return out


def _category_table(group: list[tuple[Recommendation, Placement]], view: View, rank_w: int) -> str:
    """One category's grid (columns #, priority, horizon, recommendation), its last column narrowed until
    the grid fits the width (a few tries; never below 20 characters)."""
    width = view.width
    # grid: "| " + cells joined by " | " + " |"
    body_w = max(width - 4 - 3 * 3 - max(rank_w, 1) - len("priority") - len("horizon"), 20)
    table = ""
    for _ in range(4):
        rows = [
            [place.rank, rec.priority, place.horizon, "\n".join(_cell(rec, place, body_w, view.explain))]
            for rec, place in group
        ]
        table = tabulate(
            rows, headers=["#", "priority", "horizon", "recommendation"], tablefmt="grid", disable_numparse=True
        )
        excess = max(cols(line) for line in table.splitlines()) - width
        if excess <= 0 or body_w <= 20:
            break
        body_w = max(body_w - excess, 20)
    return table


def _cell(rec: Recommendation, place: Placement, body_w: int, explain: bool) -> list[str]:
    """An item's recommendation cell: its title, its actions and those folded items lend it, the folded
    strategies, and (--explain) its rule ids, wrapped to `body_w`."""
    body = wrap(rec.title, body_w) + [
        x for a in (*rec.actions, *lent_actions(place)) for x in wrap("- " + a, body_w, "  ")
    ]
    body += [x for line in also_line(place) for x in wrap(line, body_w, "  ")]
    if explain:
        body += wrap("rule: " + ", ".join(rec.rule_ids), body_w, "  ")
    return body


def _wrap_proof(line: str, width: int) -> list[str]:
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return wrap(line.strip(), width, indent, line[: len(line) - len(line.lstrip())])


def render_table(result: Result, view: View) -> str:
    """The terminal's plan: the head, the plan by horizon (`--by plan`), the detail tables by category, then
    what sits outside the plan (the team's decisions, held-back items, the groups' views, the questions the
    case raises, what it leaves unstated) and the warnings."""
    width = max(view.width, MIN_WIDTH)
    view = msgspec.structs.replace(view, width=width)
    items = shown(result, view)
    refs = None if view.explain else plan_refs(result)  # rule ids only under --explain
    out = _head(result, len(items), width)
    if items and view.by == "plan":
        out += plan_lines(items, width, refs)
        out += ["", "== Detail by category =="]
    if items:
        out += _detail_tables(items, view)
    out += _outside_the_plan(result, width, refs)
    for w in result.warnings:
        out += wrap(f"warning: {w}", width, "  ")
    if view.color:
        out = [paint(line) for line in out]
    return "\n".join(out) + "\n"


def _head(result: Result, shown_count: int, width: int) -> list[str]:
    """How many items, how many shown and held back, and whether questions come first."""
    total = len(result.recommendations)
    head = f"Case {result.case_id}: {total} recommendation(s)"
    if shown_count != total:
        head += f", {shown_count} shown"
    if result.plan is not None and result.plan.held_back:
        head += f", {len(result.plan.held_back)} held back"
    out = wrap(head, width)
    asked = [c for c in result.cues if c.protective]
    if asked:
        out += wrap(
            f"First answer {len(asked)} question(s) the case raises (see 'Not stated' at the end): "
            "some items wait for the answer.",
            width,
        )
    return out


def _outside_the_plan(result: Result, width: int, refs: dict[str, str] | None) -> list[str]:
    """The team's decisions outside the plan, the held-back items, the groups' views, the questions the case
    raises and what it leaves unstated."""
    out: list[str] = []
    for title, lines in working_groups(result):
        out += ["", f"{title} (the team's decisions file):"]
        out += [x for line in lines for x in wrap(line, width, "    ", "  - ")]
    if result.plan is not None and result.plan.held_back:
        out += ["", "Held back (fired, but waiting for what supersedes them or for an answer):"]
        for h in result.plan.held_back:
            out += wrap(held_line(h, refs), width, "    ", "  - ")
    if result.perspectives:
        from engine.render.perspectiveview import text_lines

        out += text_lines(result.perspectives, width)
    if result.cues:
        out += ["", "Not stated, though the case's own words suggest it (answer these first):"]
        for c in result.cues:
            out += wrap(c.question, width, "    ", "  ? ")
    if result.missing_information:
        out += [""] + wrap(
            "Not stated (would sharpen the advice): " + ", ".join(_field_label(p) for p in result.missing_information),
            width,
        )
    return out


PRIORITY_STYLE: dict[str, dict[str, object]] = {
    "high": {"fg": "red", "bold": True},
    "medium": {"fg": "yellow"},
    "low": {"dim": True},
}
HORIZON_STYLE: dict[str, dict[str, object]] = {
    "now": {"fg": "green", "bold": True},
    "next": {"fg": "cyan"},
    "later": {"dim": True},
}
_HEADING = re.compile(r"^== (Start here|Next|Later)")
_PRIORITY = re.compile(
    r"(?<=\[)(high|medium|low)(?=, )|(?<=^     )(high|medium|low)(?=, )"
    r"|(?<=\| )(high|medium|low)(?= )"
)
_HORIZON_CELL = re.compile(r"(?<=\| )(now|next|later)(?= +\|)")


def paint(line: str) -> str:
    """Colour one finished line (after wrapping, so widths are unchanged on screen): the priority words
    and the horizons. Only for a terminal; the CLI decides (NO_COLOR, pipes)."""
    if m := _HEADING.match(line):
        key = {"Start here": "now", "Next": "next", "Later": "later"}[m.group(1)]
        return click.style(line, **HORIZON_STYLE[key])  # type: ignore[arg-type]
    line = _PRIORITY.sub(lambda m: click.style(m.group(0), **PRIORITY_STYLE[m.group(0)]), line)  # type: ignore[arg-type]
    return _HORIZON_CELL.sub(lambda m: click.style(m.group(0), **HORIZON_STYLE[m.group(0)]), line)  # type: ignore[arg-type]
