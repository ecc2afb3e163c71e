"""ISP Advisor: tailored, explained implementation-support advice from a site's context.

The public API: load a case, load an engine (the shipped rule packs plus any local ones),
evaluate, render.

    >>> from engine import load_case, load_engine
    >>> result = load_engine().evaluate(load_case("cases/riverside-fqhc.yaml"))

The names are exported lazily (PEP 562 module `__getattr__`): importing `engine` or any of its
light modules (errors, vocabulary, schema, render) does not load the runner, and so a command
that never evaluates (`isp-advisor --help`, `schema`) never pays for it
(tests/test_import_layering.py holds that).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:  # what mypy and readers see; at run time `__getattr__` imports on first use
    from engine.errors import CaseError, EngineError, IspAdvisorError, Problem, RuleError, UsageError
    from engine.evaluation.runner import Engine, load_engine
    from engine.io.caseload import case_from_data, case_from_text, load_case
    from engine.model.case import Case
    from engine.model.results import Recommendation, Result
    from engine.model.rules import Rule, RuleBase, Source
    from engine.model.traces import Proof, Trace, WhyNot
    from engine.rulepacks.loader import load_rulebase, shipped_rules_dir

_EXPORTS: dict[str, str] = {
    "Case": "model.case",
    "case_from_data": "io.caseload",
    "case_from_text": "io.caseload",
    "load_case": "io.caseload",
    "CaseError": "errors",
    "EngineError": "errors",
    "IspAdvisorError": "errors",
    "Problem": "errors",
    "RuleError": "errors",
    "UsageError": "errors",
    "Proof": "model.traces",
    "Trace": "model.traces",
    "load_rulebase": "rulepacks.loader",
    "shipped_rules_dir": "rulepacks.loader",
    "Recommendation": "model.results",
    "Result": "model.results",
    "Rule": "model.rules",
    "RuleBase": "model.rules",
    "Source": "model.rules",
    "Engine": "evaluation.runner",
    "WhyNot": "model.traces",
    "load_engine": "evaluation.runner",
}
"""Public name -> the submodule that defines it."""

__all__ = [
    "__version__",
    "Case",
    "case_from_data",
    "case_from_text",
    "load_case",
    "CaseError",
    "EngineError",
    "IspAdvisorError",
    "Problem",
    "RuleError",
    "UsageError",
    "Proof",
    "Trace",
    "load_rulebase",
    "shipped_rules_dir",
    "Recommendation",
    "Result",
    "Rule",
    "RuleBase",
    "Source",
    "Engine",
    "WhyNot",
    "load_engine",
]
"""Spelled out (linters and `from engine import *` read it); tests/test_import_layering.py checks it
names exactly `__version__` and the keys of `_EXPORTS`."""


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use, then keep the name here (later lookups are plain)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
