"""The plan as documents a team pastes into a grant report or a board paper (docs/decisions.md):
Word (python-docx) and Excel (openpyxl). Renderers of data: they read the result, the case and the
specification, and return the file's bytes.

Word: site and date, Start here / Next / Later with each item's actions, why, owner and due, the
team's set-aside items, the specification for `plan`, numbered references. Excel: one row per item
(a header row, frozen panes, filters, column widths), a second sheet of references; any cell a
spreadsheet would run as a formula starts with an apostrophe.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from engine.model.results import Recommendation, Result
from engine.model.vocabulary import CATEGORY_TITLES
from engine.model.whyhere import why_here
from engine.render.plantext import (
    HORIZON_TITLES,
    decision_line,
    first_action,
    lent_actions,
    references,
    report_date,
    working_lines,
)

if TYPE_CHECKING:
    from engine.model.case import Case
    from engine.model.placement import Placement
    from engine.model.specdata import PlanSpec

DOC_FORMATS: tuple[str, ...] = ("docx", "xlsx")
"""The binary formats `recommend` and `plan` write (always to a file, `-o FILE`)."""

_NORMALISE = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def _text(value: Any) -> str:
    """Text safe for a document: no control characters (XML refuses them; a cell would break)."""
    s = "" if value is None else str(value)
    s = s.translate(_NORMALISE)
    return "".join(ch for ch in s if ch in "\t\n" or ord(ch) >= 32)


def _title(result: Result, case: Case | None) -> tuple[str, str]:
    site = getattr(case, "site", None) or result.case_id
    innovation = getattr(case, "innovation", None) or ""
    return f"Implementation support plan: {site}", innovation


# ---------------------------------------------------------------- Word


def render_docx(
    result: Result, case: Case | None = None, spec: PlanSpec | None = None, date: str | None = None
) -> bytes:
    """The plan as a .docx file's bytes (deterministic: fixed core properties, no timestamps)."""
    import datetime as dt

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: F401  (styles only; kept for readers)
    from docx.shared import Pt

    doc = Document()
    props = doc.core_properties
    fixed = dt.datetime(2000, 1, 1)
    props.author, props.last_modified_by, props.created, props.modified = "ISP Advisor", "ISP Advisor", fixed, fixed
    props.revision = 1
    title, innovation = _title(result, case)
    props.title = _text(title)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(_text(title), level=0)
    meta = [innovation]
    when = report_date(case, date) if case is not None else date
    if when:
        meta.append(f"assessed {when}")
    stage = getattr(case, "stage", None)
    if stage:
        meta.append(f"stage: {str(stage).replace('_', ' ')}")
    if any(meta):
        doc.add_paragraph(_text(" · ".join(m for m in meta if m)))
    items = result.placed()
    refs = references(items)
    for horizon in ("now", "next", "later"):
        group = [(r, p) for r, p in items if p.horizon == horizon]
        if not group:
            continue
        doc.add_heading(HORIZON_TITLES[horizon], level=1)
        for rec, place in group:
            _docx_item(doc, rec, place, refs)
    outside = working_lines(result)
    if outside:
        doc.add_heading("The team's decisions outside the plan", level=1)
        for title_, line in outside:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{title_}: ").bold = True
            p.add_run(_text(line))
    if spec is not None:
        _docx_spec(doc, spec)
    if refs:
        doc.add_heading("References", level=1)
        for n, source in sorted(refs.values(), key=lambda x: x[0]):
            doc.add_paragraph(_text(f"[{n}] {source.citation}" + (f" {source.url}" if source.url else "")))
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue())


def _docx_item(doc: Any, rec: Recommendation, place: Placement, refs: dict[str, Any]) -> None:
    doc.add_heading(_text(f"{place.rank}. {rec.title}"), level=2)
    kind = f"{rec.priority} priority · {CATEGORY_TITLES.get(rec.category, rec.category)} · key {rec.key}"
    doc.add_paragraph(_text(kind)).runs[0].italic = True
    for action in (*rec.actions, *lent_actions(place)):
        doc.add_paragraph(_text(action), style="List Bullet")
    if rec.rationale:
        p = doc.add_paragraph()
        p.add_run("Why: ").bold = True
        p.add_run(_text(rec.rationale))
    p = doc.add_paragraph()
    p.add_run("Why here: ").bold = True
    cites = "".join(f" [{refs[s.key][0]}]" for s in rec.sources if s.key in refs)
    p.add_run(_text(why_here(rec, 6) + cites))
    d = place.decision
    table = doc.add_table(rows=1, cols=4)
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, ("Owner", "Due", "Status", "Decision"), strict=True):
        cell.text = text
    row = table.add_row().cells
    values = (
        d.owner if d and d.owner else "to agree",
        d.due if d and d.due else "to agree",
        (d.status or "not started").replace("_", " ") if d else "not started",
        (d.decision or "").replace("_", " ") if d else "",
    )
    for cell, text in zip(row, values, strict=True):
        cell.text = _text(text)
    line = decision_line(place)
    if line and d is not None and d.note:
        doc.add_paragraph(_text(f"Note: {d.note}"))


