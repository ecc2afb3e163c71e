"""Batch throughput for issue 14, measured side by side (not a test; see bench/RESULTS.md).

    python bench/throughput.py                 # 2,000 cases, 3 rounds
    python bench/throughput.py --cases 500 --rounds 1

Every configuration (input kind x matcher x --jobs) runs once per round, in the same order, so
that the machine's other load falls on all of them alike; each figure is the median over the
rounds, and the --jobs 2 / --jobs 1 ratio is taken within each round, then the median. Also:
the size of results.jsonl with --explanations full and none, --jobs 2 against --jobs 1 on small
inputs, sweep variants per second in-process, the main process's CPU per case, and a per-stage
profile of one worker's work (perf_counter around each step of engine.batch.batchrun.evaluate_item).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
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

from generate import write_folder, write_jsonl  # noqa: E402
from run import machine  # noqa: E402

PY = sys.executable
CPU_WRAPPER = (
    "import resource, sys, json, time; sys.argv = ['isp-advisor'] + sys.argv[1:]; sys.path.insert(0, %r)\n"
    "from cli import main\n"
    "t = time.perf_counter()\n"
    "try:\n    main(standalone_mode=False)\n"
    "finally:\n"
    "    s = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "    open(%r, 'w').write(json.dumps({'wall': time.perf_counter() - t,"
    " 'main_cpu': s.ru_utime + s.ru_stime, 'workers_cpu': c.ru_utime + c.ru_stime,"
    " 'main_rss_mb': s.ru_maxrss / 1024, 'worker_rss_mb': c.ru_maxrss / 1024}))\n"
)


def matchers() -> list[str]:
    """The matchers `batch --matcher` offers (durable first), from its help text."""
    help_text = subprocess.run(
        [PY, str(ROOT / "cli.py"), "batch", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    if "--matcher" not in help_text:
        return ["durable"]
    return [m for m in ("durable", "python") if m in help_text.split("--matcher", 1)[1][:80]]


def batch_run(src: Path, out: Path, jobs: int, matcher: str | None, work: Path, *extra: str) -> dict[str, float]:
    """One `batch` run in a fresh process: wall time and the main process's own CPU time."""
    report = work / "cpu.json"
    cmd = [
        PY,
        "-c",
        CPU_WRAPPER % (str(ROOT), str(report)),
        "batch",
        str(src),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--force",
        *extra,
    ]
    if matcher:
        cmd += ["--matcher", matcher]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return json.loads(report.read_text())  # type: ignore[no-any-return]


def side_by_side(inputs: dict[str, Path], n: int, rounds: int, work: Path) -> dict[str, Any]:
    kinds = matchers()
    configs = [(kind, m, j) for kind in inputs for m in kinds for j in (1, 2)]
    runs: dict[tuple[str, str, int], list[dict[str, float]]] = {c: [] for c in configs}
    for kind, m, j in configs:  # warm-up: the rule cache, the page cache of the case files
        batch_run(inputs[kind], work / "warm", j, m if len(kinds) > 1 else None, work)
        break
    for _ in range(rounds):
        for c in configs:
            kind, m, j = c
            runs[c].append(
                batch_run(inputs[kind], work / f"out-{kind}-{m}-{j}", j, m if len(kinds) > 1 else None, work)
            )
    out: dict[str, Any] = {}
    for kind in inputs:
        for m in kinds:
            one, two = runs[(kind, m, 1)], runs[(kind, m, 2)]
            out[f"{kind}/{m}"] = {
                "jobs1_cps": statistics.median(n / r["wall"] for r in one),
                "jobs2_cps": statistics.median(n / r["wall"] for r in two),
                "ratio": statistics.median(a["wall"] / b["wall"] for a, b in zip(one, two, strict=True)),
                "main_cpu_ms_per_case_jobs2": statistics.median(1000 * r["main_cpu"] / n for r in two),
                "workers_cpu_ms_per_case_jobs2": statistics.median(1000 * r["workers_cpu"] / n for r in two),
                "jobs1_cpu_ms_per_case": statistics.median(1000 * r["main_cpu"] / n for r in one),
                "rss_mb_jobs2_main_worker": [
                    statistics.median(r["main_rss_mb"] for r in two),
                    statistics.median(r["worker_rss_mb"] for r in two),
                ],
            }
    return out


