"""Printers for the rule authors' commands: lint findings, rule test outcomes, coverage, impact diff
and rule lists. Each takes plain data and returns text (a table or JSON); none computes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from engine.model.checks import Finding, Outcome, summary
from engine.model.diffs import RuleDiff
from engine.render.jsonout import dumps


def findings_text(findings: Sequence[Finding], fmt: str = "text") -> str:
    if fmt == "json":
        return dumps({"findings": [f.to_dict() for f in findings], "summary": summary(findings)})
    return "".join(f.render() + "\n" for f in findings) + summary(findings) + "\n"


def outcomes_text(outcomes: Sequence[Outcome], fmt: str = "text", local: bool = False) -> str:
    """Each test's outcome; with folders of your own (`local`), yours first and the shipped packs'
    in one line (and their failures, since an override of yours may be what broke them)."""
    failed = [o for o in outcomes if not o.passed]
    if fmt == "json":
        return dumps(
            {"tests": [o.to_dict() for o in outcomes], "passed": len(outcomes) - len(failed), "failed": len(failed)}
        )
    if not outcomes:
        return "no rule tests found (they live in rules/tests/*.yaml and DIR/tests/*.yaml)\n"
    own = [o for o in outcomes if not o.shipped]
    shipped = [o for o in outcomes if o.shipped]
    if not own and not local:  # only the shipped packs' tests: list them all
        return "".join(_outcome_lines(o) for o in outcomes) + _counts(outcomes) + "\n"
    text = (
        "".join(_outcome_lines(o) for o in own) + _counts(own) + "\n"
        if own
        else "no rule tests in your folders (put them in DIR/tests/*.yaml)\n"
    )
    if shipped:
        text += f"shipped packs' tests: {_counts(shipped)}\n"
        text += "".join(_outcome_lines(o) for o in shipped if not o.passed)
    return text


def _outcome_lines(o: Outcome) -> str:
    return f"{'PASS' if o.passed else 'FAIL'} {o.file}:{o.line}: {o.name}\n" + "".join(
        f"     - {f}\n" for f in o.failures
    )


def _counts(outcomes: Sequence[Outcome]) -> str:
    failed = sum(not o.passed for o in outcomes)
    return f"{len(outcomes) - failed} passed, {failed} failed"


def diff_text(d: RuleDiff, fmt: str = "table") -> str:
    if fmt == "json":
        return dumps(d.to_dict())
    out: list[str] = []
    for c in d.cases:
        if not c.changes:
            continue
        out.append(f"== {c.case_id}")
        rows = [
            [_mark(ch.kind), ch.rule_id, ch.old_priority or "-", ch.new_priority or "-", _cut(ch.title)]
            for ch in c.changes
        ]
        out += [tabulate(rows, headers=["", "rule", "before", "after", "title"], tablefmt="simple"), ""]
    t = d.totals()
    out.append(
        f"{t['cases_changed']} of {t['cases']} cases changed: {t['added']} added, {t['removed']} removed, "
        f"{t['priority']} changed priority"
    )
    return "\n".join(out) + "\n"


def _mark(kind: str) -> str:
    return {"added": "+ added", "removed": "- removed"}.get(kind, "~ priority")


def _cut(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def rule_list_text(rows: Sequence[dict[str, Any]], fmt: str = "table", width: int = 100) -> str:
    """One entry per rule: its id, kind, priority, pack and status, then its title, wrapped to `width`."""
    from engine.render.table import wrap

    if fmt == "json":
        return dumps(list(rows))
    out: list[str] = []
    for r in rows:
        facts = ", ".join(x for x in (r["kind"], r["priority"], r["pack"], r["status"]) if x)
        out += wrap(f"{r['id']}  {facts}", width, "    ")
        if r["title"]:
            out += wrap(r["title"], width, "    ")
    return "\n".join(out) + f"\n{len(rows)} rules\n"