def _docx_spec(doc: Any, spec: PlanSpec) -> None:
    from engine.render.specdoc import dose_line, outcomes_text, when_line

    doc.add_heading("Specification (who does what, for whom, when and how much)", level=1)
    headers = ("#", "Strategy", "Actor", "Action", "Target", "When", "Dose", "Outcomes", "Mechanism")
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for item in spec.items:
        s = item.spec
        row = table.add_row().cells
        values = (
            str(s.rank),
            s.title,
            s.actor,
            s.action,
            s.target,
            when_line(item),
            dose_line(item),
            outcomes_text(item),
            s.mechanism,
        )
        for cell, text in zip(row, values, strict=True):
            cell.text = _text(text)


def _stable_zip(data: bytes) -> bytes:
    """The same document always gives the same bytes: every member rewritten with a fixed date, in
    the order written."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- Excel

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
"""A cell beginning with one of these may be run as a formula by a spreadsheet (OWASP's list)."""

COLUMNS: tuple[tuple[str, int], ...] = (
    ("key", 34),
    ("horizon", 10),
    ("rank", 6),
    ("title", 50),
    ("first action", 70),
    ("owner", 20),
    ("due", 12),
    ("status", 12),
    ("decision", 12),
    ("category", 18),
    ("ERIC strategies", 40),
    ("outcomes", 30),
    ("sources", 40),
)
"""The first sheet's columns (contract: docs/decisions.md) and their widths in characters."""


def safe_cell(value: Any) -> Any:
    """A cell's value, neutralised: text that a spreadsheet would run as a formula starts with an apostrophe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _xlsx_row(rec: Recommendation, place: Placement) -> list[Any]:
    d = place.decision
    eric = [*rec.tags.get("eric_strategy", ()), *(a.eric_strategy for a in place.also)]
    return [
        rec.key,
        place.horizon,
        place.rank,
        rec.title,
        first_action(rec),
        d.owner if d and d.owner else "",
        d.due if d and d.due else "",
        (d.status or "") if d else "",
        (d.decision or "") if d else "",
        rec.category,
        ", ".join(dict.fromkeys(e.replace("_", " ") for e in eric)),
        ", ".join(o.replace("_", " ") for o in rec.tags.get("implementation_outcome", ())),
        "; ".join(s.key for s in rec.sources),
    ]


def render_xlsx(
    result: Result, case: Case | None = None, spec: PlanSpec | None = None, date: str | None = None
) -> bytes:
    """The plan as a .xlsx file's bytes: 'Plan' (one row per item, set-aside items after the plan with
    horizon 'set aside') and 'References'."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append([name for name, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    items = result.placed()
    for rec, place in items:
        ws.append([safe_cell(v) for v in _xlsx_row(rec, place)])
    if result.plan is not None:
        for s in result.plan.working.set_aside:
            ws.append(
                [
                    safe_cell(v)
                    for v in (
                        s.key,
                        "set aside",
                        "",
                        s.title,
                        s.reason,
                        "",
                        "",
                        "",
                        "set_aside",
                        s.key.split(":", 1)[0],
                        "",
                        "",
                        "",
                    )
                ]
            )
    for i, (_, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{ws.max_row}"
    refs = wb.create_sheet("References")
    refs.append(["key", "n", "citation", "url"])
    for cell in refs[1]:
        cell.font = Font(bold=True)
    for key, (n, source) in references(items).items():
        refs.append([safe_cell(key), n, safe_cell(source.citation), safe_cell(source.url or "")])
    refs.column_dimensions["C"].width = 100
    refs.column_dimensions["D"].width = 50
    refs.freeze_panes = "A2"
    props = wb.properties
    import datetime as dt

    fixed = dt.datetime(2000, 1, 1)
    props.creator, props.lastModifiedBy, props.created, props.modified = "ISP Advisor", "ISP Advisor", fixed, fixed
    title, _ = _title(result, case)
    props.title = _text(title)
    out = io.BytesIO()
    wb.save(out)
    return _stable_zip(out.getvalue())


def render_document(
    fmt: str, result: Result, case: Case | None = None, spec: PlanSpec | None = None, date: str | None = None
) -> bytes:
    """`docx` or `xlsx` bytes."""
    if fmt == "docx":
        return render_docx(result, case, spec, date)
    if fmt == "xlsx":
        return render_xlsx(result, case, spec, date)
    raise ValueError(fmt)


__all__: Sequence[str] = ("DOC_FORMATS", "render_docx", "render_xlsx", "render_document", "safe_cell")
