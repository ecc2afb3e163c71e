"""The ERIC view of the knowledge base as plain data: for each ERIC strategy, the CFIR barriers that reach it,
the rules and their evidence (computed by engine/authoring/ericview.py, drawn by engine/render/coveragereport.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model.specdata import eric_name
from engine.model.vocabulary import CFIR_DOMAINS, CFIR_IDS, cfir_domain

EVIDENCE: tuple[str, ...] = ("figure", "level", "cited", "judgement", "uncited")
"""Evidence kinds, strongest first."""

EVIDENCE_TEXT: dict[str, str] = {
    "figure": "a published percentage of experts (Level 1 >= 50%, Level 2 20-49%)",
    "level": "a published Level 1 or 2 membership without a figure",
    "cited": "a published source that gives no figure or level for the pair",
    "judgement": "the ISP Advisor authors' judgement",
    "uncited": "no source cited",
}


@dataclass(frozen=True)
class Reach:
    """One rule that recommends a strategy when one CFIR construct is a barrier."""

    construct: str
    rule_id: str
    pack: str
    evidence: str
    """One of EVIDENCE."""
    level: int | None
    """1 (at least 50% of experts, or declared), 2 (20-49%, or declared) or None."""
    figure: float | None
    """The percentage of experts, when the rule carries one."""
    sources: tuple[str, ...]
    via: str
    """'condition', 'tag' or 'derived.<name>' (see the module's docstring)."""

    @property
    def domain(self) -> str:
        return cfir_domain(self.construct)

    @property
    def rank(self) -> tuple[int, int, float]:
        """Sort key, strongest evidence first."""
        return (EVIDENCE.index(self.evidence), self.level or 3, -(self.figure or 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "pack": self.pack,
            "evidence": self.evidence,
            "level": self.level,
            "figure": _num(self.figure),
            "sources": list(self.sources),
            "via": self.via,
        }


@dataclass(frozen=True)
class BarrierReach:
    """Every rule by which one construct reaches one strategy, strongest evidence first."""

    construct: str
    reaches: tuple[Reach, ...]

    @property
    def best(self) -> Reach:
        return self.reaches[0]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted({r.rule_id for r in self.reaches}))

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "construct": self.construct,
            "domain": cfir_domain(self.construct),
            "name": CFIR_IDS.get(self.construct, self.construct),
            "evidence": best.evidence,
            "level": best.level,
            "figure": _num(best.figure),
            "sources": list(best.sources),
            "rules": [r.to_dict() for r in self.reaches],
        }


@dataclass(frozen=True)
class StrategyReach:
    """One ERIC strategy: the barriers that reach it and the rules that recommend it without a barrier."""

    strategy: str
    cluster: str
    barriers: tuple[BarrierReach, ...]
    """By construct id."""
    other_rules: tuple[str, ...]
    """Rules carrying the strategy's tag whose condition tests no barrier (stage, capacity, a stated problem...)."""

    @property
    def name(self) -> str:
        return eric_name(self.strategy)

    @property
    def reached(self) -> bool:
        return bool(self.barriers)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that reach the strategy from a barrier, by id."""
        return tuple(sorted({rid for b in self.barriers for rid in b.rules}))

    @property
    def domains(self) -> tuple[str, ...]:
        seen = {cfir_domain(b.construct) for b in self.barriers}
        return tuple(d for d in CFIR_DOMAINS if d in seen)

    def best_from(self, domain: str | None = None) -> Reach | None:
        """The strongest reach (from one CFIR domain, or any)."""
        found = [b.best for b in self.barriers if domain is None or cfir_domain(b.construct) == domain]
        return min(found, key=lambda r: r.rank) if found else None

    def to_dict(self) -> dict[str, Any]:
        best = self.best_from()
        return {
            "strategy": self.strategy,
            "name": self.name,
            "cluster": self.cluster,
            "reached": self.reached,
            "best_evidence": best.evidence if best else None,
            "domains": list(self.domains),
            "barriers": [b.to_dict() for b in self.barriers],
            "rules": list(self.rules),
            "other_rules": list(self.other_rules),
        }


@dataclass(frozen=True)
class DomainReach:
    """How much of the ERIC compilation one CFIR domain's barriers reach."""

    domain: str
    constructs: int
    """CFIR ids (constructs and subconstructs) in the domain."""
    constructs_reaching: int
    """Of those, the ids from which at least one strategy is reached."""
    strategies: int
    by_evidence: dict[str, int]
    """Strategies by the strongest evidence with which this domain reaches them (sums to `strategies`)."""

    @property
    def name(self) -> str:
        return CFIR_DOMAINS.get(self.domain, self.domain)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "name": self.name,
            "constructs": self.constructs,
            "constructs_reaching": self.constructs_reaching,
            "strategies": self.strategies,
            "by_evidence": dict(self.by_evidence),
        }


@dataclass(frozen=True)
class EricView:
    packs: tuple[tuple[str, str], ...]
    """(name, version) of each loaded pack."""
    strategies: tuple[StrategyReach, ...]
    """All 73 ERIC strategies, in the compilation's cluster order."""

    @property
    def reached(self) -> tuple[StrategyReach, ...]:
        return tuple(s for s in self.strategies if s.reached)

    @property
    def unreached(self) -> tuple[StrategyReach, ...]:
        """The strategies no barrier reaches (some may still be recommended by other rules)."""
        return tuple(s for s in self.strategies if not s.reached)

    @property
    def domains(self) -> tuple[DomainReach, ...]:
        out = []
        for d in CFIR_DOMAINS:
            ids = [c for c in CFIR_IDS if cfir_domain(c) == d]
            reaching = {b.construct for s in self.strategies for b in s.barriers if cfir_domain(b.construct) == d}
            counts = dict.fromkeys(EVIDENCE, 0)
            n = 0
            for s in self.strategies:
                best = s.best_from(d)
                if best is not None:
                    counts[best.evidence] += 1
                    n += 1
            out.append(DomainReach(d, len(ids), len(reaching), n, counts))
        return tuple(out)

    def strategy(self, strategy_id: str) -> StrategyReach | None:
        return next((s for s in self.strategies if s.strategy == strategy_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "view": "eric",
            "packs": [{"name": n, "version": v} for n, v in self.packs],
            "evidence": dict(EVIDENCE_TEXT),
            "summary": {
                "strategies": len(self.strategies),
                "reached": len(self.reached),
                "unreached": len(self.unreached),
                "domains": [d.to_dict() for d in self.domains],
                "unreached_strategies": [
                    {"strategy": s.strategy, "name": s.name, "cluster": s.cluster, "other_rules": list(s.other_rules)}
                    for s in self.unreached
                ],
            },
            "strategies": [s.to_dict() for s in self.strategies],
        }


def _num(x: float | None) -> float | int | None:
    """A figure as JSON shows it: 73, not 73.0."""
    return None if x is None else int(x) if float(x).is_integer() else x
