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
import os
import re
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from typing import Any, Protocol

from engine.batch.outcomes import worker_died
from engine.errors import EngineError, Problem, UsageError, clip, printable
from engine.io.inputs import Item
from engine.model.config import EngineConfig
from engine.rulepacks.loader import Packs

EXECUTORS = ("local", "dask")
IN_FLIGHT = 4
"""Chunks in flight per worker thread."""
ALLOWED_FAILURES = 1
"""LocalCluster: how often a chunk may be on a worker that dies before it is given up (then case by case)."""

TIMEOUT_ENV = "ISP_ADVISOR_DASK_TIMEOUT"
"""Seconds to wait for the Dask scheduler to answer and for a cluster without workers to get one
(both defaults below); set it to wait longer (a cluster that scales up from none) or less."""
DEFAULT_TIMEOUT = 10.0
"""Connecting to the scheduler (its answer included), and each question asked of it."""
NO_WORKERS_TIMEOUT = 120.0
"""How long a cluster may have no worker while tasks wait."""
QUIET_LOGGERS = ("distributed", "tornado", "bokeh", "asyncio")
"""Loggers whose lines (distributed's ERROR and WARNING lines among them) stay off the user's terminal."""
SCHEMES = ("tcp", "ws")

Chunk = list[Item]
Outcomes = list[Any]
"""A chunk's outcomes: a batch's engine.batch.outcomes.Outcome, a sweep's engine.batch.sweep.SweepOutcome."""


class Settings(Protocol):
    """A run's settings as an executor sees them: sent with every task, or once to the workers when large
    (a batch's engine.batch.outcomes.RunSettings, a sweep's engine.batch.sweep.SweepSettings)."""

    @property
    def large(self) -> bool: ...


Task = Callable[[Chunk, Any], Outcomes]
"""The per-chunk function, given the chunk and the run's settings (its own type: a batch's or a sweep's)."""


class Executor(Protocol):
    """Maps the per-chunk function over chunks; yields (chunk, outcomes) in input order."""

    def ordered(self, chunks: Iterator[Chunk], jobs: int, settings: Settings) -> Iterator[tuple[Chunk, Outcomes]]: ...


def choose(executor: str | Executor, scheduler: str | None = None) -> Executor | None:
    """None for the local executor (engine.batch.batchrun runs it); a DaskExecutor for 'dask'.

    Checked before any case runs: an unknown name, a --scheduler without dask, or dask not
    installed is a usage error with the fix.
    """
    if not isinstance(executor, str):
        return executor
    if executor not in EXECUTORS:
        raise UsageError(
            Problem(
                field="--executor",
                code="invalid",
                message=f"'{executor}' is not an executor",
                hint="use local (processes on this machine) or dask",
            )
        )
    if executor == "local":
        if scheduler is not None:
            raise UsageError(
                Problem(
                    field="--scheduler",
                    code="clash",
                    message="needs --executor dask",
                    hint="add --executor dask, or leave out --scheduler",
                )
            )
        return None
    address = check_address(scheduler)
    timeouts()  # a bad ISP_ADVISOR_DASK_TIMEOUT is said now, not after the cluster started
    if not dask_available():
        raise UsageError(
            Problem(
                field="--executor",
                code="not_installed",
                message="dask.distributed is not installed",
                hint="install the optional extra: pip install 'isp-advisor[dask]' "
                "(from a checkout: pip install '.[dask]')",
            )
        )
    return DaskExecutor(address)


_REFUSED = {
    "tls": "needs TLS certificates, which isp-advisor cannot give Dask",
    "wss": "needs TLS certificates, which isp-advisor cannot give Dask",
    "inproc": "is an in-process address: it works only inside the process that started the scheduler",
    "ucx": "needs UCX, which isp-advisor does not set up",
    "file": "names a file: --scheduler takes the scheduler's address, not a scheduler file",
}


