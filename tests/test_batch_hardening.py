"""Batch hardening, second round (issue 26): workers die with their main process, a lock whose holder
is gone is stale, SIGTERM cleans up as Ctrl-C does (finding 3); the final publication is all or
nothing and never touches what is not a regular output file (finding 9); the Dask executor never
hangs and refuses bad scheduler addresses (finding 10); an --out folder inside an input folder is
not read as cases (low)."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from cli import main
from engine.batch.batchfiles import INDEX, LOCK, MANIFEST, OUTPUTS, lock, partials
from engine.batch.batchrun import run_batch
from engine.batch.executors import dask_available
from engine.errors import OutputError, UsageError

BASIC = FIXTURES / "basic"
RULES = ["--rules", str(BASIC), "--no-shipped"]
MANY = 6000
"""Generated cases for the runs that are killed: a few seconds with two workers on the basic pack."""


def run(inputs: list[Any], out: Path, **kw: Any) -> Any:
    kw.setdefault("jobs", 1)
    return run_batch([str(i) for i in inputs], out, rules=[BASIC], shipped=False, **kw)


def cases_jsonl(path: Path, n: int, tag: str = "site") -> Path:
    rows = [
        json.dumps(
            {
                "case_id": f"{tag}-{i:04d}",
                "stage": "installation",
                "challenge": {"type": ["adaptive", "technical"][i % 2]},
                "power": {"differential": ["high", "low"][i % 3 == 0], "decision_making": "shared"},
            }
        )
        for i in range(n)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in (*OUTPUTS, INDEX) if (out / n).exists()}


# ---------------------------------------------------------------- finding 3: workers die with the run


def _proc_state(pid: int) -> str | None:
    """The state letter of a process (R, S, Z...), None when it is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data.rsplit(")", 1)[1].split()[0]


