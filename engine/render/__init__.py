"""Printers: each turns a Result (plain data) into one output format, and nothing else.

Printers are imported when used, so a JSON run never loads tabulate or the HTML template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.render.formats import REPORT_FORMATS
from engine.render.plantext import View

if TYPE_CHECKING:
    from engine.model.case import Case
    from engine.model.results import Result

FORMATS: tuple[str, ...] = REPORT_FORMATS


def render(
    result: Result,
    fmt: str = "table",
    *,
    explain: bool = False,
    categories: tuple[str, ...] = (),
    case: Case | None = None,
    view: View | None = None,
) -> str:
    """Render a result in `fmt`. `view` says what to show (filters, layout, width); `explain` and
    `categories` are kept as shorthands for the common cases."""
    if view is None:
        view = View(explain=explain, categories=tuple(categories))
    if fmt == "json":
        from engine.render.jsonout import render_json

        return render_json(result, view)
    if fmt == "table":
        from engine.render.table import render_table

        return render_table(result, view)
    if fmt == "markdown":
        from engine.render.markdown import render_markdown

        return render_markdown(result, view, case=case)
    if fmt == "html":
        from engine.render.html import render_html

        if case is None:
            raise ValueError("the HTML report needs the case for its site summary")
        return render_html(result, case, view)
    raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "View", "render"]
