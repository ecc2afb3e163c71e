"""Matching alone, per matcher: durable_rules with one reused session per ruleset (the default),
durable_rules with a fresh session per case (as before), and the plain compiled matcher.

Each configuration matches the same generated cases (derived facts included, stratum by stratum)
through the engine's own Matcher interface; the figure is the median of several runs. The rules
fired are compared between configurations on every case before anything is timed.

    python bench/matchers.py [--cases 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import cases as generated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from engine import case_from_data, load_engine
    from engine.evaluation.durablematcher import DurableMatcher
    from engine.evaluation.pymatcher import PythonMatcher

    engine = load_engine(matcher="python")
    facts = [engine.case_facts(case_from_data(c))[0] for c in generated(args.cases, seed=2)]
    pairs = [[(r.id, r.when) for r in s] for s in engine.strata]
    reused, fresh, plain = DurableMatcher(pairs), DurableMatcher(pairs), PythonMatcher(pairs)
    fresh.reuse = False
    configs = {
        "durable, one session reused": reused,
        "durable, a session per case": fresh,
        "plain compiled matcher": plain,
    }

    def run(matcher: object) -> list[tuple[str, ...]]:
        out = []
        for f in facts:
            with matcher.session() as s:  # type: ignore[attr-defined]
                out.append(engine._match(f, s).fired)
        return out

    expected = run(plain)
    for name, m in configs.items():
        assert run(m) == expected, f"{name} fired different rules"

    def timed(matcher: object) -> float:
        t = time.perf_counter()
        for f in facts:
            with matcher.session() as s:  # type: ignore[attr-defined]
                engine._match(f, s)
        return time.perf_counter() - t

    print(
        f"{args.cases} generated cases, {len(engine.rules)} rules in {len(engine.strata)} strata; "
        f"median of {args.repeat} runs; Python {platform.python_version()}, {platform.machine()}"
    )
    for name, m in configs.items():
        seconds = statistics.median(timed(m) for _ in range(args.repeat))
        print(f"  {name:32} {seconds / args.cases * 1e6:8.0f} µs a case  {args.cases / seconds:8.0f} cases/s")


if __name__ == "__main__":
    main()
