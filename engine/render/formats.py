"""Every command's output formats, declared once and light to import (`isp-advisor --help` reads them
without loading a renderer); the renderers dispatch on the same tuples (tests/test_formats_declared.py)."""

from __future__ import annotations

REPORT_FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")
"""`recommend` (engine.render.render); `recommend` and `plan` add the DOCUMENT_FORMATS."""
PLAN_FORMATS: tuple[str, ...] = ("table", "markdown", "json", "csv", "html")
"""`plan` (engine.render.planformats.render_plan)."""
COMPARE_FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")
"""`compare` (engine.render.comparison.render_compare)."""
SWEEP_FORMATS: tuple[str, ...] = ("table", "json", "csv")
"""`sweep` (engine.render.sweepreport)."""
DOCUMENT_FORMATS: tuple[str, ...] = ("docx", "xlsx")
"""Word and Excel documents (engine.render.worddoc, engine.io.documents' writers)."""