def check_address(scheduler: str | None) -> str | None:
    """The --scheduler address as Dask takes it ('tcp://host:port'), or None for a LocalCluster.

    Checked before anything starts: an empty address, no port, a scheme this tool cannot use
    (tls://, inproc://, ucx://, file://) are usage errors with the fix, never a LocalCluster started
    instead or an internal error.
    """
    if scheduler is None:
        return None
    shown = clip(printable(scheduler), 120)
    hint = "give the address 'dask scheduler' prints when it starts: tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"

    def bad(message: str, more: str = "") -> UsageError:
        return UsageError(
            Problem(field="--scheduler", code="bad_address", message=message, hint=(more + "; " if more else "") + hint)
        )

    text = scheduler.strip()
    if not text:
        raise UsageError(
            Problem(
                field="--scheduler",
                code="bad_address",
                message="the scheduler address is empty",
                hint=hint + "; or leave out --scheduler to start a cluster on this machine",
            )
        )
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    scheme = scheme.lower()
    if scheme in _REFUSED:
        more = (
            "inside a trusted network use tcp://, or reach the scheduler through an SSH tunnel"
            if scheme in ("tls", "wss")
            else ""
        )
        raise bad(f"'{shown}' {_REFUSED[scheme]}", more)
    if scheme not in SCHEMES:
        raise bad(f"'{shown}': unknown address scheme '{clip(printable(scheme), 20)}'")
    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})", rest)
    if match is None:
        what = "has no port" if rest and ":" not in rest.strip("[]") else "is not HOST:PORT"
        raise bad(f"'{shown}' {what}")
    if not 0 < int(match.group(2)) < 65536:
        raise bad(f"'{shown}': port {match.group(2)} is out of range (1-65535)")
    return f"{scheme}://{rest}"


def timeouts() -> tuple[float, float]:
    """(seconds to wait for the scheduler's answer, seconds a cluster may have no workers), from
    ISP_ADVISOR_DASK_TIMEOUT (both) or the defaults."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT, NO_WORKERS_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e6:
        raise UsageError(
            Problem(
                field=TIMEOUT_ENV,
                code="invalid",
                message=f"'{clip(printable(raw), 40)}' is not a number of seconds",
                hint="set it to a number of seconds such as 60, or unset it",
            )
        )
    return value, value


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


def check_rules(config: EngineConfig, digest: str | None) -> Packs:
    """On a worker: the rule files as read here, refused when their bytes differ from the run's (`digest`);
    the worker compiles those very bytes (batchrun._init)."""
    from engine.rulepacks.loader import read_packs

    found = read_packs(config)
    if digest is not None and found.digest != digest:
        raise EngineError(
            Problem(
                code="rules_differ",
                message="a Dask worker reads other rule packs than the run started with (different bytes)",
                hint="give the workers the same rule folders (a shared file system) and the same isp-advisor version",
            )
        )
    return found


class DaskExecutor:
    """Chunks as Dask tasks: on the cluster at `scheduler` ('tcp://host:8786'), else a LocalCluster.

    The cluster this executor starts is closed when the run ends; one it was pointed at is left
    running. `task` is the per-chunk function (tests give one that kills its worker). Waiting is
    bounded: a scheduler that does not answer, or a cluster left without workers, stops the run
    with a message (timeouts()).
    """

    def __init__(self, scheduler: str | None = None, task: Task | None = None) -> None:
        self.scheduler = scheduler
        self.task = task

    def ordered(self, chunks: Iterator[Chunk], jobs: int, settings: Settings) -> Iterator[tuple[Chunk, Outcomes]]:
        if self.task is None:
            raise EngineError(
                Problem(
                    code="internal",
                    message="the Dask executor was given no task to run",
                    hint="build it with the batch's or the sweep's task",
                )
            )
        KilledWorker = _distributed().KilledWorker
        address = check_address(self.scheduler)
        answer, no_workers = timeouts()

        with quiet_logs():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the cluster's own start-up notices are not the user's concern
                client, cluster = self._connect(address, jobs, answer)
            waiter = _Waiter(client, address, answer, no_workers)
            window: deque[tuple[Chunk, Any]] = deque()
            try:
                threads = max(1, sum(waiter.nthreads().values()))
                n = itertools.count()
                # The run's settings travel with each task, except a resume's set of reusable hashes
                # (large), which is sent to the workers once; it is sent again if workers that held it died.
                shared: list[Any] = [self._share(waiter, settings)]

                def submit(chunk: Chunk) -> Any:
                    # a unique key per task: the same chunk twice (a resent one) is still evaluated
                    return client.submit(self.task, chunk, shared[0], key=f"isp-chunk-{next(n)}", pure=False)

                def take() -> tuple[Chunk, Outcomes]:
                    chunk, fut = window.popleft()
                    for _ in range(3):
                        try:
                            return chunk, waiter.result(fut)
                        except KilledWorker:
                            return chunk, self._isolated(waiter, chunk, settings, n)
                        except CancelledError:  # the shared settings were lost with their workers
                            waiter.check_connected()
                            shared[0] = self._share(waiter, settings)
                            fut = submit(chunk)
                    return chunk, waiter.result(fut)

                try:
                    for chunk in chunks:
                        window.append((chunk, submit(chunk)))
                        if len(window) >= threads * IN_FLIGHT:
                            yield take()
                    while window:
                        yield take()
                except OSError as exc:  # a closed connection (CommClosedError): the scheduler went away
                    raise waiter.lost(exc) from None
            finally:
                for _, fut in window:
                    fut.cancel()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _close(client, answer)
                    if cluster is not None:
                        cluster.close()

    def _connect(self, address: str | None, jobs: int, answer: float) -> tuple[Any, Any]:
        dist = _distributed()
        if address is not None:
            return _client(address, answer), None
        import importlib

        with importlib.import_module("dask").config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = dist.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
        return dist.Client(cluster, set_as_default=False), cluster

    @staticmethod
    def _share(waiter: _Waiter, settings: Settings) -> Any:
        """The settings as each task is given them: themselves, or a cluster's reference to one copy of them."""
        return waiter.scatter(settings) if settings.large else settings

    def _isolated(self, waiter: _Waiter, chunk: Chunk, settings: Settings, n: Iterator[int]) -> Outcomes:
        """A chunk that kept killing workers, one case a task; a case that still kills becomes an error
        (as engine.batch.localpool.isolated does with local processes)."""
        KilledWorker = _distributed().KilledWorker

        out: Outcomes = []
        for item in chunk:  # one at a time: a case queued beside the killer would die with it
            fut = waiter.client.submit(self.task, [item], settings, key=f"isp-case-{next(n)}", pure=False)
            try:
                out += waiter.result(fut)
            except KilledWorker:
                out.append(worker_died(item))
        return out


