"""`isp-advisor plan`'s formats: one dispatcher over the specification renderers (specdoc.py for
table, Markdown, JSON and CSV; planhtml.py for the HTML page), so neither imports the other's."""

from __future__ import annotations

from engine.model.case import Case
from engine.model.specdata import PlanSpec
from engine.render.jsonout import dumps
from engine.render.planhtml import render_html
from engine.render.specdoc import FORMATS, render_csv, render_markdown, render_table

__all__ = ["FORMATS", "render_plan"]


def render_plan(spec: PlanSpec, fmt: str, case: Case, width: int = 100) -> str:
    if fmt == "json":
        return dumps(spec.to_dict())
    if fmt == "csv":
        return render_csv(spec)
    if fmt == "markdown":
        return render_markdown(spec, case)
    if fmt == "html":
        return render_html(spec, case)
    if fmt == "table":
        return render_table(spec, case, width)
    raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
