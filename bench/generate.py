"""Seeded synthetic cases for the benchmark: valid, varied, the same for the same seed.

Each case states a random subset of the contract's sections with values drawn from the
vocabularies, and 0-15 CFIR ratings (constructs and subconstructs of every domain), so that many
different rules fire across a portfolio, from sites with nothing rated to struggling ones.

    python bench/generate.py 10000 --seed 1 --out /tmp/cases.jsonl
    python bench/generate.py 200 --seed 1 --out /tmp/cases --format yaml   # a folder of files
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.model import vocabulary as v  # noqa: E402

POPULATIONS = [
    "Spanish-speaking families",
    "uninsured adults",
    "rural older adults",
    "Black mothers",
    "tribal youth",
    "people experiencing homelessness",
    "LGBTQ+ teens",
    "refugee families",
]
INNOVATIONS = [
    "collaborative care",
    "school-based screening",
    "peer recovery coaching",
    "home visiting",
    "sepsis bundle",
    "coordinated entry",
    "community health workers",
    "trauma-focused CBT",
]
CFIR = sorted(v.CFIR_IDS)
LEVELS = list(v.ENGAGEMENT_LEVELS)


def case(rng: random.Random, n: int) -> dict[str, Any]:
    """One valid case; `n` makes its id unique."""
    out: dict[str, Any] = {"case_id": f"site-{n:06d}", "site": f"Synthetic site {n}"}

    def maybe(p: float = 0.8) -> bool:
        return rng.random() < p

    if maybe():
        out["stage"] = rng.choice(v.STAGES)
    if maybe():
        out["setting"] = rng.choice(v.SETTINGS)
    if maybe():
        out["challenge"] = {"type": rng.choice(v.CHALLENGE_TYPES)}
    rated = rng.sample(CFIR, rng.randint(0, 15))
    if rated:
        out["cfir"] = {cid: rng.choice([-2, -2, -1, -1, 0, 1, 2, "mixed"]) for cid in rated}
    if maybe(0.5):
        out["innovation"] = rng.choice(INNOVATIONS)
    if maybe():
        lo = rng.randrange(len(LEVELS))
        out["engagement"] = {"level": LEVELS[lo], "target": LEVELS[rng.randrange(lo, len(LEVELS))]}
    if maybe():
        out["power"] = {"differential": rng.choice(v.LEVELS), "decision_making": rng.choice(v.DECISION_MAKING)}
    if maybe():
        out["relationships"] = {"trust": rng.choice(v.LEVELS)}
    if maybe():
        out["capacity"] = {c: rng.choice(v.LEVELS) for c in v.CAPACITY_TYPES if maybe(0.7)}
    if maybe(0.6):
        out["leadership"] = {"transition": maybe(0.3), "emerging_leaders": maybe(0.5)}
    if maybe():
        out["equity"] = {
            "priority_populations": rng.sample(POPULATIONS, rng.randint(0, 3)),
            "disparities_identified": maybe(0.6),
            "structural_racism_acknowledged": maybe(0.4),
            "community_defined_evidence": maybe(0.3),
            "cultural_adaptation": rng.choice(v.CULTURAL_ADAPTATION),
        }
    return out


def cases(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield case(rng, n)


def write_jsonl(path: Path, count: int, seed: int = 1) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for c in cases(count, seed):
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    return path


def write_folder(path: Path, count: int, seed: int = 1) -> Path:
    import yaml

    path.mkdir(parents=True, exist_ok=True)
    for c in cases(count, seed):
        (path / f"{c['case_id']}.yaml").write_text(yaml.safe_dump(c, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--format", choices=["jsonl", "yaml"], default="jsonl")
    a = ap.parse_args()
    (write_jsonl if a.format == "jsonl" else write_folder)(a.out, a.count, a.seed)


if __name__ == "__main__":
    main()
