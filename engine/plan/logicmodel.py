"""The Implementation Research Logic Model (Smith, Li & Rafferty 2020) of a specified plan.

Determinants (the case's CFIR barriers, with ratings) -> strategies -> mechanisms -> implementation
outcomes -> the service and client outcomes the case names. Every determinant -> strategy link is a
barrier the strategy's proof matched; strategy -> mechanism is the rule's stated mechanism (or the
placeholder for the team); mechanism -> outcome is the rule's `implementation_outcome` tags; the
last links follow the IRLM's chain to the outcomes the case file names (outcomes.service/client).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.model.facts import Facts
from engine.model.specdata import MECHANISM_TBD, LogicModel, Node, Specified
from engine.model.vocabulary import CFIR_IDS, IMPLEMENTATION_OUTCOMES, MIXED


def _barrier_order(value: Any) -> int:
    return 0 if value == -2 else 1 if value == -1 else 2


def barriers(facts: Facts) -> list[tuple[str, Any]]:
    """The case's CFIR barriers (-2, -1, mixed), worst first, then in the case's order."""
    found = [(k[5:], v) for k, v in facts.items() if k.startswith("cfir.") and (v in (-1, -2) or v == MIXED)]
    return sorted(found, key=lambda kv: _barrier_order(kv[1]))


def build(
    specs: Sequence[Specified], facts: Facts, service: Sequence[str] = (), client: Sequence[str] = ()
) -> LogicModel:
    dets = [Node(f"cfir:{cid}", CFIR_IDS.get(cid, cid), "determinant", val) for cid, val in barriers(facts)]
    det_ids = {d.id for d in dets}
    strategies: list[Node] = []
    mechanisms: list[Node] = []
    links: list[tuple[str, str]] = []
    used: set[str] = set()
    for s in specs:
        strategies.append(Node(s.rule_id, s.title, "strategy", s.horizon))
        for b in s.barriers:
            if f"cfir:{b}" in det_ids:
                links.append((f"cfir:{b}", s.rule_id))
        mid = f"mechanism:{s.rule_id}"
        mechanisms.append(
            Node(mid, s.mechanism if s.mechanism != MECHANISM_TBD else MECHANISM_TBD, "mechanism", s.mechanism_source)
        )
        links.append((s.rule_id, mid))
        for o in s.outcomes:
            links.append((mid, f"outcome:{o}"))
            used.add(o)
    impl = [Node(f"outcome:{o}", o.replace("_", " "), "implementation") for o in IMPLEMENTATION_OUTCOMES if o in used]
    svc = [Node(f"service:{i + 1}", text, "service") for i, text in enumerate(service)]
    cli = [Node(f"client:{i + 1}", text, "client") for i, text in enumerate(client)]
    after_impl = svc or cli
    links += [(a.id, b.id) for a in impl for b in after_impl]
    if svc:
        links += [(a.id, b.id) for a in svc for b in cli]
    return LogicModel(tuple(dets), tuple(strategies), tuple(mechanisms), tuple(impl + svc + cli), tuple(links))
