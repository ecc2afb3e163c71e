"""Batch runs: many cases through one compiled engine per process, streamed, in input order.

The main process reads the inputs lazily and sends small chunks of items to worker processes,
keeping only a few chunks in flight, so memory does not grow with the number of cases. Workers
parse, validate and evaluate (the engine is compiled once per process) and return finished
output text; the main process writes it in input order, so the outputs are the same bytes
whatever the number of workers (and so are the Parquet tables of `--tables parquet`, built from the
same lines: engine.batch.tables). One bad case becomes one line of errors.jsonl and never stops
the rest, and neither does a worker that dies (killed, out of memory): its chunk is retried once
in a fresh pool, then case by case, and a case that kills its worker again becomes an error line.

Workers die with the main process, however it ends (`kill -9`, the OOM killer): on Linux the
kernel kills them (a parent-death signal), elsewhere each watches its parent and exits when it is
gone. SIGTERM and SIGHUP stop a run as Ctrl-C does (`stop_on_signals`): the partial results are kept
for `--resume`, the other temp files removed, the workers shut down and the folder's lock released.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import replace

from engine.batch import executors, tables
from engine.batch.batchfiles import ERRORS, MANIFEST, OUTPUTS, Previous, Writer, failed, lock, partials, prepare, unlock
from engine.batch.digest import case_digest, portfolio_title
from engine.batch.executors import IN_FLIGHT
from engine.batch.outcomes import (
    Evaluated,
    Failed,
    Outcome,
    Reused,
    RunSettings,
    error_row,
    stated_case_id,
    worker_died,
)
from engine.batch.tablerows import CaseTables, case_fields, case_tables, result_tables
from engine.errors import EngineError, IspAdvisorError, Problem, UsageError, display_name
from engine.evaluation.runner import Engine, load_engine
from engine.io import inputs
from engine.io.caseload import validate_case
from engine.io.inputs import Item
from engine.model.config import EngineConfig, RulesArg, config_of
from engine.model.jsontext import compact
from engine.model.portfolio import Portfolio
from engine.model.redact import redact, redact_choices
from engine.model.sitemoves import AssessmentMoves, Snapshot
from engine.render import csvrows
from engine.render.portfoliohtml import render_portfolio
from engine.render.portfoliomd import render_portfolio_markdown
from engine.rulepacks.loader import RULES_ENV, Packs, read_packs

CHUNK = 32
"""Cases per task sent to a worker: large enough to amortise the round trip, small enough to balance."""

EXPLANATIONS = ("full", "none")
"""`--explanations`: full keeps every proof tree in results.jsonl; none leaves them out (about a
tenth of the bytes; recommend/explain on one case still show them)."""

FIRST_ERRORS = 3
"""Error rows a BatchReport carries for the terminal (every one is in errors.jsonl)."""

GC_THRESHOLD = 50_000
"""The collector's first-generation threshold while a batch evaluates (Python's default: 700).
A case makes thousands of short-lived objects, almost none in cycles, so frequent young collections
only cost time (measured in bench/RESULTS.md); memory is still freed by reference counting."""


PARENT_POLL = 0.5
"""Seconds between a worker's checks that its parent still runs (where no parent-death signal exists)."""

STOP_SIGNALS = ("SIGTERM", "SIGHUP")
"""Signals that stop a run as Ctrl-C does (stop_on_signals)."""

TABLE_FIELDS = "table"
"""The digest's entry holding the case's own table columns (tablerows.case_fields), with --tables only:
kept in the resume index so a reused line gets its cases.parquet row."""


class BatchReport(msgspec.Struct, frozen=True):
    """What a batch run did, for the command line to report."""

    out: Path
    cases: int
    ok: int
    failed: int
    reused: int
    errors: tuple[dict[str, Any], ...] = ()
    """The first few errors.jsonl rows (FIRST_ERRORS), for the terminal."""
    tables: tuple[str, ...] = ()
    """The Parquet tables written (--tables parquet)."""

    @property
    def files(self) -> list[Path]:
        return [self.out / name for name in (*[n for n in OUTPUTS if n != MANIFEST], *self.tables, MANIFEST)]

    @property
    def errors_file(self) -> Path:
        return self.out / ERRORS


# ---------------------------------------------------------------- per process


class Worker(msgspec.Struct):
    """This process's engine and its run settings, set once per process by `_init` (a forked worker
    inherits the parent's; a Dask worker builds its own from the run's EngineConfig)."""

    engine: Engine
    key: tuple[Any, ...]
    settings: RunSettings