def _alive(pid: int) -> bool:
    return _proc_state(pid) not in (None, "Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                data = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(data.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _workers_started(proc: subprocess.Popen[bytes], want: int = 2, within: float = 60.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1].decode()
        kids = [k for k in _children(proc.pid) if _alive(k)]
        if len(kids) >= want:
            return kids
        time.sleep(0.05)
    raise AssertionError("the batch started no workers")


def _all_dead(pids: list[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def _batch(cases: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "batch",
            str(cases),
            "--out",
            str(out),
            "--jobs",
            "2",
            "-q",
            *RULES,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _lock_is_free(out: Path) -> bool:
    fd = os.open(out / LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    path = folder / "cases.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(MANY), "--seed", "7", "--out", str(path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return path


needs_linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@needs_linux
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="two workers need two cores")
def test_kill_9_of_the_main_process_takes_its_workers_and_resume_works(tmp_path: Path, many: Path) -> None:
    out = tmp_path / "out"
    proc = _batch(many, out)
    workers = _workers_started(proc)
    time.sleep(0.5)  # some chunks finished and flushed
    assert proc.poll() is None, "the run ended before it could be killed: give it more cases"
    proc.kill()
    proc.communicate()
    assert _all_dead(workers), f"workers still running after their main process was killed: {workers}"
    assert not (out / "results.jsonl").exists() and len(partials(out)) >= 2  # stopped mid-run
    assert _lock_is_free(out)
    resumed = _batch(many, out, "--resume")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    clean = _batch(many, tmp_path / "clean")
    _, err = clean.communicate(timeout=120)
    assert clean.returncode == 0, err.decode()
    assert (out / "results.jsonl").read_bytes() == (tmp_path / "clean" / "results.jsonl").read_bytes()
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == {n: (tmp_path / "clean" / n).read_bytes() for n in OUTPUTS}


@needs_linux
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="two workers need two cores")
def test_sigterm_stops_the_run_and_cleans_up_as_ctrl_c_does(tmp_path: Path, many: Path) -> None:
    out = tmp_path / "out"
    proc = _batch(many, out)
    workers = _workers_started(proc)
    time.sleep(0.5)
    assert proc.poll() is None, "the run ended before it could be stopped: give it more cases"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err.decode()
    assert "--resume" in err.decode() and "Traceback" not in err.decode()
    assert _all_dead(workers)
    assert _lock_is_free(out)
    assert not any((out / n).exists() for n in OUTPUTS)
    kept = sorted(p.name for p in partials(out))  # as after Ctrl-C: the partial results and their index only
    assert len(kept) == 2 and kept[0].endswith(f".{INDEX}.partial") and kept[1].endswith(".results.jsonl.partial")
    resumed = _batch(many, out, "--resume")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    assert partials(out) == []


@needs_linux
@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_a_worker_dies_with_its_parent(platform: str) -> None:
    """The parent-death signal (Linux) and, where there is none (`darwin`: prctl left out), the watcher
    thread: either way a worker whose parent ends follows it within a second or so."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import os, sys, time\n"
                f"sys.path.insert(0, {str(ROOT)!r})\n"
                "import engine.batch.batchrun as batch\n"
                "parent = os.getpid()\n"
                "child = os.fork()\n"
                "if child == 0:\n"
                "    null = os.open(os.devnull, os.O_RDWR)\n"
                "    for n in (0, 1, 2):\n"
                "        os.dup2(null, n)\n"
                f"    sys.platform = {platform!r}\n"
                "    batch.die_with_parent(parent)\n"
                "    time.sleep(60)\n"
                "    os._exit(0)\n"
                "print(child, flush=True)\n"
                "time.sleep(0.5)\n"
                "os._exit(0)\n"
            ),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    worker = int(done.stdout)
    try:
        assert _all_dead([worker], within=3.0), "the worker outlived its parent"
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def _holder_gone() -> int:
    """The pid of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@needs_linux
@pytest.mark.parametrize("recorded", [True, False])
def test_a_lock_whose_holder_is_gone_is_stale(tmp_path: Path, recorded: bool) -> None:
    """As workers orphaned by an earlier version left it: they hold the lock file (inherited), the run
    that took it is gone. `recorded`: the lock file names that run (this version); else it is empty
    (an earlier version) and the kernel's /proc/locks names it."""
    out = tmp_path / "out"
    out.mkdir()
    record = "os.write(fd, json.dumps({'pid': os.getpid(), 'host': os.uname().nodename}).encode())\n"
    taker = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import fcntl, json, os, sys, time\n"
                f"fd = os.open({str(out / LOCK)!r}, os.O_RDWR | os.O_CREAT)\n"
                "fcntl.flock(fd, fcntl.LOCK_EX)\n" + (record if recorded else "") + "child = os.fork()\n"
                "if child == 0:\n"
                "    os.setsid()\n"
                "    null = os.open(os.devnull, os.O_RDWR)\n"
                "    for n in (0, 1, 2):\n"
                "        os.dup2(null, n)\n"
                "    time.sleep(120)\n"
                "    os._exit(0)\n"
                "print(child, flush=True)\n"
                "os._exit(0)\n"
            ),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    orphan = int(taker.stdout)
    try:
        assert not _lock_is_free(out)  # the orphan holds it
        report = run([cases_jsonl(tmp_path / "p.jsonl", 5)], out)
        assert report.ok == 5
    finally:
        os.kill(orphan, signal.SIGKILL)


def test_a_lock_held_by_a_live_run_is_refused_and_names_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    held = lock(out)
    try:
        with pytest.raises(UsageError) as err:
            run([cases_jsonl(tmp_path / "p.jsonl", 2)], out, force=True)
        problem = err.value.problems[0]
        assert problem.code == "locked" and f"process {os.getpid()}" in problem.message
    finally:
        os.close(held)


def test_a_lock_file_that_is_a_symlink_is_refused(runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    (out / LOCK).symlink_to(precious)
    res = runner.invoke(main, ["batch", str(cases_jsonl(tmp_path / "p.jsonl", 2)), "--out", str(out), *RULES])
    assert res.exit_code == 2 and LOCK in res.output and "symbolic link" in res.output, res.output
    assert precious.read_text() == "keep me\n" and (out / LOCK).is_symlink()


# ---------------------------------------------------------------- finding 9: all or nothing


@pytest.mark.parametrize("fail_on", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("call", ["replace", "rename"])
def test_a_failed_rename_leaves_the_earlier_outputs_whole(
    tmp_path: Path, monkeypatch: Any, call: str, fail_on: int
) -> None:
    out = tmp_path / "out"
    run([cases_jsonl(tmp_path / "a.jsonl", 20, "old")], out)
    before = outputs(out)
    names = sorted(os.listdir(out))
    real = getattr(os, call)
    calls = [0]

    def flaky(src: Any, dst: Any, *a: Any, **k: Any) -> None:
        calls[0] += 1
        if calls[0] == fail_on:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, *a, **k)

    monkeypatch.setattr(os, call, flaky)
    try:
        run([cases_jsonl(tmp_path / "b.jsonl", 7, "new")], out, force=True)
    except OutputError as exc:
        assert "EIO" in exc.problems[0].message and "not replaced" in exc.problems[0].hint
    else:
        assert calls[0] < fail_on, "a failed rename was not reported"
        return
    monkeypatch.setattr(os, call, real)
    assert outputs(out) == before  # every earlier file, byte for byte, and the manifest describing them
    assert sorted(os.listdir(out)) == names  # nothing new left behind (no temp or set-aside files)


def test_a_failed_rename_keeps_the_earlier_tables(tmp_path: Path, monkeypatch: Any) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    run([cases_jsonl(tmp_path / "a.jsonl", 20, "old")], out, tables_format="parquet")
    before = {n: (out / n).read_bytes() for n in os.listdir(out) if n != LOCK}
    real = os.replace
    calls = [0]

    def flaky(src: Any, dst: Any) -> None:
        calls[0] += 1
        if calls[0] == 4:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OutputError):
        run([cases_jsonl(tmp_path / "b.jsonl", 7, "new")], out, force=True)  # no tables this time
    monkeypatch.setattr(os, "replace", real)
    assert {n: (out / n).read_bytes() for n in os.listdir(out) if n != LOCK} == before


@pytest.mark.parametrize("name", ["results.jsonl", "summary.md", MANIFEST, "cases.parquet", INDEX])
@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_what_is_not_a_regular_output_file_is_never_replaced_or_removed(
    runner: Any, tmp_path: Path, kind: str, name: str
) -> None:
    out = tmp_path / "out"
    run([cases_jsonl(tmp_path / "a.jsonl", 3)], out)
    (out / name).unlink(missing_ok=True)
    target = tmp_path / "elsewhere.txt"
    target.write_text("not the tool's\n")
    if kind == "fifo":
        os.mkfifo(out / name)
    else:
        (out / name).symlink_to(target)
    for flag in ("--force", "--resume"):
        res = runner.invoke(main, ["batch", str(tmp_path / "a.jsonl"), "--out", str(out), flag, *RULES])
        assert res.exit_code == 2 and name in res.output, res.output
        assert "Traceback" not in res.output and "internal error" not in res.output
    mode = os.lstat(out / name).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISLNK(mode)
    assert target.read_text() == "not the tool's\n"


@needs_linux
def test_a_fifo_named_like_a_partial_file_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = cases_jsonl(tmp_path / "a.jsonl", 3)
    run([src], out)
    fifos = [out / f".batch-1-abcd.{n}.partial" for n in ("results.jsonl", INDEX)]
    for f in fifos:
        os.mkfifo(f)
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "batch", str(src), "--out", str(out), "--resume", *RULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert all(stat.S_ISFIFO(os.lstat(f).st_mode) for f in fifos)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_sweep_never_replaces_a_variants_table_that_is_not_a_file(runner: Any, tmp_path: Path, kind: str) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "tables"
    out.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("not the tool's\n")
    if kind == "fifo":
        os.mkfifo(out / "variants.parquet")
    else:
        (out / "variants.parquet").symlink_to(target)
    res = runner.invoke(
        main,
        [
            "sweep",
            str(cases_jsonl(tmp_path / "a.jsonl", 3)),
            "--vary",
            "power.differential",
            "--tables",
            "parquet",
            "--out",
            str(out),
            "--force",
            *RULES,
        ],
    )
    assert res.exit_code == 2 and "variants.parquet" in res.output, res.output
    mode = os.lstat(out / "variants.parquet").st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISLNK(mode)
    assert target.read_text() == "not the tool's\n" and sorted(os.listdir(out)) == ["variants.parquet"]


# ---------------------------------------------------------------- finding 10: Dask


dask_only = pytest.mark.skipif(not dask_available(), reason="dask.distributed is not installed")

BAD_ADDRESSES = [
    "",
    " ",
    "127.0.0.1",
    "inproc://",
    "tls://",
    "tls://127.0.0.1:8786",
    "wss://127.0.0.1:8786",
    "file:///tmp/scheduler.json",
    "ucx://127.0.0.1:8786",
    "tcp://",
    "tcp://127.0.0.1:http",
    "tcp://127.0.0.1:0",
    "tcp://127.0.0.1:99999",
    "tcp://:8786",
    "127.0.0.1:8786/x",
    "tcp://[::1:8786",
]


@dask_only
@pytest.mark.parametrize("address", BAD_ADDRESSES)
@pytest.mark.parametrize("command", ["batch", "sweep"])
def test_a_bad_scheduler_address_exits_2_with_a_hint(runner: Any, tmp_path: Path, address: str, command: str) -> None:
    src = str(cases_jsonl(tmp_path / "a.jsonl", 3))
    extra = ["--out", str(tmp_path / "o")] if command == "batch" else ["--vary", "power.differential"]
    started = time.monotonic()
    res = runner.invoke(main, [command, src, *extra, "--executor", "dask", "--scheduler", address, *RULES])
    assert res.exit_code == 2, res.output
    assert "--scheduler" in res.output and "tcp://" in res.output, res.output
    assert "internal error" not in res.output and "unpack" not in res.output
    assert time.monotonic() - started < 5  # refused before connecting, no LocalCluster started
    assert not (tmp_path / "o").exists()


@pytest.fixture
def silent_scheduler() -> Iterator[str]:
    """A TCP server that accepts connections and never says a word."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        srv.close()


@dask_only
@pytest.mark.parametrize("command", ["batch", "sweep"])
def test_a_scheduler_that_accepts_and_never_answers_times_out(
    tmp_path: Path, silent_scheduler: str, command: str
) -> None:
    src = str(cases_jsonl(tmp_path / "a.jsonl", 3))
    extra = ["--out", str(tmp_path / "o")] if command == "batch" else ["--vary", "power.differential"]
    started = time.monotonic()
    try:
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "cli.py"),
                command,
                src,
                *extra,
                "--executor",
                "dask",
                "--scheduler",
                silent_scheduler,
                *RULES,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=90,
            env={**os.environ, "ISP_ADVISOR_DASK_TIMEOUT": "2"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the command hangs on a scheduler that never answers")
    assert done.returncode == 2, done.stderr
    assert "did not answer as a Dask scheduler within 2 s" in done.stderr, done.stderr
    assert "ISP_ADVISOR_DASK_TIMEOUT" in done.stderr
    assert time.monotonic() - started < 60
    # only the tool's own lines: none of distributed's log lines, no traceback
    assert all(line.startswith(("error:", "warning:")) for line in done.stderr.splitlines()), done.stderr


def slow_chunk(chunk: list[Any], settings: Any) -> list[Any]:
    from engine.batch.batchrun import run_chunk

    time.sleep(0.3)
    return list(run_chunk(chunk, settings))


def _in_thread(call: Any, within: float = 90.0) -> Any:
    """call() in a thread; its result or exception, or a failure if it is still running after `within`."""
    box: dict[str, Any] = {}

    def go() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(within)
    if thread.is_alive():
        pytest.fail("the batch hangs")
    return box


@pytest.fixture
def cluster(request: Any) -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        made = distributed.LocalCluster(
            n_workers=request.param,
            threads_per_worker=1,
            processes=False,
            protocol="tcp",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
    try:
        yield made
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            made.close()


@dask_only
@pytest.mark.parametrize("cluster", [0], indirect=True)
def test_a_cluster_without_workers_stops_the_run_with_a_message(tmp_path: Path, monkeypatch: Any, cluster: Any) -> None:
    from engine.errors import EngineError

    monkeypatch.setenv("ISP_ADVISOR_DASK_TIMEOUT", "2")
    out = tmp_path / "out"
    box = _in_thread(
        lambda: run([cases_jsonl(tmp_path / "a.jsonl", 40)], out, executor="dask", scheduler=cluster.scheduler_address)
    )
    err = box.get("error")
    assert isinstance(err, EngineError) and err.exit_code == 1, box
    assert "no workers" in err.problems[0].message and "ISP_ADVISOR_DASK_TIMEOUT" in err.problems[0].hint
    assert not any((out / n).exists() for n in OUTPUTS)


@dask_only
@pytest.mark.parametrize("cluster", [1], indirect=True)
def test_a_cluster_that_loses_all_its_workers_mid_run_stops_with_a_message(
    tmp_path: Path, monkeypatch: Any, cluster: Any
) -> None:
    from engine.batch.executors import DaskExecutor
    from engine.errors import EngineError

    monkeypatch.setenv("ISP_ADVISOR_DASK_TIMEOUT", "2")
    done: list[int] = []

    def progress(n: int) -> None:
        if not done:
            cluster.scale(0)  # every worker leaves; the remaining chunks have nowhere to run
        done.append(n)

    src = cases_jsonl(tmp_path / "a.jsonl", 640)
    out = tmp_path / "out"
    box = _in_thread(
        lambda: run([src], out, executor=DaskExecutor(cluster.scheduler_address, task=slow_chunk), progress=progress)
    )
    err = box.get("error")
    assert isinstance(err, EngineError) and "no workers" in err.problems[0].message, box
    assert done and sum(done) < 640
    assert "--resume" in err.problems[0].hint and len(partials(out)) == 2  # the finished cases are kept
    cluster.scale(1)
    cluster.wait_for_workers(1, timeout=30)
    again = run([src], out, resume=True, executor="dask", scheduler=cluster.scheduler_address)
    assert again.reused >= sum(done) and again.ok == 640
    run([src], tmp_path / "local")
    assert outputs(out) == outputs(tmp_path / "local")


@dask_only
@pytest.mark.parametrize("cluster", [1], indirect=True)
def test_distributed_log_lines_are_silenced_while_the_executor_runs(tmp_path: Path, cluster: Any) -> None:
    names = ["distributed", "distributed.client", "distributed.scheduler", "distributed.worker", "distributed.nanny"]
    before = {n: logging.getLogger(n).level for n in names}
    seen: list[bool] = []

    def progress(n: int) -> None:
        seen.append(any(logging.getLogger(x).isEnabledFor(logging.WARNING) for x in names))

    run(
        [cases_jsonl(tmp_path / "a.jsonl", 100)],
        tmp_path / "out",
        executor="dask",
        scheduler=cluster.scheduler_address,
        progress=progress,
    )
    assert seen and not any(seen)
    assert {n: logging.getLogger(n).level for n in names} == before  # restored afterwards


# ---------------------------------------------------------------- low: --out inside an input folder


def test_an_out_folder_inside_an_input_folder_is_not_read_as_cases(runner: Any, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for i in range(3):
        (cases / f"c{i}.yaml").write_text(f"case_id: c{i}\nstage: installation\n", encoding="utf-8")
    out = cases / "out"
    assert run([cases], out).cases == 3
    before = outputs(out)
    again = run([cases], out, force=True)
    assert (again.cases, again.failed) == (3, 0)  # manifest.json and the rest are not cases
    assert outputs(out) == before
    # an input named inside --out (or --out itself) is refused
    for inside in (out / "results.jsonl", out):
        res = runner.invoke(main, ["batch", str(inside), "--out", str(out), "--force", *RULES])
        assert res.exit_code == 2 and "inside --out" in res.output, res.output
