"""Batch runs under faults (issue 13, section 5): dying workers, concurrent runs, full disks,
corrupt resume indexes, bad --out and --jobs values."""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

import engine.batch.batchfiles as files_mod
import engine.batch.batchrun as batch_mod
import engine.batch.localpool as localpool
from cli import main
from engine.batch.batchfiles import INDEX, MANIFEST, OUTPUTS, lock, partials
from engine.batch.batchrun import run_batch
from engine.errors import IspAdvisorWarning, OutputError, UsageError

BASIC = FIXTURES / "basic"
PARENT = os.getpid()


def run(inputs: list[Any], out: Path, **kw: Any) -> Any:
    kw.setdefault("jobs", 1)
    return run_batch([str(i) for i in inputs], out, rules=[BASIC], shipped=False, **kw)


def portfolio(path: Path, n: int, marked: set[int] = frozenset()) -> Path:  # type: ignore[assignment]
    rows = []
    for i in range(n):
        case = {"case_id": f"site-{i:03d}", "stage": "installation", "challenge": {"type": "adaptive"}}
        if i in marked:
            case["notes"] = "kill-me"
        rows.append(json.dumps(case))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def two_workers(monkeypatch: Any) -> None:
    """Workers even on a one-core machine (--jobs is capped at the cores)."""
    monkeypatch.setattr(batch_mod, "default_jobs", lambda: 2)


def _killer(marker: Path | None) -> Any:
    """evaluate_item that SIGKILLs its worker on a 'kill-me' case (once, if `marker` is given)."""
    real = batch_mod.evaluate_item

    def evaluate(engine: Any, item: Any, reusable: Any = frozenset()) -> Any:
        payload = item[4]
        if os.getpid() != PARENT and isinstance(payload, bytes) and b"kill-me" in payload:
            if marker is None or not marker.exists():
                if marker is not None:
                    marker.touch()
                os.kill(os.getpid(), signal.SIGKILL)
        return real(engine, item, reusable)

    return evaluate


def test_a_case_that_kills_its_worker_is_one_error_line(tmp_path: Path, monkeypatch: Any, two_workers: None) -> None:
    src = portfolio(tmp_path / "p.jsonl", 100, {40})
    monkeypatch.setattr(batch_mod, "evaluate_item", _killer(None))
    report = run([src], tmp_path / "out", jobs=2)
    assert (report.cases, report.ok, report.failed) == (100, 99, 1)
    results = lines(tmp_path / "out" / "results.jsonl")
    assert [r["case_id"] for r in results] == [f"site-{i:03d}" for i in range(100) if i != 40]
    (error,) = lines(tmp_path / "out" / "errors.jsonl")
    assert error["code"] == "worker_died" and error["line"] == 41 and "died" in error["message"]


def test_a_worker_killed_once_is_retried_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: Any, two_workers: None
) -> None:
    src = portfolio(tmp_path / "p.jsonl", 100, {5, 70})
    monkeypatch.setattr(batch_mod, "evaluate_item", _killer(tmp_path / "killed-once"))
    report = run([src], tmp_path / "out", jobs=2)
    assert (report.ok, report.failed) == (100, 0)
    clean = run([src], tmp_path / "clean", jobs=1)
    assert clean.ok == 100
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()


def test_second_run_into_a_locked_folder_gets_a_clear_error(tmp_path: Path) -> None:
    src = portfolio(tmp_path / "p.jsonl", 3)
    out = tmp_path / "out"
    out.mkdir()
    held = lock(out)  # as a first run would hold it
    try:
        with pytest.raises(UsageError) as err:
            run([src], out, force=True)
        assert err.value.problems[0].code == "locked"
        assert "another batch run is writing to this folder" in err.value.problems[0].message
        assert not (out / "results.jsonl").exists() and partials(out) == []
    finally:
        os.close(held)
    assert run([src], out).ok == 3  # free again once the first run ends


