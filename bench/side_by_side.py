"""Two trees of the project measured side by side, alternating, on the same generated cases (not a test;
figures go to bench/RESULTS.md).

    git worktree add /tmp/before <rev>
    python bench/side_by_side.py /tmp/before . --cases 1500 --rounds 3

Both trees are byte-compiled first, as an installed package is. Whole process as a user times it
(`isp-advisor batch ... --quiet`): `--jobs 2` and `--jobs 1` on YAML files, `--jobs 2` on JSON Lines, a
one-case batch (start-up), the largest worker's peak memory, and a cold `recommend riverside --format json`;
each tree's rule cache is warmed first. Every figure is the median over
the rounds; within a round the trees alternate, so the machine's other load falls on both alike. The output
bytes of the two trees are compared (results.jsonl, recommendations.csv) and reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_folder, write_jsonl  # noqa: E402

PY = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Bytecode as an installed package has it: compiled once, read back (with PYTHONDONTWRITEBYTECODE set, a
tree whose .pyc files are missing or stale would compile its modules on every run: 0.1-0.3 s)."""
WRAPPER = (
    "import json, resource, sys\n"
    "sys.path.insert(0, '.')\n"
    "import cli\n"
    "stats, sys.argv = sys.argv[1], ['isp-advisor', *sys.argv[2:]]\n"
    "try:\n"
    "    getattr(cli, 'run', cli.main)()  # the console script's entry point (cli.run since issue 24's fifth round)\n"
    "finally:\n"
    "    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "    open(stats, 'w').write(json.dumps({'worker_rss_mb': peak}))\n"
)


RIVERSIDE = ["recommend", "cases/riverside-fqhc.yaml", "--format", "json"]


def wall(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of one command, its output discarded."""
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def timed(tree: Path, args: list[str], stats: Path | None = None) -> float:
    """Wall seconds of one `isp-advisor` command run from `tree` (with `stats`: the largest worker's memory
    is written there)."""
    return wall([PY, "-c", WRAPPER, str(stats), *args] if stats else [PY, "cli.py", *args], tree)


def two_trees(description: str, **more: int) -> tuple[dict[str, Path], argparse.Namespace]:
    """The trees named on the command line (before, after), each byte-compiled and its rule cache warmed, and
    the other arguments (`more`: option name -> default)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    for name, default in more.items():
        ap.add_argument(f"--{name}", type=int, default=default)
    a = ap.parse_args()
    trees = {"before": a.before.resolve(), "after": a.after.resolve()}
    for tree in trees.values():
        subprocess.run([PY, "-m", "compileall", "-q", "engine", "webapp", "cli.py"], cwd=tree, check=True, env=ENV)
        timed(tree, RIVERSIDE)  # the rule cache of each tree, warm
    return trees, a


def main() -> None:
    trees, a = two_trees(__doc__.splitlines()[0], cases=1500, rounds=3)
    work = Path(tempfile.mkdtemp(prefix="isp-side-"))
    folder, lines = work / "yaml", work / "cases.jsonl"
    write_folder(folder, a.cases, seed=1)
    write_jsonl(lines, a.cases, seed=1)
    one = work / "one"
    one.mkdir()
    first = sorted(folder.iterdir())[0]
    (one / first.name).write_bytes(first.read_bytes())
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    for _ in range(a.rounds):
        for name, tree in trees.items():
            r = runs[name]
            stats = work / f"stats-{name}.json"
            n = a.cases

            def batch(what: Path, jobs: str, out: str, st: Path | None = None, name: str = name) -> float:
                flags = ["--jobs", jobs, "--quiet", "--force", "--out", str(work / f"{out}-{name}")]
                return timed(trees[name], ["batch", str(what), *flags], st)

            r.setdefault("jobs2_yaml", []).append(n / batch(folder, "2", "yaml2", stats))
            r.setdefault("worker_rss_mb", []).append(json.loads(stats.read_text())["worker_rss_mb"])
            r.setdefault("jobs1_yaml", []).append(n / batch(folder, "1", "yaml1"))
            r.setdefault("jobs2_jsonl", []).append(n / batch(lines, "2", "jsonl2"))
            r.setdefault("one_case_s", []).append(batch(one, "2", "one"))
            r.setdefault("recommend_ms", []).append(1000 * min(timed(tree, RIVERSIDE) for _ in range(3)))
    same = {
        f"{out}/{f}": (work / f"{out}-before" / f).read_bytes() == (work / f"{out}-after" / f).read_bytes()
        for out in ("yaml2", "yaml1", "jsonl2")
        for f in ("results.jsonl", "recommendations.csv")
    }
    report = {
        "cases": a.cases,
        "rounds": a.rounds,
        "medians": {name: {k: round(statistics.median(v), 2) for k, v in r.items()} for name, r in runs.items()},
        "runs": runs,
        "same_bytes": same,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