_worker: Worker | None = None


def worker() -> Worker:
    """This process's Worker (engine.batch.sweep evaluates its variants with its engine)."""
    if _worker is None:
        raise EngineError(Problem(code="internal", message="the batch worker was not initialised"))
    return _worker


def _rules_key(config: EngineConfig, digest: str | None) -> tuple[Any, ...]:
    return (
        tuple(str(Path(r).resolve()) for r in config.rules),
        config.shipped,
        config.matcher,
        os.environ.get(RULES_ENV, ""),
        digest,
    )


def run_chunk(chunk: list[Item], settings: RunSettings) -> list[Outcome]:
    """The per-chunk function on a Dask worker: check the rules are the run's, compile them once per
    process, then evaluate (the local executor calls _init and _work directly)."""
    _init(settings, executors.check_rules(settings.config, settings.digest))
    return _work(chunk)


def _init(settings: RunSettings, packs: Packs | None = None) -> None:
    """Compile the rules once per process (a forked worker inherits the parent's engine).

    The engine is kept while the configuration and the bytes of the rule files (`settings.digest`) are
    the same, so a later run in the same process after the packs were edited compiles them afresh.
    `packs`: the rule files as this process read them for `settings.digest` (`start`), compiled from
    those very bytes rather than read again.
    """
    global _worker
    digest = settings.digest
    key = _rules_key(settings.config, digest)
    engine = (
        _worker.engine
        if _worker is not None and digest is not None and _worker.key == key
        else load_engine(settings.config, packs=packs)
    )
    _worker = Worker(engine, key, settings)


def start(settings: RunSettings) -> RunSettings:
    """A run's start in its own process: read the rule files once, compile them (`_init`) and return the
    settings with the digest of the bytes compiled, which the workers are given and the resume index keeps.

    One read serves both, so a pack edited while the run starts is never compiled under the digest of
    other bytes (and the files are read and hashed once, not twice)."""
    packs = read_packs(settings.config)
    settings = replace(settings, digest=packs.digest)
    _init(settings, packs)
    return settings


def _worker_init(parent: int, settings: RunSettings) -> None:
    """A local worker's start: die with the main process `parent`, then compile the rules (`_init`)."""
    die_with_parent(parent)
    _init(settings)


def die_with_parent(parent: int) -> None:
    """Make this worker process end when its parent `parent` does, however the parent ends.

    Linux: a parent-death signal (prctl PR_SET_PDEATHSIG: SIGKILL). Everywhere: a thread that exits
    the process once the parent is gone (its parent pid changes). The parent's SIGTERM handler
    (stop_on_signals, inherited by a forked worker) is reset: a worker told to stop just stops, and
    Ctrl-C is the main process's to handle (it shuts the workers down).
    """
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watcher below still runs
            pass
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="isp-watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL)
        if os.getppid() != parent:
            os._exit(1)


