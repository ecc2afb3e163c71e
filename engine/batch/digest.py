"""What the portfolio summary keeps of one case: a few facts, small enough for the resume index."""

from __future__ import annotations

from typing import Any

from engine.model.case import Case
from engine.model.perspectives import effective_facts
from engine.model.vocabulary import RATING_VALUES
from engine.rulepacks.placeholders import PLACEHOLDERS, fill, names_in


def case_digest(case: Case) -> dict[str, Any]:
    """What the summary needs from a case, small enough to keep in the resume index (the groups'
    views combined as the rules see them; the date and trust for a site's trend)."""
    facts = effective_facts(case)[0]
    dated = {"assessed_on": case.assessed_on, "trust": facts.get("relationships.trust")} if case.assessed_on else {}
    return {
        **dated,
        "site": facts.get("site", ""),
        "engagement": [facts.get("engagement.level"), facts.get("engagement.target")],
        "power": [facts.get("power.differential"), facts.get("power.decision_making")],
        "barriers": sorted(
            p[5:]
            for p, v in facts.items()
            if p.startswith("cfir.") and v in RATING_VALUES and isinstance(v, int) and v < 0
        ),
    }


_SITE_WORDS = {"person:leaving": "the person leaving", "person:leaving.until": "their last day"}


def _generic(name: str) -> str:
    """A placeholder's words in a title counted across sites: what a plan says when the case does not
    name it ('the innovation'), and for the site's own placeholders the kind of thing they name."""
    if name in PLACEHOLDERS:
        return PLACEHOLDERS[name]
    if name in _SITE_WORDS:
        return _SITE_WORDS[name]
    family, _, rest = name.partition(":")
    words = rest.removesuffix(".on").replace("_", " ").replace(".", " ")
    if family == "event":
        return f"the date of the {words}"
    if family in ("person", "people", "asset"):
        return f"the {words}"
    return name.removeprefix("derived.").replace("_", " ")


def portfolio_title(text: str) -> str:
    """A rule's title with its placeholders filled as a plan fills them when the case does not name what
    they stand for ('Fit {innovation} into ...' -> 'Fit the innovation into ...'): one title for an
    item counted across sites whose plans name different innovations, sites or people."""
    return fill(text, {n: _generic(n) for n in names_in(text)})
