"""Turning pydantic's validation errors into the project's located, hinted problems."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .documents import Document, dotted
from .errors import Problem, allowed, did_you_mean


def problems_from(exc: ValidationError, doc: Document, model: type[BaseModel],
                  base: tuple[str | int, ...] = (), rule_id: str = "") -> list[Problem]:
    """One Problem per pydantic error, with file, line, dotted field and a hint."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = base + tuple(p for p in err["loc"] if not _is_union_tag(p))
        field_name = dotted(loc)
        etype = err["type"]
        ctx = err.get("ctx") or {}
        msg = err["msg"]
        hint = ""
        if etype == "extra_forbidden":
            key = str(loc[-1])
            msg = f"unknown key '{key}'"
            hint = did_you_mean(key, _siblings(model, loc[len(base):-1])) or "remove it or check the spelling"
        elif etype in ("literal_error", "enum"):
            expected = ctx.get("expected", "")
            msg = f"{err['input']!r} is not allowed"
            choices = [c.strip(" '") for c in str(expected).replace(" or ", ", ").split(",")]
            hint = did_you_mean(str(err["input"]), choices)
            hint = (hint + "; " if hint else "") + allowed(choices)
        elif etype == "missing":
            msg = "is required"
        elif etype == "value_error":
            msg = str(ctx.get("error", msg))
            if "|" in msg:
                msg, hint = msg.split("|", 1)
        out.append(Problem(file=doc.path, line=doc.line_of(loc), field=field_name, message=msg,
                           code=etype, hint=hint, rule_id=rule_id))
    return out


def _is_union_tag(part: Any) -> bool:
    # pydantic puts union member names such as 'function-after[...]' or 'int' into locations
    return isinstance(part, str) and ("[" in part or part in {"int", "str", "bool", "float", "list[str]"})


def _siblings(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names (and aliases) allowed at `loc` inside `model`, for did-you-mean."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(part)
        if info is None:
            info = next((f for f in fields.values() if f.alias == part), None)
        current = _model_of(info.annotation) if info else None
    if current is None:
        return []
    names = []
    for name, info in current.model_fields.items():
        names.append(info.alias or name)
    return names


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None