class Stopped(KeyboardInterrupt):
    """A run stopped by SIGTERM or SIGHUP, cleaned up as after Ctrl-C (a KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Stopped in the main thread, so a run stops as on
    Ctrl-C: partial results kept for --resume, other temp files removed, workers shut down, the lock
    released. A second signal during that clean-up ends the process at once (workers die with it).
    Signals that are ignored (nohup) or handled by someone else are left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Any] = {}

    def stop(signum: int, frame: Any) -> None:
        for sig in saved:
            signal.signal(sig, signal.SIG_DFL)
        raise Stopped(signum)

    for name in STOP_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            saved[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, before in saved.items():
            signal.signal(sig, before)


def _work(chunk: list[Item]) -> list[Outcome]:
    state = worker()
    return [evaluate_item(state.engine, item, state.settings.reusable) for item in chunk]


def evaluate_item(
    engine: Engine, item: Item, reusable: frozenset[str] = frozenset(), explanations: str | None = None
) -> Outcome:
    """One item -> its finished output text, or an error row; never raises for a bad case.

    `explanations` (full | none) defaults to this process's run setting (see _init), as do `--redact`
    (people, events: applied to the case before anything is computed) and `--tables` (the rows).
    """
    case_id = None
    rows: CaseTables | None = None
    try:
        text = inputs.content(item)
        sha = inputs.content_hash(item, text)
        if sha in reusable:
            return Reused(sha)
        doc = inputs.to_document(item, text)
        case_id = stated_case_id(doc.data)
        case = validate_case(doc)
        state = _worker.settings if _worker is not None else None
        if state is not None and state.redacted:
            case = redact(case, state.redacted)
        result = engine.evaluate(case, date=state.date if state is not None else None)
        recs = _rec_dicts(result)
        full = (explanations or (state.explanations if state is not None else "full")) != "none"
        line = result.to_json(engine.shared) if full else lean_line(result.to_dict())
        digest = case_digest(case)
        if state is not None and state.with_tables:
            fields = digest[TABLE_FIELDS] = case_fields(case)
            rows = result_tables(result, fields, proofs=full)
    except IspAdvisorError as exc:
        return Failed(error_row(item, exc.problems, case_id))
    except Exception as exc:  # noqa: BLE001 - one broken case must not stop the others
        problem = Problem(
            code="internal",
            message=f"internal error: {type(exc).__name__}: {exc}",
            hint="please report it with this case",
        )
        return Failed(error_row(item, [problem], case_id))
    slim = {"case_id": result.case_id, "recommendations": recs}
    placed = result.placed() if result.plan is not None else [(r, None) for r in result.recommendations]
    # bytes: the main process writes them as they come (a str would be decoded there and encoded again)
    csv_bytes = csvrows.result_text(result.case_id, digest["site"], placed, result.assessed_on, engine.shared).encode(
        "utf-8"
    )
    return Evaluated(case.case_id, sha, line.encode("utf-8"), csv_bytes, digest, _slim(slim, engine), rows)


def _rec_dicts(result: Any) -> list[dict[str, Any]]:
    """The fields of each recommendation the CSV rows and the summary read, as in `Result.to_dict()`,
    taken from the objects (a result's full data would parse every proof again: ten times dearer)."""
    places = result.plan.items if result.plan is not None else [None] * len(result.recommendations)
    out = []
    for r, p in zip(result.recommendations, places, strict=True):
        rec = {
            "rule_id": r.rule_id,
            "key": r.key,
            "rule_ids": r.rule_ids,
            "category": r.category,
            "title": r.title,
            "priority": r.priority,
            "score": _num(r.score),
            "actions": r.actions,
            "tags": r.tags,
        }
        if p is not None:
            rec["horizon"], rec["rank"] = p.horizon, p.rank
            rec["also"] = [{"key": a.key} for a in p.also]
        out.append(rec)
    return out


def _num(x: float) -> int | float:
    """A score as the JSON output writes it (2, not 2.0), so the CSV reads the same after --resume."""
    return int(x) if float(x).is_integer() else x


def lean_line(data: dict[str, Any]) -> str:
    """A results line without proof trees (`--explanations none`): everything else is kept."""
    for rec in data["recommendations"]:
        rec.pop("explanation", None)
        for also in rec.get("also", ()):
            also.pop("explanation", None)
    for derived in data.get("derived_facts", {}).values():
        derived.pop("explanation", None)
    return compact(data)


def _slim(data: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """The part of a result the summary reads (cheaper to send between processes), with the key
    each recommendation is counted under (what it recommends), the title shown for it (placeholders
    filled as a plan fills them when the case names nothing: digest.portfolio_title), its item key
    and the keys of the items folded into it (a site's trend matches items by key)."""
    keys = ("rule_id", "key", "title", "category", "priority", "horizon")
    recs = []
    for r in data["recommendations"]:
        slim = {k: r[k] for k in keys if k in r}
        slim["folded"] = [a["key"] for a in r.get("also") or () if a.get("key")]
        rule = engine.by_id.get(r["rule_id"])
        if rule is not None:
            category, key = rule.merge_key
            slim["item"] = f"{category}\x1f{key}"
            slim["label"] = portfolio_title(rule.title or r["title"])
        recs.append(slim)
    return {"case_id": data["case_id"], "recommendations": recs}


# ---------------------------------------------------------------- the run


def run_batch(
    sources: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    resume: bool = False,
    force: bool = False,
    rules: RulesArg = (),
    shipped: bool = True,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    explanations: str = "full",
    executor: str = "local",
    scheduler: str | None = None,
    date: str | None = None,
    redacted: Sequence[str] = (),
    tables_format: str | None = None,
) -> BatchReport:
    """Evaluate every case of `sources` into the output folder `out`.

    Everything that can make the run unusable (inputs, rule packs, the folder) is checked before
    any case runs and raises an IspAdvisorError; bad cases are written to errors.jsonl.
    `rules`: rule folders, or an engine.model.config.EngineConfig (its `shipped=False`, matcher and
    verbosity are honoured, and handed to every worker).
    `total(n)`, if given, is called once after those checks with the number of cases (it costs a
    quick extra pass over the inputs); `progress(n)` is called as each n more cases are done.
    `explanations` is full or none (EXPLANATIONS); `executor` local (processes on this machine)
    or dask (engine.batch.executors: a cluster at `scheduler`, or a LocalCluster), same bytes either way.
    `date` (YYYY-MM-DD, `--date`) is the reference date of cases that state no assessed_on.
    `redacted` (`--redact people,events`, engine.model.redact) is removed from every case before it
    is evaluated; `tables_format` ('parquet', `--tables`) adds the Parquet tables (engine.batch.tables).
    """
    what = redact_choices(list(redacted))
    with_tables = tables.check(tables_format)
    if explanations not in EXPLANATIONS:
        raise UsageError(
            Problem(
                field="--explanations",
                code="invalid",
                message=f"'{explanations}' is not known",
                hint="use full or none",
            )
        )
    chosen = executors.choose(executor, scheduler)
    if isinstance(chosen, executors.DaskExecutor) and chosen.task is None:
        chosen = executors.DaskExecutor(chosen.scheduler, task=run_chunk)
    if jobs is not None and jobs < 1:
        raise UsageError(
            Problem(field="--jobs", code="invalid", message=f"{jobs} is not a number of workers", hint="use 1 or more")
        )
    jobs = default_jobs() if jobs is None else min(jobs, default_jobs())  # more workers than cores only wait
    if not str(out).strip():
        raise UsageError(
            Problem(
                field="--out",
                code="no_folder",
                message="the output folder name is empty",
                hint="name a folder for the outputs, e.g. --out results",
            )
        )
    folder = Path(out)
    planned = _outside(folder, sources, inputs.plan(sources))
    config = resolved(rules, shipped)
    start(RunSettings(config, frozenset(), None, explanations, date, tuple(what), with_tables))
    engine = worker().engine
    prepare(folder, resume, force)
    held = lock(folder)
    try:
        return _run(planned, folder, engine, jobs, resume, progress, total, chosen)
    finally:
        unlock(held)


def _outside(
    out: Path, sources: Sequence[str | os.PathLike[str]], planned: list[inputs.InputFile]
) -> list[inputs.InputFile]:
    """The planned inputs without the run's own output folder: a folder input holding `--out` is read
    without it (its results.jsonl, manifest.json... are no cases); an input named inside `--out`
    (or `--out` itself) is refused."""
    target = out.resolve()
    problems = [
        Problem(
            file=display_name(str(s)),
            field="INPUT",
            code="inside_out",
            message=f"is inside --out {display_name(str(out))}: the run would read its own outputs",
            hint="keep the cases outside the output folder, or choose another --out folder",
        )
        for s in sources
        if str(s) and _within(Path(s).resolve(), target)
    ]
    if problems:
        raise UsageError(problems)
    parents: dict[str, bool] = {}
    kept = []
    for f in planned:
        parent = os.path.dirname(f.path) or "."
        if parent not in parents:
            parents[parent] = _within(Path(parent).resolve(), target)
        if not parents[parent]:
            kept.append(f)
    if planned and not kept:
        raise UsageError(
            Problem(
                field="INPUT",
                code="no_cases",
                message="the inputs hold no case files outside --out",
                hint="name the folders of the cases, not the output folder",
            )
        )
    return kept


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolved(rules: RulesArg, shipped: bool = True) -> EngineConfig:
    """The run's EngineConfig with its matcher decided here, in the main process ($ISP_ADVISOR_MATCHER
    read once), so every worker builds the same engine from the same settings."""
    from engine.evaluation.matcher import requested

    config = config_of(rules, shipped)
    return replace(config, matcher=requested(config.matcher))


def run_info(
    engine: Engine, explanations: str, date: str | None = None, redacted: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The engine as the resume index records it: a run without proofs never reuses lines with them,
    nor a run with another reference date (`--date`) or other things redacted (`--redact`)."""
    info = engine.info if explanations == "full" else {**engine.info, "explanations": explanations}
    if date:
        info = {**info, "date": date}
    return {**info, "redact": list(redacted)} if redacted else info


def _run(
    planned: list[inputs.InputFile],
    folder: Path,
    engine: Engine,
    jobs: int,
    resume: bool,
    progress: Callable[[int], None] | None,
    total: Callable[[int], None] | None,
    executor: executors.Executor | None = None,
) -> BatchReport:
    """The run itself, with the settings `run_batch` gave this process (`worker().settings`)."""
    state = worker().settings
    rules_sha, explanations, with_tables = state.digest, state.explanations, state.with_tables
    info = run_info(engine, explanations, state.date, state.redacted)
    previous = Previous.load(folder, info, rules_sha) if resume and rules_sha else Previous()
    reusable = previous.hashes()
    if total:
        total(inputs.count(planned))
    writer = Writer(folder, info, rules_sha or "", tables=with_tables, proofs=explanations == "full")
    portfolio = Portfolio()
    moves = AssessmentMoves()
    seen: dict[str, tuple[str, int]] = {}
    reused = 0
    settings = replace(state, reusable=reusable)
    mapped = (
        executor.ordered(_chunks(inputs.items(planned)), jobs, settings)
        if executor is not None
        else _ordered(_chunks(inputs.items(planned)), jobs, settings)
    )
    try:
        for chunk, outcomes in mapped:
            for item, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, Reused):
                    outcome, kept = _reuse(outcome, item, previous, engine, explanations, with_tables)
                    reused += kept
                _record(item, outcome, writer, portfolio, seen, moves)
            writer.flush()
            if progress:
                progress(len(chunk))
        writer.commit(
            render_portfolio_markdown(portfolio, engine.info, moves), render_portfolio(portfolio, engine.info, moves)
        )
    except OSError as exc:  # not through Writer (which names its files): say where all the same
        writer.discard(keep_resumable=False)
        raise failed(Path(exc.filename) if exc.filename else folder, exc) from None
    except EngineError:  # the cluster went away (engine.batch.executors): the finished cases are kept for --resume
        writer.discard(keep_resumable=True)
        raise
    except IspAdvisorError:  # a write failed (full disk): leave nothing of this run behind
        writer.discard(keep_resumable=False)
        raise
    except BaseException:
        writer.discard(keep_resumable=True)
        raise
    finally:
        previous.close()
        close = getattr(mapped, "close", None)
        if close is not None:
            close()  # a stopped run: shut the workers down now
    for stale in partials(folder):  # earlier stopped runs: their results are in the new files now
        try:
            stale.unlink(missing_ok=True)
        except OSError:
            pass
    return BatchReport(
        folder,
        portfolio.cases + portfolio.failures,
        portfolio.cases,
        portfolio.failures,
        reused,
        tuple(portfolio.failure_rows[:FIRST_ERRORS]),
        writer.table_names,
    )


def _reuse(
    outcome: Reused, item: Item, previous: Previous, engine: Engine, explanations: str, with_tables: bool
) -> tuple[Evaluated | Failed, bool]:
    """A case whose content the earlier run already evaluated (`--resume`): its line, CSV rows, digest and
    table rows from that run (True), or evaluated here when the earlier line cannot be trusted or its run
    kept no table columns (False)."""
    got = previous.line(outcome.sha)
    data = _json_or_none(got[1]) if got else None
    if got is None or data is None or (with_tables and TABLE_FIELDS not in got[2]):
        fresh = evaluate_item(engine, item, frozenset(), explanations)
        assert not isinstance(fresh, Reused)  # nothing is reusable in that call
        return fresh, False
    case_id, line, digest = got
    rows = case_tables(data, digest[TABLE_FIELDS], proofs=explanations == "full") if with_tables else None
    csv_text = csvrows.to_text(csvrows.rows(data, str(digest.get("site") or "")))
    return Evaluated(
        case_id, outcome.sha, line.encode("utf-8"), csv_text.encode("utf-8"), digest, _slim(data, engine), rows
    ), True


def _json_or_none(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _record(
    item: Item,
    outcome: Outcome,
    writer: Writer,
    portfolio: Portfolio,
    seen: dict[str, tuple[str, int]],
    moves: AssessmentMoves | None = None,
) -> None:
    if isinstance(outcome, Reused):  # resolved by _run before it records anything
        raise TypeError("a reused outcome reached _record")
    if isinstance(outcome, Evaluated):
        case_id, sha, line, csv_text, digest, slim, rows = (
            outcome.case_id,
            outcome.sha,
            outcome.line,
            outcome.csv,
            outcome.digest,
            outcome.slim,
            outcome.rows,
        )
        # several assessments of one site (same case_id, different assessed_on) are not duplicates
        dated = digest.get("assessed_on") if isinstance(digest, dict) else None
        key = f"{case_id}\x1f{dated}" if dated else case_id
        first = seen.get(key)
        if first is None:
            seen[key] = (item[1], item[2])
            writer.result(case_id, sha, line, csv_text, digest, rows)
            portfolio.add(slim, digest)
            if dated and moves is not None:
                moves.add(
                    case_id,
                    snapshot(digest, slim),
                    {r["key"]: r.get("label") or r["title"] for r in slim["recommendations"] if r.get("key")},
                )
            return
        where = f"{first[0]}:{first[1]}" if first[1] else first[0]
        outcome = Failed(
            error_row(
                item,
                [
                    Problem(
                        field="case_id",
                        code="duplicate_case_id",
                        message=f"case_id '{case_id}'{f' assessed on {dated}' if dated else ''} "
                        f"is already used by {where}",
                        hint="give every site its own case_id (several assessments of one site need different "
                        "assessed_on dates); this case was not evaluated into the results",
                    )
                ],
                case_id,
            )
        )
    writer.error(outcome.row)
    portfolio.fail(outcome.row)


def snapshot(digest: dict[str, Any], slim: dict[str, Any]) -> Snapshot:
    """A dated case as its site's trend compares it (engine.model.sitemoves)."""
    recs = slim["recommendations"]
    level, target = digest.get("engagement") or (None, None)
    return Snapshot(
        str(digest["assessed_on"]),
        str(digest.get("site") or ""),
        digest.get("trust"),
        (level, target),
        tuple(sorted(digest.get("barriers") or ())),
        tuple(str(r.get("key") or r["rule_id"]) for r in recs),
        tuple(k for r in recs for k in r.get("folded") or ()),
    )


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ordered(
    chunks: Iterator[list[Item]], jobs: int, settings: RunSettings
) -> Iterator[tuple[list[Item], list[Outcome]]]:
    """Each chunk with its outcomes, in input order, with at most jobs * IN_FLIGHT chunks pending.

    Workers start lazily (after the first chunk, and only with two chunks or more left), and no
    more are started than there are chunks. If a worker dies, the pool is replaced
    and every chunk it had not finished is sent again; a chunk that fails that way twice is
    evaluated case by case (localpool.isolated), so only the case that kills its worker is lost.
    """
    _init(settings)
    first = next(chunks, None)
    if first is None:
        return
    # The first chunk is evaluated here before any worker starts: a small run never pays for
    # workers, and the workers, forked afterwards, start with this process's warm caches of
    # shared proofs and recommendations instead of each building them again.
    yield first, _work(first)
    with _collector_tuned():
        yield from _rest(chunks, jobs, settings)


@contextmanager
def _collector_tuned() -> Iterator[None]:
    """Freeze what the warm engine holds (the rule base, the first chunk's shared proofs), so full
    collections no longer walk it, and collect young objects less often (GC_THRESHOLD); forked
    workers inherit both. The caller's settings are restored afterwards."""
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:
            gc.unfreeze()


def _rest(chunks: Iterator[list[Item]], jobs: int, settings: RunSettings) -> Iterator[tuple[list[Item], list[Outcome]]]:
    """The chunks after the first: in this process, or in a pool of `jobs` workers (engine/batch/localpool,
    imported only then)."""
    head = list(itertools.islice(chunks, jobs))
    if jobs == 1 or len(head) <= 1:  # one chunk left: a worker could only run it alone, later
        for chunk in itertools.chain(head, chunks):
            yield chunk, _work(chunk)
        return
    from engine.batch import localpool

    pool = localpool.Pool(min(jobs, len(head) + 1), _work, _worker_init, settings)
    yield from localpool.in_order(pool, itertools.chain(head, chunks), IN_FLIGHT)


__all__ = [
    "BatchReport",
    "run_batch",
    "evaluate_item",
    "error_row",
    "default_jobs",
    "ERRORS",
    "EXPLANATIONS",
    "lean_line",
    "run_info",
    "run_chunk",
    "worker_died",
    "Stopped",
    "stop_on_signals",
    "die_with_parent",
]
