"""Building small engines from inline rule YAML for table-driven tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine import Engine, load_engine


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


SOURCES = {"sources": {"src": {"citation": "A test citation, long enough to pass validation."}}}


def write_pack(folder: Path, rules: list[dict[str, Any]], name: str = "t", sources: bool = True, **extra: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if sources:
        (folder / "sources.yaml").write_text(yaml.safe_dump(SOURCES))
    pack = {"ruleset": name, "version": "1.0.0", "rules": rules, **extra}
    (folder / f"{name}.yaml").write_text(yaml.dump(pack, Dumper=_NoAliases, sort_keys=False))
    return folder


def rec(rule_id: str, when: Any, **kw: Any) -> dict[str, Any]:
    """A minimal recommending rule."""
    out = {
        "id": rule_id,
        "title": kw.pop("title", f"Title of {rule_id}"),
        "category": kw.pop("category", "equity"),
        "when": when,
        "recommend": {"actions": kw.pop("actions", ["Do it"]), "tags": kw.pop("tags", {})},
        "rationale": "Because.",
        "sources": ["src"],
    }
    out.update(kw)
    return out


def engine_for(folder: Path, rules: list[dict[str, Any]], **extra: Any) -> Engine:
    return load_engine([write_pack(folder, rules, **extra)], shipped=False)


class Scripted:
    """A console that answers from a list, as a person would, re-asking after a refused answer."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.said: list[str] = []

    def ask(self, question: Any, default: str) -> Any:
        from engine.practitioner.interview import Interrupted, InvalidAnswer

        while True:
            if not self.answers:
                raise Interrupted()
            text = self.answers.pop(0) or default
            try:
                return question.convert(text)
            except InvalidAnswer as exc:
                self.said.append(f"Error: {exc}")

    def say(self, text: str) -> None:
        self.said.append(text)

    def confirm(self, text: str, default: bool) -> bool:
        return default
