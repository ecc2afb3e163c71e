"""Turning pydantic's validation errors into the project's located, hinted problems."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from engine.errors import SHOWN_CHARS, FieldInvalid, Problem, allowed, did_you_mean, shown
from engine.io.documents import Document, dotted


def problems_from(
    exc: ValidationError, doc: Document, model: type[BaseModel], base: tuple[str | int, ...] = (), rule_id: str = ""
) -> list[Problem]:
    """One Problem per pydantic error, with file, line, dotted field and a hint."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = base + _in_data(_at(doc.data, base), err["loc"])
        field_name = dotted(loc)
        etype = err["type"]
        ctx = err.get("ctx") or {}
        msg = err["msg"]
        hint = ""
        if etype == "extra_forbidden":
            key = str(loc[-1])
            msg = f"unknown key {shown(key)}"
            hint = (
                did_you_mean(key, _siblings(model, loc[len(base) : -1])) if len(key) <= SHOWN_CHARS else ""
            ) or "remove it or check the spelling"
        elif etype in ("literal_error", "enum"):
            expected = ctx.get("expected", "")
            msg = f"{shown(err['input'])} is not allowed"
            choices = [c.strip(" '") for c in str(expected).replace(" or ", ", ").split(",")]
            hint = did_you_mean(str(err["input"]), choices) if len(str(err["input"])) <= SHOWN_CHARS else ""
            hint = (hint + "; " if hint else "") + allowed(choices)
        elif etype == "missing":
            msg = "is required"
        elif etype == "value_error":
            error = ctx.get("error")
            msg = str(error if error is not None else msg)
            if isinstance(error, FieldInvalid):
                msg, hint = error.message, error.hint
        elif "hint" in ctx:  # a PydanticCustomError of our models, with its own code (e.g. no_sources)
            hint = str(ctx["hint"])
        out.append(
            Problem(
                file=doc.path,
                line=doc.line_of(loc),
                field=field_name,
                message=msg,
                code=etype,
                hint=hint,
                rule_id=rule_id,
            )
        )
    return out


def _at(data: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _in_data(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The part of a pydantic location that names places in the data.

    pydantic adds the names of union members and validators ('int', 'function-after[...]',
    '[key]', a discriminator tag) to locations; they are dropped by walking the data itself.
    """
    out: list[str | int] = []
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if isinstance(data, dict) and part in data:
            out.append(part)
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            out.append(part)
            data = data[part]
        elif part == "[key]" or not isinstance(data, dict | list):
            continue
        elif (
            i == last
            and isinstance(data, dict)
            and isinstance(part, str)
            and part != "test"
            and not any(c in part for c in "[]()")
        ):
            out.append(part)  # a missing required key: name it
            data = None
    return tuple(out)


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