def _hint_timeout(what: str) -> str:
    return f"{what}; to wait longer, set {TIMEOUT_ENV} to a number of seconds"


def _client(address: str, answer: float) -> Any:
    """A Client connected to the scheduler at `address`, or a usage error within `answer` seconds (and a
    moment): distributed bounds the connection but not the scheduler's first answer, so the Client is
    made in a thread that is given up on (it is a daemon) if the scheduler stays silent."""
    dist = _distributed()
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = dist.Client(address, timeout=answer, set_as_default=False)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=connect, name="isp-dask-connect", daemon=True)
    thread.start()
    thread.join(answer + 2)
    hint = "check the address (tcp://HOST:PORT) and that the scheduler runs"
    if thread.is_alive():
        raise UsageError(
            Problem(
                field="--scheduler",
                code="no_answer",
                message=f"{printable(address)} accepted the connection but did not answer as a Dask "
                f"scheduler within {answer:g} s",
                hint=_hint_timeout(
                    "check that it is the scheduler's address, the port "
                    "'dask scheduler' prints and not its dashboard's, and that "
                    "the scheduler is not stopped or overloaded"
                ),
            )
        )
    error = box.get("error")
    if error is not None:
        if isinstance(error, (OSError, TimeoutError, ValueError)):
            raise UsageError(
                Problem(
                    field="--scheduler",
                    code="unreachable",
                    message=f"cannot reach the Dask scheduler at {printable(address)}: "
                    f"{clip(printable(str(error)), 200)}",
                    hint=_hint_timeout(hint),
                )
            ) from None
        raise UsageError(
            Problem(
                field="--scheduler",
                code="unusable",
                message=f"cannot use the Dask scheduler at {printable(address)}: "
                f"{type(error).__name__}: {clip(printable(str(error)), 200)}",
                hint=hint + ", and that its distributed version is the one installed here",
            )
        ) from None
    return box["client"]


