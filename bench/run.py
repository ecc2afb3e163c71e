"""Measure the five batch/engine figures side by side (not a test; see bench/RESULTS.md).

    python bench/run.py                   # full run: 10,000 and 100,000 cases, 5 repeats
    python bench/run.py --quick           # smaller, for a smoke check

1. cold `isp-advisor recommend` on one case vs `python -c "import durable.lang, pydantic, click, yaml"`
2. in-process engine throughput (evaluate), shipped rules, one process
3. the same compiled rulesets driven directly through durable_rules, same facts, no-op actions
4. `batch --jobs 1` and `--jobs 2` throughput on 10,000 cases
5. peak RSS of batch (main process and largest worker) on 10,000 and 100,000 cases
Every figure is the median of several runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import cases as generated  # noqa: E402
from generate import write_jsonl  # noqa: E402

PY = sys.executable
CLI = [PY, str(ROOT / "cli.py")]
RSS_WRAPPER = (
    "import resource, sys, json; sys.argv = ['isp-advisor'] + sys.argv[1:]; sys.path.insert(0, %r)\n"
    "from cli import main\n"
    "try:\n    main(standalone_mode=False)\n"
    "finally:\n"
    "    s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    open(%r, 'w').write(json.dumps({'main_kb': s, 'worker_kb': c}))\n"
)


def timed(cmd: list[str], repeat: int) -> float:
    """Median wall time of a command (output discarded), after one warm-up run."""
    times = []
    for i in range(repeat + 1):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def cold(repeat: int) -> dict[str, float]:
    example = str(ROOT / "cases" / "riverside-fqhc.yaml")
    base = timed([PY, "-c", "import durable.lang, pydantic, click, yaml"], repeat)
    rec = timed(CLI + ["recommend", example, "--format", "json"], repeat)
    return {"baseline_s": base, "recommend_s": rec, "ratio": rec / base}


def in_process(n: int, repeat: int) -> dict[str, float]:
    from engine import case_from_data, load_engine

    engine = load_engine()
    cases = [case_from_data(c) for c in generated(n, seed=2)]
    # the floor: the same compiled conditions, the same encoded facts (derived ones included), no-op actions
    raw = _host_runner([[(r.id, r.when) for r in s] for s in engine.strata], action=lambda rid: _noop)
    facts = []
    for i, c in enumerate(cases):
        fired = engine.fire_python(c.facts())
        facts.append(engine.matcher.encoder.encode(fired.facts, {"sid": f"raw-{i}"}))  # type: ignore[attr-defined]

    def run_engine() -> float:
        t = time.perf_counter()
        for c in cases:
            engine.evaluate(c)
        return time.perf_counter() - t

    def run_json() -> float:
        t = time.perf_counter()
        for c in cases:
            json.dumps(engine.evaluate(c).to_dict(), ensure_ascii=False, separators=(",", ":"))
        return time.perf_counter() - t

    def run_raw() -> float:
        t = time.perf_counter()
        for f in facts:
            for k in range(len(engine.strata)):
                raw.run(k, f)
            raw.forget(f["sid"])
        return time.perf_counter() - t

    def run_match() -> float:  # the engine's own matching only: durable_rules through the adapter, no proofs
        t = time.perf_counter()
        for c in cases:
            engine.fire(c.facts())
        return time.perf_counter() - t

    e = statistics.median(run_engine() for _ in range(repeat))
    j = statistics.median(run_json() for _ in range(repeat))
    r = statistics.median(run_raw() for _ in range(repeat))
    m = statistics.median(run_match() for _ in range(repeat))
    return {
        "cases": n,
        "engine_cps": n / e,
        "engine_json_cps": n / j,
        "raw_cps": n / r,
        "ratio": e / r,
        "match_cps": n / m,
        "match_ratio": e / m,
    }


# ---------------------------------------------------------------- the Host path (benchmark floor)
# The same compiled rulesets dispatched through durable_rules' Host with Python actions: what a plain
# durable_rules program pays. Only this benchmark uses it, so it lives here and reaches into the
# matcher's module for its ruleset definitions (the engine itself never uses durable_rules' Host).


def _host_runner(strata: Any, action: Any) -> Any:
    from durable import engine as durable_engine

    from engine.evaluation import durablematcher as dm

    class SyncHost(durable_engine.Host):  # type: ignore[misc]
        """A Host that runs actions only in the calling thread (no background dispatch threads)."""

        def _run(self) -> None:
            return None

    def each(actions: list[Any]) -> Any:
        def run_all(c: Any) -> None:
            for act in actions:
                act(c)

        return run_all

    class HostRunner:
        def __init__(self) -> None:
            serial = next(dm._ids)
            self.names = [f"isp{serial}_h{i}" for i in range(len(strata))]
            definitions, members = dm._definitions(strata)
            self.host = SyncHost()
            for name, definition in zip(self.names, definitions, strict=True):
                if definition:
                    rules = {
                        rid: {**rule, "run": each([action(r) for r in members.get(rid, (rid,))])}
                        for rid, rule in definition.items()
                    }
                    self.host.register_rulesets({name: rules})
                    self.host.assert_fact(name, {"sid": dm.PRIME, dm.PRIME: 1})
                    self.host.delete_state(name, dm.PRIME)
            self._active = {n for n, d in zip(self.names, definitions, strict=True) if d}

        def run(self, stratum: int, fact: dict[str, Any]) -> None:
            name = self.names[stratum]
            if name in self._active:
                try:
                    self.host.assert_fact(name, fact)
                except durable_engine.MessageNotHandledException:
                    pass

        def forget(self, sid: str) -> None:
            for name in self._active:
                try:
                    self.host.delete_state(name, sid)
                except dm._DurableCoreError:
                    pass

    return HostRunner()


def _noop(c: Any) -> None:
    return None


def batch(path: Path, n: int, jobs: int, repeat: int, work: Path) -> float:
    out = work / f"out-{jobs}"
    secs = timed(CLI + ["batch", str(path), "--out", str(out), "--jobs", str(jobs), "--force"], repeat)
    return n / secs


def rss(path: Path, work: Path, jobs: int, repeat: int) -> dict[str, float]:
    mains, workers = [], []
    for _ in range(repeat):
        report = work / "rss.json"
        code = RSS_WRAPPER % (str(ROOT), str(report))
        subprocess.run(
            [PY, "-c", code, "batch", str(path), "--out", str(work / "out-rss"), "--jobs", str(jobs), "--force"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        got = json.loads(report.read_text())
        mains.append(got["main_kb"] / 1024)
        workers.append(got["worker_kb"] / 1024)
    return {"main_mb": statistics.median(mains), "worker_mb": statistics.median(workers)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="ISP Advisor benchmark")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    n_small, n_big = (2_000, 10_000) if a.quick else (10_000, 100_000)
    work = Path(tempfile.mkdtemp(prefix="isp-bench-"))
    # a private rule cache: the warm-up run of each timed command fills it, as a user's first run would
    os.environ["ISP_ADVISOR_CACHE"] = str(work / "rule-cache")
    try:
        small = write_jsonl(work / "small.jsonl", n_small, seed=1)
        big = write_jsonl(work / "big.jsonl", n_big, seed=1)
        figures: dict[str, Any] = {
            "machine": machine(),
            "date": time.strftime("%Y-%m-%d"),
            "command": "python bench/run.py" + (" --quick" if a.quick else ""),
        }
        figures["cold"] = cold(a.repeat)
        figures["in_process"] = in_process(2_000, a.repeat)
        figures["batch"] = {
            "cases": n_small,
            "jobs1_cps": batch(small, n_small, 1, 3, work),
            "jobs2_cps": batch(small, n_small, 2, 3, work),
        }
        figures["rss"] = {
            "small_cases": n_small,
            "big_cases": n_big,
            "jobs": 2,
            "small": rss(small, work, 2, 3),
            "big": rss(big, work, 2, 1 if not a.quick else 3),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    c, p, b, r = figures["cold"], figures["in_process"], figures["batch"], figures["rss"]
    print(
        f"\n1. cold recommend {c['recommend_s']:.3f}s vs bare imports {c['baseline_s']:.3f}s: {c['ratio']:.2f}x "
        f"(target <= 2.5x)"
    )
    print(f"2. engine in-process: {p['engine_cps']:.0f} cases/s ({p['engine_json_cps']:.0f} with JSON output)")
    print(
        f"3. raw durable_rules: {p['raw_cps']:.0f} cases/s; engine/raw = {p['ratio']:.2f}x (target <= 1.5x); "
        f"matching alone through the adapter {p['match_cps']:.0f} cases/s (engine/matching {p['match_ratio']:.2f}x)"
    )
    print(
        f"4. batch {b['cases']} cases: --jobs 1 {b['jobs1_cps']:.0f} cases/s, --jobs 2 {b['jobs2_cps']:.0f} "
        "cases/s (target >= 1000)"
    )
    small_rss, big_rss = r["small"], r["big"]
    print(
        f"5. peak RSS main/worker: {r['small_cases']} cases {small_rss['main_mb']:.0f}/{small_rss['worker_mb']:.0f}"
        f" MB, {r['big_cases']} cases {big_rss['main_mb']:.0f}/{big_rss['worker_mb']:.0f} MB (target: within 50 MB)"
    )


if __name__ == "__main__":
    main()
