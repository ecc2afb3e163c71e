"""What the portfolio summary keeps of one case: a few facts, small enough for the resume index."""

from __future__ import annotations

from typing import Any

from engine.assessments.perspectives import effective_facts
from engine.model.case import Case
from engine.model.vocabulary import RATING_VALUES


def case_digest(case: Case) -> dict[str, Any]:
    """What the summary needs from a case, small enough to keep in the resume index (the groups'
    views combined as the rules see them; the date and trust for a site's trend)."""
    facts = effective_facts(case)[0]
    dated = {"assessed_on": case.assessed_on, "trust": facts.get("relationships.trust")} if case.assessed_on else {}
    return {**dated,
        "site": facts.get("site", ""),
        "engagement": [facts.get("engagement.level"), facts.get("engagement.target")],
        "power": [facts.get("power.differential"), facts.get("power.decision_making")],
        "barriers": sorted(p[5:] for p, v in facts.items()
                           if p.startswith("cfir.") and v in RATING_VALUES and v < 0),
    }
