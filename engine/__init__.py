"""ISP Advisor: tailored, explained implementation-support advice from a site's context.

The public API: load a case, load an engine (the shipped rule packs plus any local ones),
evaluate, render.

    >>> from engine import load_case, load_engine
    >>> result = load_engine().evaluate(load_case("cases/riverside-fqhc.yaml"))
"""

from __future__ import annotations

__version__ = "0.2.0"

from .case import Case, case_from_data, case_from_text, load_case
from .errors import CaseError, EngineError, IspAdvisorError, Problem, RuleError, UsageError
from .explain import Proof, Trace
from .loader import load_rulebase, shipped_rules_dir
from .results import Recommendation, Result
from .ruleset import Rule, RuleBase, Source
from .runner import Engine, WhyNot, load_engine

__all__ = [
    "__version__", "Case", "case_from_data", "case_from_text", "load_case",
    "CaseError", "EngineError", "IspAdvisorError", "Problem", "RuleError", "UsageError",
    "Proof", "Trace", "load_rulebase", "shipped_rules_dir", "Recommendation", "Result",
    "Rule", "RuleBase", "Source", "Engine", "WhyNot", "load_engine",
]
