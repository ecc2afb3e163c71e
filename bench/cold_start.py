"""A cold `isp-advisor recommend` of two trees beside bare imports of the dependencies, interleaved (not a
test; figures go to bench/RESULTS.md).

    git worktree add /tmp/before <rev>
    python bench/cold_start.py /tmp/before . --runs 11

Three baselines, because `import pydantic` alone imports none of pydantic's modules (they load on first use):
the issue's (`import durable.lang, pydantic, click, yaml, msgspec`), the same with `from pydantic import
BaseModel`, and the same with one one-field model built, which is what any program that validates with pydantic
pays before its own models. Each tree is byte-compiled and its rule cache warmed first; every figure is the
median (and minimum) of the runs, the commands taking turns so that the machine's other load falls on all alike.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from side_by_side import PY, RIVERSIDE, two_trees, wall  # noqa: E402

DEPS = "import durable.lang, click, yaml, msgspec"
BASELINES = {
    "bare": f"{DEPS}, pydantic",
    "bare_basemodel": f"{DEPS}\nfrom pydantic import BaseModel",
    "bare_one_model": f"{DEPS}\nfrom pydantic import BaseModel\nclass X(BaseModel):\n    a: int = 0\n",
}


def main() -> None:
    trees, a = two_trees(__doc__.splitlines()[0], runs=11)
    cmds = {name: ([PY, "-c", code], Path("/")) for name, code in BASELINES.items()}
    cmds.update({name: ([PY, "cli.py", *RIVERSIDE], tree) for name, tree in trees.items()})
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(a.runs):
        for name, (cmd, cwd) in cmds.items():
            times[name].append(wall(cmd, cwd))
    out: dict[str, dict[str, float]] = {
        k: {"median_ms": round(1000 * statistics.median(v)), "min_ms": round(1000 * min(v))} for k, v in times.items()
    }
    for tree in trees:
        for base in BASELINES:
            out[tree][f"x_{base}"] = round(statistics.median(times[tree]) / statistics.median(times[base]), 2)
    print(json.dumps({"runs": a.runs, "figures": out}, indent=1))


if __name__ == "__main__":
    main()
