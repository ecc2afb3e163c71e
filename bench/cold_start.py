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

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
DEPS = "import durable.lang, click, yaml, msgspec"
BASELINES = {
    "bare": f"{DEPS}, pydantic",
    "bare_basemodel": f"{DEPS}\nfrom pydantic import BaseModel",
    "bare_one_model": f"{DEPS}\nfrom pydantic import BaseModel\nclass X(BaseModel):\n    a: int = 0\n",
}
RECOMMEND = ["cli.py", "recommend", "cases/riverside-fqhc.yaml", "--format", "json"]


def wall(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()
    trees = {"before": a.before.resolve(), "after": a.after.resolve()}
    for tree in trees.values():
        subprocess.run([PY, "-m", "compileall", "-q", "engine", "webapp", "cli.py"], cwd=tree, check=True, env=ENV)
        wall([PY, *RECOMMEND], tree)  # the rule cache of each tree, warm
    cmds = {name: ([PY, "-c", code], Path("/")) for name, code in BASELINES.items()}
    cmds.update({name: ([PY, *RECOMMEND], tree) for name, tree in trees.items()})
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