def small_inputs(work: Path, rounds: int) -> dict[str, Any]:
    """--jobs 2 against --jobs 1 on small inputs (in-process below one chunk, workers above)."""
    out = {}
    for n in (10, 40, 100, 400):
        src = write_jsonl(work / f"small-{n}.jsonl", n, seed=5)
        ones, twos = [], []
        for _ in range(rounds):
            ones.append(batch_run(src, work / "s1", 1, None, work)["wall"])
            twos.append(batch_run(src, work / "s2", 2, None, work)["wall"])
        out[str(n)] = {"jobs1_s": statistics.median(ones), "jobs2_s": statistics.median(twos)}
    return out


def sizes(src: Path, n: int, work: Path) -> dict[str, float]:
    got = {}
    for mode in ("full", "none"):
        out = work / f"size-{mode}"
        batch_run(src, out, 2, None, work, "--explanations", mode)
        got[f"{mode}_kb_per_case"] = (out / "results.jsonl").stat().st_size / n / 1024
    return got


def stages(folder: Path, count: int) -> dict[str, float]:
    """Microseconds per case in each step of one worker's work (this process, durable_rules)."""
    from engine.batch import batchrun as batch
    from engine.batch.digest import case_digest
    from engine.batch.outcomes import RunSettings
    from engine.io import inputs
    from engine.io.caseload import validate_case
    from engine.render import csvrows

    items = list(inputs.items(inputs.plan([str(folder)])))[:count]
    from engine.model.config import EngineConfig

    config = batch.resolved(EngineConfig())
    batch.start(RunSettings(config))
    engine = batch.worker().engine
    batch._work(items[:100])  # warm the shared caches as a long run would have them
    totals: dict[str, float] = {}

    def tick(name: str, t0: float) -> float:
        t1 = time.perf_counter()
        totals[name] = totals.get(name, 0.0) + t1 - t0
        return t1

    collector = contextlib.ExitStack()  # the collector as batch workers have it (engine/batch/batchrun.py)
    collector.enter_context(batch._collector_tuned())
    for item in items:
        t = time.perf_counter()
        text = inputs.content(item)
        t = tick("read", t)
        sha = inputs.content_hash(item, text)
        t = tick("hash", t)
        doc = inputs.to_document(item, text)
        t = tick("parse YAML", t)
        case = validate_case(doc)
        t = tick("validate", t)
        facts, origins = engine.case_facts(case)
        firing = engine.fire(facts)
        t = tick("match", t)
        result = engine._result(firing, case.case_id, None, origins)
        t = tick("proofs, recommendations, plan", t)
        line = result.to_json(engine.shared)
        t = tick("JSON line", t)
        digest = case_digest(case)
        csvrows.result_text(result.case_id, digest["site"], result.placed(), None, engine.shared)
        t = tick("CSV rows", t)
        batch._slim({"case_id": case.case_id, "recommendations": batch._rec_dicts(result)}, engine)
        tick("summary digest", t)
        del sha, line
    collector.close()
    return {k: 1e6 * v / len(items) for k, v in totals.items()}


def sweep_rate(repeat: int) -> dict[str, float]:
    from engine import load_case, load_engine
    from engine.batch.sweep import parse_varies, sweep

    engine = load_engine()
    case = load_case(ROOT / "cases" / "riverside-fqhc.yaml")
    varies = parse_varies(
        ["cfir.innovation.complexity", "cfir.inner_setting.culture", "engagement.level", "relationships.trust"], 2000
    )
    sweep(engine, case, parse_varies(["engagement.level"]))
    times = []
    n = 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(sweep(engine, case, varies).variants)
        times.append(time.perf_counter() - t)
    return {"variants": n, "variants_per_s": n / statistics.median(times)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="isp-bench14-"))
    os.environ["ISP_ADVISOR_CACHE"] = str(work / "rule-cache")
    try:
        inputs = {
            "yaml": write_folder(work / "yaml", a.cases, seed=1),
            "jsonl": write_jsonl(work / "cases.jsonl", a.cases, seed=1),
        }
        figures: dict[str, Any] = {
            "machine": machine(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_before": os.getloadavg(),
            "cases": a.cases,
            "rounds": a.rounds,
        }
        figures["batch"] = side_by_side(inputs, a.cases, a.rounds, work)
        figures["small_inputs"] = small_inputs(work, a.rounds)
        figures["results_size"] = sizes(inputs["jsonl"], a.cases, work)
        figures["stages_us"] = stages(inputs["yaml"], min(a.cases, 1000))
        figures["sweep"] = sweep_rate(a.rounds)
        figures["load_after"] = os.getloadavg()
        figures["peak_rss_mb_bench"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
