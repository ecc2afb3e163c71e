"""The Dask executor: the same bytes as local processes, in the same order; a case that kills its
worker is one error line; resume works; a LocalCluster when no scheduler is given.

Runs on a LocalCluster (two worker processes on this machine); skipped when dask.distributed is
not installed (`pip install '.[dask]'`; .ci/run installs it).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

distributed = pytest.importorskip("distributed")

import engine.batch.executors as executors_mod  # noqa: E402
from cli import main  # noqa: E402
from engine.batch.batchfiles import INDEX, OUTPUTS  # noqa: E402
from engine.batch.batchrun import run_batch, run_chunk  # noqa: E402
from engine.batch.executors import DaskExecutor  # noqa: E402
from engine.batch.sweep import parse_varies, sweep_portfolio  # noqa: E402
from engine.errors import UsageError  # noqa: E402

BASIC = FIXTURES / "basic"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    import dask

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
            )
    try:
        yield cluster.scheduler_address
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cluster.close()


def inputs(root: Path, n: int = 70, marked: int | None = None) -> list[str]:
    """Good and bad cases of every input kind (a folder of YAML, JSON Lines, CSV)."""
    (root / "folder").mkdir(parents=True)
    (root / "folder" / "a.yaml").write_text("case_id: folder-a\nstage: installation\nchallenge: {type: mixed}\n")
    (root / "folder" / "b.yaml").write_text("case_id: folder-b\nstage: instalation\n")
    rows = []
    for i in range(n):
        case: dict[str, Any] = {
            "case_id": f"site-{i:03d}",
            "challenge": {"type": ["adaptive", "technical"][i % 2]},
            "engagement": {"level": "inform", "target": "collaborate"},
            "power": {"differential": ["high", "low"][i % 3 == 0], "decision_making": "shared"},
        }
        if i == marked:
            case["notes"] = "kill-me"
        rows.append(json.dumps(case))
    rows.insert(5, "{not json")
    (root / "many.jsonl").write_text("\n".join(rows) + "\n")
    (root / "sites.csv").write_text("case_id,engagement.level,power.differential\ncsv-1,inform,high\ncsv-2,x,low\n")
    return [str(root / "folder"), str(root / "many.jsonl"), str(root / "sites.csv")]


def run(srcs: list[str], out: Path, **kw: Any) -> Any:
    return run_batch(srcs, out, rules=[BASIC], shipped=False, **kw)


def files(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in OUTPUTS}


def test_dask_gives_the_same_bytes_as_local_processes(tmp_path: Path, scheduler: str) -> None:
    srcs = inputs(tmp_path / "in")
    local = run(srcs, tmp_path / "local", jobs=1)
    dask = run(srcs, tmp_path / "dask", executor="dask", scheduler=scheduler)
    assert (dask.cases, dask.ok, dask.failed) == (local.cases, local.ok, local.failed) == (75, 72, 3)
    assert files(tmp_path / "dask") == files(tmp_path / "local")


def test_resume_on_dask_reuses_the_finished_cases(tmp_path: Path, scheduler: str) -> None:
    srcs = inputs(tmp_path / "in", n=10)
    run(srcs, tmp_path / "o", executor="dask", scheduler=scheduler)
    before = {**files(tmp_path / "o"), INDEX: (tmp_path / "o" / INDEX).read_bytes()}
    again = run(srcs, tmp_path / "o", executor="dask", scheduler=scheduler, resume=True)
    assert again.reused == again.ok == 12
    assert {**files(tmp_path / "o"), INDEX: (tmp_path / "o" / INDEX).read_bytes()} == before


def killing_chunk(chunk: list[Any], settings: Any) -> list[Any]:
    """run_chunk, except that a chunk holding a 'kill-me' case kills its worker process."""
    if any(isinstance(item[4], bytes) and b"kill-me" in item[4] for item in chunk):
        os._exit(1)
    return run_chunk(chunk, settings)


def test_a_case_that_kills_its_dask_worker_is_one_error_line(tmp_path: Path, scheduler: str) -> None:
    srcs = inputs(tmp_path / "in", n=40, marked=7)
    report = run(srcs, tmp_path / "dask", executor=DaskExecutor(scheduler, task=killing_chunk))
    clean = run(srcs, tmp_path / "local", jobs=1)
    assert (report.cases, report.ok, report.failed) == (clean.cases, clean.ok - 1, clean.failed + 1)
    errors = [json.loads(x) for x in (tmp_path / "dask" / "errors.jsonl").read_text().splitlines()]
    died = [e for e in errors if e["code"] == "worker_died"]
    assert len(died) == 1 and died[0]["row"] == 9 and "died" in died[0]["message"]
    results = [json.loads(x)["case_id"] for x in (tmp_path / "dask" / "results.jsonl").read_text().splitlines()]
    expected = [json.loads(x)["case_id"] for x in (tmp_path / "local" / "results.jsonl").read_text().splitlines()]
    assert results == [c for c in expected if c != "site-007"]


def test_a_portfolio_sweep_on_dask_gives_the_local_figures(tmp_path: Path, scheduler: str) -> None:
    srcs = inputs(tmp_path / "in", n=12)
    varies = parse_varies(["power.differential", "challenge.type"])
    local = sweep_portfolio(srcs, varies, rules=[BASIC], shipped=False).to_dict()
    dask = sweep_portfolio(srcs, varies, rules=[BASIC], shipped=False, executor="dask", scheduler=scheduler)
    assert dask.to_dict() == local and local["cases"] == 14


def test_without_a_scheduler_a_local_cluster_is_started(tmp_path: Path) -> None:
    srcs = inputs(tmp_path / "in", n=3)
    local = run(srcs, tmp_path / "local", jobs=1)
    dask = run(srcs, tmp_path / "dask", executor="dask", jobs=1)
    assert dask.ok == local.ok == 5
    assert files(tmp_path / "dask") == files(tmp_path / "local")


def test_executor_choices_are_checked_before_any_case(tmp_path: Path, monkeypatch: Any) -> None:
    srcs = inputs(tmp_path / "in", n=1)
    with pytest.raises(UsageError) as err:
        run(srcs, tmp_path / "a", scheduler="tcp://127.0.0.1:1")
    assert err.value.problems[0].field == "--scheduler" and "--executor dask" in err.value.problems[0].message
    monkeypatch.setattr(executors_mod, "dask_available", lambda: False)
    with pytest.raises(UsageError) as err:
        run(srcs, tmp_path / "b", executor="dask")
    assert "pip install" in err.value.problems[0].hint
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_cli_batch_and_sweep_on_dask(runner: Any, tmp_path: Path, scheduler: str) -> None:
    srcs = inputs(tmp_path / "in", n=4)
    common = ["--rules", str(BASIC), "--no-shipped"]
    res = runner.invoke(
        main, ["batch", *srcs, "--out", str(tmp_path / "o"), "--executor", "dask", "--scheduler", scheduler, *common]
    )
    assert res.exit_code == 1 and "9 cases: 6 evaluated, 3 failed" in res.output  # the bad ones
    res = runner.invoke(
        main, ["sweep", *srcs, "--vary", "power.differential", "--executor", "dask", "--scheduler", scheduler, *common]
    )
    assert res.exit_code == 1, res.output  # the 3 unreadable cases are listed and the sweep exits 1 (issue 26)
    assert "power.differential (low, moderate, high) moves the plan of" in res.output
