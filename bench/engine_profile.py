"""Per-case cost of `Engine.evaluate` + `Result.to_json()` in-process (not a test; see bench/RESULTS.md).

    python bench/engine_profile.py --cases 600 --rounds 5     # median per-case figures
    python bench/engine_profile.py --cases 600 --profile      # cProfile, top functions by own time

Each round evaluates the same generated cases (seed 1) with a fresh engine, so the shared caches
start empty each round as they do in a new batch worker; a warm-up pass of 100 other cases fills
the rule base's one-off structures first. `--digest` prints a SHA-256 of every output line, to
check a change leaves the output byte-identical.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

from engine.evaluation.runner import Engine, load_engine  # noqa: E402
from engine.model.case import Case  # noqa: E402


def cases(n: int, seed: int) -> list[Case]:
    return [Case.model_validate(c) for c in generate.cases(n, seed)]


def one_round(engine: Engine, batch: list[Case]) -> tuple[float, float, str]:
    """CPU seconds a case for evaluate and for to_json (CPU time: the machine is shared), and the
    digest of the output."""
    digest = hashlib.sha256()
    t_eval = t_json = 0.0
    for case in batch:
        t0 = time.process_time()
        result = engine.evaluate(case)
        t1 = time.process_time()
        text = result.to_json(engine.shared)
        t2 = time.process_time()
        t_eval += t1 - t0
        t_json += t2 - t1
        digest.update(text.encode())
    return t_eval / len(batch), t_json / len(batch), digest.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--digest", action="store_true")
    args = ap.parse_args()
    batch = cases(args.cases, 1)
    warm = cases(100, 2)
    if args.profile:
        engine = load_engine()
        one_round(engine, warm)
        prof = cProfile.Profile()
        prof.enable()
        one_round(engine, batch)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    evals, jsons, totals, digests = [], [], [], set()
    for _ in range(args.rounds):
        engine = load_engine()
        one_round(engine, warm)
        engine.shared.clear()
        e, j, d = one_round(engine, batch)
        engine.close()
        evals.append(e)
        jsons.append(j)
        totals.append(e + j)
        digests.add(d)
    us = 1e6
    print(
        f"cases {args.cases}, rounds {args.rounds}: evaluate {statistics.median(evals) * us:.0f} us, "
        f"to_json {statistics.median(jsons) * us:.0f} us, total {statistics.median(totals) * us:.0f} us a case "
        f"(totals {', '.join(f'{t * us:.0f}' for t in totals)})"
    )
    if args.digest or len(digests) > 1:
        print("digest", *sorted(digests))


if __name__ == "__main__":
    main()
