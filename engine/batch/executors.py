"""Where a batch's chunks are evaluated: processes on this machine (local) or a Dask cluster (dask).

Both map the same per-chunk function (engine.batch.batchrun._work after engine.batch.batchrun._init) over the
chunks and hand the outcomes back in input order, so the output files are the same bytes
whichever executor ran them. The local executor lives in engine.batch.batchrun (`_ordered`); this module
chooses between them and holds the Dask one, an optional extra (`pip install '.[dask]'`).

With Dask, every worker compiles the rules once (from the same rule folders, which workers must
be able to read, as they must the case files) and checks that the rules' bytes are the ones the
run started with. A chunk whose worker dies is sent again by the scheduler; if it keeps killing
workers it is evaluated case by case, and only the case that kills its worker becomes an error
line (`worker_died`), as with local processes.
"""

from __future__ import annotations

import itertools
import logging
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from typing import Any, Protocol

from engine.errors import EngineError, Problem, UsageError

EXECUTORS = ("local", "dask")
IN_FLIGHT = 4
"""Chunks in flight per worker thread."""
ALLOWED_FAILURES = 1
"""LocalCluster: how often a chunk may be on a worker that dies before it is given up (then case by case)."""

Chunk = list[Any]
Outcomes = list[Any]
Task = Callable[[Chunk, tuple[Any, ...]], Outcomes]


class Executor(Protocol):
    """Maps the per-chunk function over chunks; yields (chunk, outcomes) in input order."""

    def ordered(self, chunks: Iterator[Chunk], jobs: int,
                initargs: tuple[Any, ...]) -> Iterator[tuple[Chunk, Outcomes]]: ...


def choose(executor: str | Executor, scheduler: str | None = None) -> Executor | None:
    """None for the local executor (engine.batch.batchrun runs it); a DaskExecutor for 'dask'.

    Checked before any case runs: an unknown name, a --scheduler without dask, or dask not
    installed is a usage error with the fix.
    """
    if not isinstance(executor, str):
        return executor
    if executor not in EXECUTORS:
        raise UsageError(Problem(field="--executor", code="invalid", message=f"'{executor}' is not an executor",
                                 hint="use local (processes on this machine) or dask"))
    if executor == "local":
        if scheduler:
            raise UsageError(Problem(field="--scheduler", code="clash", message="needs --executor dask",
                                     hint="add --executor dask, or leave out --scheduler"))
        return None
    if not dask_available():
        raise UsageError(Problem(field="--executor", code="not_installed",
                                 message="dask.distributed is not installed",
                                 hint="install the optional extra: pip install 'isp-advisor[dask]' "
                                      "(from a checkout: pip install '.[dask]')"))
    return DaskExecutor(scheduler)


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _distributed() -> Any:
    """dask.distributed, untyped (it is an optional extra; the calls are few and checked by tests)."""
    import importlib

    return importlib.import_module("distributed")


def run_chunk(chunk: Chunk, initargs: tuple[Any, ...]) -> Outcomes:
    """The per-chunk function on a Dask worker: compile the rules once per process, then evaluate."""
    from engine.batch import batchrun as batch

    check_rules(*initargs[:4])
    batch._init(*initargs)
    return batch._work(chunk)


def check_rules(rules: Any, shipped: bool, _: Any, digest: str | None) -> None:
    """On a worker: refuse to evaluate with rule packs whose bytes differ from the run's."""
    from engine.batch import batchrun as batch

    if digest is not None and batch._digest(list(rules), shipped) != digest:
        raise EngineError(Problem(code="rules_differ", message="a Dask worker reads other rule packs than "
                                  "the run started with (different bytes)",
                                  hint="give the workers the same rule folders (a shared file system) "
                                       "and the same isp-advisor version"))


class DaskExecutor:
    """Chunks as Dask tasks: on the cluster at `scheduler` ('tcp://host:8786'), else a LocalCluster.

    The cluster this executor starts is closed when the run ends; one it was pointed at is left
    running. `task` is the per-chunk function (tests give one that kills its worker).
    """

    def __init__(self, scheduler: str | None = None, task: Task = run_chunk) -> None:
        self.scheduler = scheduler
        self.task = task

    def ordered(self, chunks: Iterator[Chunk], jobs: int,
                initargs: tuple[Any, ...]) -> Iterator[tuple[Chunk, Outcomes]]:
        KilledWorker = _distributed().KilledWorker

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the cluster's own start-up notices are not the user's concern
            client, cluster = self._connect(jobs)
        window: deque[tuple[Chunk, Any]] = deque()
        try:
            threads = max(1, sum(client.nthreads().values()))
            n = itertools.count()
            # The run's settings travel with each task, except a resume's set of reusable hashes
            # (large), which is sent to the workers once; it is sent again if workers that held it died.
            shared: list[Any] = [self._share(client, initargs)]

            def submit(chunk: Chunk) -> Any:
                # a unique key per task: the same chunk twice (a resent one) is still evaluated
                return client.submit(self.task, chunk, shared[0], key=f"isp-chunk-{next(n)}", pure=False)

            def take() -> tuple[Chunk, Outcomes]:
                chunk, fut = window.popleft()
                for _ in range(3):
                    try:
                        return chunk, list(fut.result())
                    except KilledWorker:
                        return chunk, self._isolated(client, chunk, initargs, n)
                    except CancelledError:  # the shared settings were lost with their workers
                        shared[0] = self._share(client, initargs)
                        fut = submit(chunk)
                return chunk, list(fut.result())

            for chunk in chunks:
                window.append((chunk, submit(chunk)))
                if len(window) >= threads * IN_FLIGHT:
                    yield take()
            while window:
                yield take()
        finally:
            for _, fut in window:
                fut.cancel()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                client.close()
                if cluster is not None:
                    cluster.close()

    def _connect(self, jobs: int) -> tuple[Any, Any]:
        dist = _distributed()
        if self.scheduler:
            try:
                return dist.Client(self.scheduler, timeout="10s"), None
            except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address ('x', no port)
                raise UsageError(Problem(field="--scheduler", code="unreachable",
                                         message=f"cannot reach the Dask scheduler at {self.scheduler}: {exc}",
                                         hint="check the address (tcp://host:8786) and that the scheduler runs"
                                         )) from None
        import importlib

        with importlib.import_module("dask").config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = dist.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
        return dist.Client(cluster), cluster

    @staticmethod
    def _share(client: Any, initargs: tuple[Any, ...]) -> Any:
        if not initargs[2]:
            return initargs
        return client.scatter([initargs], broadcast=True, hash=False)[0]

    def _isolated(self, client: Any, chunk: Chunk, initargs: tuple[Any, ...], n: Iterator[int]) -> Outcomes:
        """A chunk that kept killing workers, one case a task; a case that still kills becomes an error
        (as engine.batch.batchrun._isolated does with local processes)."""
        from engine.batch.batchrun import worker_died

        KilledWorker = _distributed().KilledWorker

        out: Outcomes = []
        for item in chunk:  # one at a time: a case queued beside the killer would die with it
            fut = client.submit(self.task, [item], initargs, key=f"isp-case-{next(n)}", pure=False)
            try:
                out += fut.result()
            except KilledWorker:
                out.append(worker_died(item))
        return out


__all__ = ["EXECUTORS", "DaskExecutor", "Executor", "choose", "dask_available", "run_chunk"]
