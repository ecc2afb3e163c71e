"""The local worker processes of `batch --jobs N`: chunks of cases evaluated in a pool of N processes,
given back in input order, a broken pool replaced and its unfinished chunks sent again.

Only a run with work for more than one worker imports this module (engine/batch/batchrun.py, `_rest`), so
a small run never loads multiprocessing or concurrent.futures' process pool. The evaluation itself comes
in as functions (`work`, `start`), so this module knows nothing of engines or rules.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Generic, TypeVar

from engine.batch.outcomes import Outcome, worker_died
from engine.io.inputs import Item

S = TypeVar("S")
"""A run's settings, handed to `start` in each new worker."""

Chunk = list[Item]
Work = Callable[[Chunk], list[Outcome]]


@dataclass(slots=True)
class _Sent:
    """A chunk in flight: its future, and how many pools broke under it."""

    chunk: Chunk
    future: Future[list[Outcome]]
    tries: int = 0


@dataclass(frozen=True, slots=True)
class Pool(Generic[S]):
    """How to start a worker: `start(parent pid, settings)` runs first in each, then `work` per chunk."""

    jobs: int
    work: Work
    start: Callable[[int, S], None]
    settings: S

    def new(self, ctx: BaseContext, jobs: int | None = None) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            jobs or self.jobs, mp_context=ctx, initializer=self.start, initargs=(os.getpid(), self.settings)
        )


def context() -> BaseContext:
    """fork where the platform has it (workers start with the parent's warm caches), else spawn."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def in_order(pool: Pool[S], chunks: Iterable[Chunk], in_flight: int) -> Iterator[tuple[Chunk, list[Outcome]]]:
    """Each chunk with its outcomes, in input order, at most `pool.jobs * in_flight` chunks pending.

    If a worker dies, the pool is replaced and every chunk it had not finished is sent again; a chunk
    that breaks a pool twice is evaluated case by case (`isolated`), so only the case that kills its
    worker is lost."""
    ctx = context()
    executor = pool.new(ctx)
    window: deque[_Sent] = deque()

    def take() -> tuple[Chunk, list[Outcome]]:
        nonlocal executor
        while True:
            sent = window[0]
            try:
                outcomes = sent.future.result()
            except BrokenProcessPool:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = pool.new(ctx)
                if sent.tries >= 1:
                    window.popleft()
                    outcomes = isolated(pool, ctx, sent.chunk)
                    _resend(window, executor, pool.work)
                    return sent.chunk, outcomes
                _resend(window, executor, pool.work)
                continue
            window.popleft()
            return sent.chunk, outcomes

    try:
        for chunk in chunks:
            window.append(_Sent(chunk, executor.submit(pool.work, chunk)))
            if len(window) >= pool.jobs * in_flight:
                yield take()
        while window:
            yield take()
    finally:
        for sent in window:
            sent.future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


def _resend(window: deque[_Sent], executor: ProcessPoolExecutor, work: Work) -> None:
    """Send again every chunk whose worker pool broke before it was finished."""
    for sent in window:
        if not sent.future.done() or sent.future.exception() is not None:
            sent.future.cancel()
            sent.future = executor.submit(work, sent.chunk)
            sent.tries += 1


def isolated(pool: Pool[S], ctx: BaseContext, chunk: Chunk) -> list[Outcome]:
    """Evaluate a chunk that broke two pools one case at a time, each in a one-worker pool.

    A case whose worker dies again becomes an error line; the others are evaluated as usual.
    """
    out: list[Outcome] = []
    executor: ProcessPoolExecutor | None = None
    try:
        for item in chunk:
            if executor is None:
                executor = pool.new(ctx, 1)
            try:
                out += executor.submit(pool.work, [item]).result()
            except BrokenProcessPool:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = None
                out.append(worker_died(item))
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
    return out


__all__ = ["Pool", "context", "in_order", "isolated"]