def _close(client: Any, answer: float) -> None:
    """Close the client without waiting on a scheduler that no longer answers."""
    thread = threading.Thread(target=lambda: _quietly(client.close, timeout=answer), daemon=True)
    thread.start()
    thread.join(answer + 2)


def _quietly(call: Callable[..., object], **kw: object) -> None:
    try:
        call(**kw)
    except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
        pass


class _Waiter:
    """Waits on a cluster's futures, and asks its scheduler questions, never longer than the timeouts:
    a scheduler that stops answering, or a cluster without workers for `no_workers` seconds, is an
    EngineError (exit 1) saying so, instead of a run that hangs."""

    def __init__(self, client: Any, address: str | None, answer: float, no_workers: float) -> None:
        self.client = client
        self.where = f"at {printable(address)}" if address else "started for this run"
        self.answer = answer
        self.no_workers = no_workers
        self.poll = min(1.0, answer / 4, no_workers / 4)

    def nthreads(self) -> dict[str, int]:
        """The worker threads of the cluster (a question the scheduler must answer in time)."""
        try:
            found = self.client.sync(self.client.scheduler.ncores, callback_timeout=self.answer)
        except (TimeoutError, OSError) as exc:
            self.check_connected()
            raise self._stopped_answering() from exc
        return {str(k): int(v) for k, v in dict(found).items()}

    def scatter(self, data: Any) -> Any:
        """`data` sent to every worker once, waiting at most `no_workers` seconds for a worker."""
        try:
            return self.client.scatter([data], broadcast=True, hash=False, timeout=self.no_workers)[0]
        except TimeoutError:
            self.check_connected()
            raise self._no_workers() from None

    def result(self, fut: Any) -> Outcomes:
        """The outcomes of a task, waiting while the cluster has a worker (or gets one in time)."""
        idle_since: float | None = None
        while True:
            # A finished task's outcomes are still fetched through the scheduler: that wait is bounded too.
            try:
                return list(fut.result(timeout=self.answer if fut.done() else self.poll))
            except TimeoutError:
                if fut.status == "error":
                    raise  # the task's own error, not the wait's
            self.check_connected()
            now = time.monotonic()
            if sum(self.nthreads().values()):
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since >= self.no_workers:
                raise self._no_workers()

    def check_connected(self) -> None:
        if self.client.status not in ("running", "connecting", "newly-created"):
            raise self.lost()

    def lost(self, exc: BaseException | None = None) -> EngineError:
        why = f" ({clip(printable(str(exc)), 120)})" if exc is not None and str(exc) else ""
        return EngineError(
            Problem(
                field="--scheduler",
                code="scheduler_lost",
                message=f"lost the connection to the Dask scheduler {self.where}{why}",
                hint="check that the scheduler still runs; then run the same command "
                "with --resume to keep the finished cases",
            )
        )

    def _stopped_answering(self) -> EngineError:
        return EngineError(
            Problem(
                field="--scheduler",
                code="no_answer",
                message=f"the Dask scheduler {self.where} stopped answering (no answer within {self.answer:g} s)",
                hint=_hint_timeout(
                    "check the scheduler; then run the same command with --resume to keep the finished cases"
                ),
            )
        )

    def _no_workers(self) -> EngineError:
        return EngineError(
            Problem(
                field="--scheduler",
                code="no_workers",
                message=f"the Dask cluster {self.where} has had no workers for {self.no_workers:g} s",
                hint=_hint_timeout(
                    "start workers (dask worker tcp://SCHEDULER:8786), then run "
                    "the same command with --resume to keep the finished cases"
                ),
            )
        )


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Keep distributed's (and its event loop's) log lines off the user's terminal while the block
    runs: every logger of QUIET_LOGGERS (and below) is raised above CRITICAL, then restored."""
    manager = logging.Logger.manager
    names = [n for n in list(manager.loggerDict) if any(n == q or n.startswith(q + ".") for q in QUIET_LOGGERS)] + list(
        QUIET_LOGGERS
    )
    saved: dict[str, int] = {}
    for name in names:
        if name not in saved:
            log = logging.getLogger(name)
            saved[name] = log.level
            log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "check_address",
    "choose",
    "dask_available",
    "quiet_logs",
    "timeouts",
]