class _Full:
    """A file that takes `room` bytes, then fails like a full disk."""

    def __init__(self, fh: Any, room: list[int]) -> None:
        self.fh, self.room = fh, room

    def write(self, data: bytes) -> int:
        self.room[0] -= len(data)
        if self.room[0] < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return int(self.fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fh, name)

    def __enter__(self) -> _Full:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.fh.close()


def test_full_disk_names_the_file_and_leaves_the_earlier_outputs(tmp_path: Path, monkeypatch: Any) -> None:
    src = portfolio(tmp_path / "p.jsonl", 80)
    out = tmp_path / "out"
    run([src], out)
    before = {n: (out / n).read_bytes() for n in (*OUTPUTS, INDEX)}
    room = [20_000]
    monkeypatch.setattr(files_mod, "open", lambda *a, **k: _Full(open(*a, **k), room), raising=False)
    with pytest.raises(OutputError) as err:
        run([src], out, force=True)
    problem = err.value.problems[0]
    assert problem.file.endswith("results.jsonl") or problem.file.endswith(INDEX)
    assert "No space left on device (ENOSPC)" in problem.message and err.value.exit_code == 2
    assert partials(out) == []  # this run's temp files are gone
    assert {n: (out / n).read_bytes() for n in (*OUTPUTS, INDEX)} == before


def test_manifest_is_written_last_and_describes_the_set(tmp_path: Path, monkeypatch: Any) -> None:
    import hashlib

    src = portfolio(tmp_path / "p.jsonl", 10)
    out = tmp_path / "out"
    run([src], out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    real = os.replace
    done: list[str] = []

    def crash(a: Any, b: Any) -> None:
        if len(done) == 2:
            raise OSError(errno.EIO, "Input/output error")
        done.append(str(b))
        real(a, b)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputError) as err:
        run([portfolio(tmp_path / "q.jsonl", 12)], out, force=True)
    assert "EIO" in err.value.problems[0].message
    assert not (out / MANIFEST).exists()  # a half-renamed set is never described as finished


def test_corrupt_resume_index_is_ignored_with_a_warning(tmp_path: Path) -> None:
    src = portfolio(tmp_path / "p.jsonl", 10)
    out = tmp_path / "out"
    run([src], out)
    for garbage in ('[1, 2]\n{"case_id": 3}\n', '"text"\n', "\x00\xff garbage\n"):
        (out / INDEX).write_text(garbage, encoding="utf-8", errors="surrogateescape")
        with pytest.warns(IspAdvisorWarning, match="resume index is unreadable"):
            report = run([src], out, resume=True)
        assert (report.ok, report.reused) == (10, 0)


def test_empty_out_is_refused(runner: Any, tmp_path: Path) -> None:
    src = portfolio(tmp_path / "p.jsonl", 1)
    with pytest.raises(UsageError) as err:
        run([src], "")  # type: ignore[arg-type]
    assert err.value.problems[0].field == "--out"
    res = runner.invoke(main, ["batch", str(src), "--out", "", "--rules", str(BASIC), "--no-shipped"])
    assert res.exit_code == 2 and "--out: the output folder name is empty" in res.output


def test_jobs_are_capped_at_the_cores_and_the_work(tmp_path: Path, monkeypatch: Any) -> None:
    sizes: list[int] = []
    real = localpool.ProcessPoolExecutor

    def recording(max_workers: int, **kw: Any) -> Any:
        sizes.append(max_workers)
        return real(max_workers, **kw)

    monkeypatch.setattr(localpool, "ProcessPoolExecutor", recording)
    monkeypatch.setattr(batch_mod, "default_jobs", lambda: 8)
    src = portfolio(tmp_path / "p.jsonl", 70)  # 3 chunks of 32
    assert run([src], tmp_path / "a", jobs=400).ok == 70
    assert sizes == [3]
    monkeypatch.setattr(batch_mod, "default_jobs", lambda: 2)
    assert run([src], tmp_path / "b", jobs=400).ok == 70
    assert sizes == [3, 2]
