"""docs/case-fields.md: the table of case fields, made from the field registry (engine/model/fields.py)."""

from __future__ import annotations

from engine.model.fields import FIELDS


def docs_table() -> str:
    """The Markdown table of every case field (docs/case-fields.md; tests/test_fields.py keeps it current)."""
    out = [
        "# Case fields",
        "",
        "Every field of a case file, in the order the interview asks it. Made from `engine/model/fields.py` "
        "by `python scripts/case_fields_doc.py`; do not edit by hand.",
        "",
        "| field | label in reports | kind | interview | quick | CSV | what it means |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in FIELDS:
        help_text = f.help.replace("|", "\\|")
        out.append(
            f"| `{f.path}` | {f.label} | {f.kind} | {'yes' if f.prompt or f.kind == 'id' else 'no'} | "
            f"{'yes' if f.quick else ''} | {'yes' if f.csv else 'no'} | {help_text} |"
        )
    out += [
        "",
        "CFIR 2.0 ratings (`cfir.<id>`), the groups' `perspectives`, and the plan's `ratings` and `outcomes` "
        "are described in the README and docs/plan-spec.md.",
        "",
    ]
    return "\n".join(out)
