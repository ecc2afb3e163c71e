"""Printers: each turns a Result (plain data) into one output format, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from ..case import Case
from ..results import Result
from .html import render_html
from .jsonout import render_json
from .markdown import render_markdown
from .table import render_table

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
}


def render(result: Result, fmt: str = "table", *, explain: bool = False, categories: tuple[str, ...] = (),
           case: Case | None = None) -> str:
    """Render a result in `fmt`, optionally with proofs, only some categories, and (reports) the site."""
    if fmt == "html":
        if case is None:
            raise ValueError("the HTML report needs the case for its site summary")
        return render_html(result, case, explain=explain, categories=categories)
    if fmt == "markdown":
        return render_markdown(result, explain=explain, categories=categories, case=case)
    return RENDERERS[fmt](result, explain=explain, categories=categories)


FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")

__all__ = ["FORMATS", "RENDERERS", "render", "render_html", "render_json", "render_markdown", "render_table"]
