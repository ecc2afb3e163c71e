"""The Matcher interface: which rules of a stratum hold for one case's facts.

The runner orders rules into strata and, for each case, opens a session and asks it stratum by
stratum which rules match (adding what each stratum derived before the next). Two matchers
implement it and fire exactly the same rules (tests/test_crosscheck.py):

- `durable` (engine/evaluation/durablematcher.py): durable_rules' Rete network, the default where the
  durable-rules package is installed (it does not build on Python 3.13 and later);
- `python` (engine/evaluation/pymatcher.py): the conditions compiled to plain Python closures.

The choice: `--matcher`, else $ISP_ADVISOR_MATCHER, else durable where installed. A rule base or a
case beyond durable_rules' fixed limits is matched by the plain matcher (the runner says so).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence

from engine.errors import Problem, UsageError, did_you_mean, warn
from engine.evaluation.matching import DURABLE_MAX_PROPERTIES, Matcher, MatchSession, Stratum

__all__ = [
    "DURABLE_MAX_PROPERTIES",
    "MATCHERS",
    "Matcher",
    "MatchSession",
    "Stratum",
    "build",
    "describe",
    "durable_installed",
    "requested",
]

MATCHERS = ("durable", "python")
MATCHER_ENV = "ISP_ADVISOR_MATCHER"
VERBOSE_ENV = "ISP_ADVISOR_VERBOSE"


def durable_installed() -> bool:
    """Whether durable_rules can be imported here (cheap: looks, does not import)."""
    return (
        importlib.util.find_spec("durable_rules_engine") is not None and importlib.util.find_spec("durable") is not None
    )


def requested(name: str | None = None) -> str:
    """The matcher asked for: `name`, else $ISP_ADVISOR_MATCHER, else durable where installed."""
    choice = (name or os.environ.get(MATCHER_ENV, "")).strip().lower()
    if not choice:
        return "durable" if durable_installed() else "python"
    if choice not in MATCHERS:
        raise UsageError(
            Problem(
                field="--matcher" if name else MATCHER_ENV,
                code="unknown_matcher",
                message=f"unknown matcher '{choice}'",
                hint=(did_you_mean(choice, MATCHERS) or "") + " choose durable or python",
            )
        )
    return choice


def verbose_default() -> bool:
    """$ISP_ADVISOR_VERBOSE as a user setting (read where a command's configuration is built)."""
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "no", "false", "off")


_told: set[str] = set()


def notice(message: str, verbose_only: bool = False, verbose: bool = False) -> None:
    """Tell the user once per process (as a warning line; `verbose_only`: only when `verbose`)."""
    if message in _told or (verbose_only and not verbose):
        return
    _told.add(message)
    if verbose_only:
        print(f"note: {message}", file=sys.stderr)
    else:
        warn(message)


def build(strata: Sequence[Stratum], name: str | None = None, verbose: bool = False) -> tuple[Matcher, str]:
    """The matcher for these strata, and why it is not the one requested ('' when it is); `verbose`:
    say so on stderr even when only the default was not available."""
    from engine.evaluation.pymatcher import PythonMatcher

    choice = requested(name)
    if choice == "durable":
        if not durable_installed():
            notice(
                "durable_rules is not installed (it does not build on Python 3.13 and later): "
                "rules run on the plain Python matcher",
                verbose_only=True,
                verbose=verbose,
            )
            return PythonMatcher(strata), "durable_rules is not installed"
        from engine.evaluation.durablematcher import DurableLimit, DurableMatcher

        try:
            return DurableMatcher(strata), ""
        except DurableLimit as exc:
            shown = ", ".join(exc.rule_ids[:5]) + (
                f" and {len(exc.rule_ids) - 5} more" if len(exc.rule_ids) > 5 else ""
            )
            why = f"the rules exceed durable_rules' limits ({exc.limit}{'; ' + exc.detail if exc.detail else ''})"
            notice(
                f"{why}: {shown}; they run on the plain Python matcher, which fires the same rules "
                "(see 'isp-advisor rules lint')"
            )
            return PythonMatcher(strata), why
    return PythonMatcher(strata), ""


def describe() -> str:
    """The matcher commands will use, for `isp-advisor --version` (never raises)."""
    try:
        choice = requested()
    except UsageError as exc:
        return exc.problems[0].message
    if choice == "durable":
        return "durable (durable_rules)"
    reason = (
        ""
        if durable_installed()
        else "; durable_rules is not installed: pip install 'isp-advisor[durable]' on Python 3.11/3.12 "
        "with a C compiler"
    )
    return f"python (plain compiled matcher{reason})"
