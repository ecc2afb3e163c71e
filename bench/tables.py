"""Parquet tables for issue 25, measured (not a test; see bench/RESULTS.md).

    python bench/tables.py                      # 2,000 generated cases, 3 rounds
    python bench/tables.py --cases 500 --rounds 1

For the same run: the bytes of each table against results.jsonl (with --explanations full and
none), and what the tables cost a case: the batch's wall time with and without --tables parquet
(fresh processes, --jobs 1 and 2, alternating within each round, medians), and the two parts of
that cost measured in this process: building a case's rows from its fresh result (a worker's share,
engine.batch.tablerows.result_tables), from its results line (what --resume does, case_tables) and
writing them (the main process's share, engine.batch.tables.TableSet). Also the shipped example
cases' sizes.
"""

from __future__ import annotations

import argparse
import json
import os
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

from generate import write_jsonl  # noqa: E402
from run import machine  # noqa: E402

PY = sys.executable
TABLES = ("cases.parquet", "items.parquet", "proofs.parquet", "texts.parquet")


def batch(src: Path, out: Path, jobs: int, *extra: str) -> float:
    """One `batch` run in a fresh process: its wall time in seconds."""
    t = time.perf_counter()
    subprocess.run(
        [PY, str(ROOT / "cli.py"), "batch", str(src), "--out", str(out), "--jobs", str(jobs), "--force", "-q", *extra],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return time.perf_counter() - t


def sizes(out: Path, n: int) -> dict[str, Any]:
    jsonl = (out / "results.jsonl").stat().st_size
    got: dict[str, Any] = {"cases": n, "results_jsonl_bytes": jsonl}
    total = 0
    for name in TABLES:
        if (out / name).exists():
            size = (out / name).stat().st_size
            total += size
            got[name] = size
    got["tables_bytes"] = total
    got["tables_per_case_bytes"] = round(total / n)
    got["share_of_jsonl"] = round(total / jsonl, 4)
    return got


def parts(src: Path, out: Path, n: int, work: Path, sample: int = 500) -> dict[str, float]:
    """Microseconds a case: a worker building the rows from its fresh result's objects (`sample` cases,
    evaluated here first), --resume building them from the results lines, and writing them."""
    from engine import load_engine
    from engine.batch import tables
    from engine.batch.tablerows import case_fields, case_tables, result_tables
    from engine.io import inputs
    from engine.io.caseload import validate_case

    engine = load_engine()
    items = list(inputs.items(inputs.plan([str(src)])))[:sample]
    cases = [validate_case(inputs.to_document(i, inputs.content(i))) for i in items]
    results = [engine.evaluate(c) for c in cases]
    t = time.perf_counter()
    for case, result in zip(cases, results, strict=True):
        result_tables(result, case_fields(case))
    fresh = (time.perf_counter() - t) / len(cases)
    index = [json.loads(x) for x in (out / ".isp-batch-index.jsonl").read_text(encoding="utf-8").splitlines()]
    digests = [e["digest"] for e in index if "digest" in e]
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    t = time.perf_counter()
    built = [case_tables(json.loads(line), d["table"]) for line, d in zip(lines, digests, strict=True)]
    resumed = (time.perf_counter() - t) / n
    paths = {name: work / f"w-{name}" for name in TABLES}
    t = time.perf_counter()
    ts = tables.TableSet(paths, {"name": "bench"})
    for b in built:
        ts.add(b)
    ts.close()
    write = (time.perf_counter() - t) / n
    return {
        "worker_build_us_per_case": round(1e6 * fresh),
        "resume_build_us_per_case": round(1e6 * resumed),
        "main_write_us_per_case": round(1e6 * write),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="isp-tables-"))
    try:
        n = args.cases
        src = write_jsonl(work / "cases.jsonl", n, seed=1)
        report: dict[str, Any] = {"machine": machine(), "cases": n, "rounds": args.rounds}
        batch(src, work / "warm", 1)  # the rule cache, the page cache
        walls: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for jobs in (1, 2):
                for extra in ((), ("--tables", "parquet")):
                    key = f"jobs{jobs}{'_tables' if extra else ''}"
                    walls.setdefault(key, []).append(batch(src, work / key, jobs, *extra))
        report["wall_s"] = {k: round(statistics.median(v), 3) for k, v in walls.items()}
        report["tables_ms_per_case"] = {
            f"jobs{j}": round(
                1000
                * statistics.median(t - p for t, p in zip(walls[f"jobs{j}_tables"], walls[f"jobs{j}"], strict=True))
                / n,
                3,
            )
            for j in (1, 2)
        }
        report["sizes_full"] = sizes(work / "jobs1_tables", n)
        report["parts_full"] = parts(src, work / "jobs1_tables", n, work)
        batch(src, work / "none", 2, "--tables", "parquet", "--explanations", "none")
        report["sizes_none"] = sizes(work / "none", n)
        batch(ROOT / "cases", work / "shipped", 1, "--tables", "parquet")
        report["sizes_shipped"] = sizes(
            work / "shipped", len((work / "shipped" / "results.jsonl").read_text(encoding="utf-8").splitlines())
        )
        same = all((work / "jobs1_tables" / t).read_bytes() == (work / "jobs2_tables" / t).read_bytes() for t in TABLES)
        report["jobs1_equals_jobs2"] = same
        print(json.dumps(report, indent=2))
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
