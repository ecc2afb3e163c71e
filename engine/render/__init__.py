"""Printers: each turns a Result (plain data) into one output format, and nothing else.

Printers are imported when used, so a JSON run never loads tabulate or the HTML template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..case import Case
    from ..results import Result

FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")


def render(result: Result, fmt: str = "table", *, explain: bool = False, categories: tuple[str, ...] = (),
           case: Case | None = None) -> str:
    """Render a result in `fmt`, optionally with proofs, only some categories, and (reports) the site."""
    if fmt == "json":
        from .jsonout import render_json

        return render_json(result, explain=explain, categories=categories)
    if fmt == "table":
        from .table import render_table

        return render_table(result, explain=explain, categories=categories)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(result, explain=explain, categories=categories, case=case)
    if fmt == "html":
        from .html import render_html

        if case is None:
            raise ValueError("the HTML report needs the case for its site summary")
        return render_html(result, case, explain=explain, categories=categories)
    raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render"]
