"""Reading a case: a file, text or data, parsed and validated completely before any rule runs.

Every problem in the file is reported at once, each with its line and a hint.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from engine.errors import CaseError, Problem
from engine.io.documents import Document, load, parse
from engine.io.validation import problems_from
from engine.model.case import Case


def validate_case(doc: Document) -> Case:
    """Validate parsed case data; every problem in the file is reported at once."""
    data = doc.data
    if not isinstance(data, dict):
        raise CaseError(
            Problem(
                file=doc.path,
                line=doc.line_of(()),
                code="type",
                message=f"a case must be a mapping of keys to values, not {_kind(data)}",
                hint="start with 'case_id: my-site'",
            )
        )
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(problems_from(exc, doc, Case)) from None


def load_case(path: str | os.PathLike[str]) -> Case:
    """Read, parse and validate one case file (YAML or JSON)."""
    return validate_case(load(path, CaseError))


def case_from_text(text: str, name: str = "<input>") -> Case:
    return validate_case(parse(text, name, CaseError))


def case_from_data(data: Any, name: str = "<input>") -> Case:
    return validate_case(Document(name, data, {}))


def _kind(data: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(data), type(data).__name__
    )
