"""Batch runs: every input kind, bad cases isolated, determinism across --jobs, resume, atomic outputs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli import main
from engine import case_from_data, load_engine
from engine.batch.batchfiles import INDEX, OUTPUTS, partials
from engine.batch.batchrun import run_batch
from engine.errors import UsageError
from engine.render.jsonout import render_json

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "fixtures" / "basic"
FIXTURE_CASES = ROOT / "tests" / "fixtures" / "cases"
sys.path.insert(0, str(ROOT / "bench"))
from generate import write_jsonl  # noqa: E402

GOOD = {
    "case_id": "good-1",
    "engagement": {"level": "inform", "target": "collaborate"},
    "power": {"differential": "high", "decision_making": "solo_leader"},
    "challenge": {"type": "adaptive"},
}


def run(inputs: list[Any], out: Path, **kw: Any) -> Any:
    kw.setdefault("jobs", 1)
    return run_batch(inputs, out, rules=[BASIC], shipped=False, **kw)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def snapshot(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in (*OUTPUTS, INDEX)}


@pytest.fixture
def mixed(tmp_path: Path) -> list[Path]:
    """Every input kind, good and bad cases mixed."""
    src = tmp_path / "in"
    (src / "folder").mkdir(parents=True)
    (src / "folder" / "a.yaml").write_text("case_id: folder-a\nstage: installation\nchallenge: {type: mixed}\n")
    (src / "folder" / "b.yaml").write_text("case_id: folder-b\nstage: instalation\n")  # bad enum
    (src / "one.json").write_text(json.dumps(GOOD))
    (src / "many.jsonl").write_text(
        json.dumps({**GOOD, "case_id": "jl-1"})
        + "\n"
        + "{not json\n"
        + json.dumps({"case_id": "jl-3", "cfir": {"innovation.complexity": -2}, "colour": "red"})
        + "\n"
        + json.dumps({"case_id": "jl-4", "cfir": {"innovation.complexity": -2}})
        + "\n"
    )
    (src / "sites.csv").write_text(
        "case_id,site,engagement.level,engagement.target,power.differential,cfir.innovation.adaptability\n"
        "csv-1,North,inform,collaborate,high,-1\n"
        "csv-2,South,consult,,low,7\n"
        "good-1,Dup,,,,\n"
    )
    return [src / "folder", src / "one.json", src / "many.jsonl", src / "sites.csv"]


def test_good_cases_complete_and_bad_ones_are_reported(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    report = run(mixed, out)
    assert (report.cases, report.ok, report.failed) == (10, 5, 5)
    results = lines(out / "results.jsonl")
    assert [r["case_id"] for r in results] == ["folder-a", "good-1", "jl-1", "jl-4", "csv-1"]
    errors = {(Path(e["source"]).name, e["line"]): e for e in lines(out / "errors.jsonl")}
    assert set(errors) == {("b.yaml", 2), ("many.jsonl", 2), ("many.jsonl", 3), ("sites.csv", 3), ("sites.csv", 4)}
    assert errors[("b.yaml", 2)]["field"] == "stage" and "did you mean 'installation'" in errors[("b.yaml", 2)]["hint"]
    assert errors[("many.jsonl", 2)]["case_id"] is None and "invalid JSON" in errors[("many.jsonl", 2)]["message"]
    assert errors[("many.jsonl", 3)]["case_id"] == "jl-3" and errors[("many.jsonl", 3)]["field"] == "colour"
    csv_err = errors[("sites.csv", 3)]
    assert (csv_err["row"], csv_err["case_id"], csv_err["field"]) == (2, "csv-2", "cfir.innovation.adaptability")
    dup = errors[("sites.csv", 4)]
    assert dup["code"] == "duplicate_case_id" and "one.json" in dup["message"]


def test_results_are_the_recommend_json_objects(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    run(mixed, out)
    engine = load_engine([BASIC], shipped=False)
    expected = json.loads(render_json(engine.evaluate(case_from_data(GOOD))))
    assert lines(out / "results.jsonl")[1] == expected


def test_recommendations_csv_has_one_row_per_case_and_recommendation(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    run(mixed, out)
    with open(out / "recommendations.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    results = lines(out / "results.jsonl")
    assert len(rows) == sum(len(r["recommendations"]) for r in results)
    merged = [r for r in rows if r["case_id"] == "jl-4"]
    assert [(r["rank"], r["rule_ids"], r["eric_strategy"], r["cfir"]) for r in merged] == [
        ("1", "SM-COMPLEXITY-PROMOTE", "promote_adaptability", "innovation.complexity")
    ]
    first = next(r for r in rows if r["case_id"] == "good-1")
    assert (first["priority"], first["equity_element"]) == ("high", "dismantle_power_structures")


def test_summary_counts_the_portfolio(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    run(mixed, out)
    summary = (out / "summary.md").read_text()
    assert "10 cases: 5 evaluated, 5 failed." in summary
    rec_rows = [ln for ln in summary.splitlines() if "| EQ-SHARE-POWER" in ln]
    assert len(rec_rows) == 1 and "| 3 " in rec_rows[0]  # good-1, jl-1, csv-1
    assert "| Innovation | Innovation Complexity | innovation.complexity | 1" in " ".join(summary.split())
    assert "5 cases failed." in summary
    assert "case_id: case_id 'good-1' is already used by" in summary


@pytest.mark.parametrize("jobs", [2, 3])
def test_outputs_are_the_same_bytes_whatever_the_number_of_workers(
    tmp_path: Path, mixed: list[Path], jobs: int
) -> None:
    big = write_jsonl(tmp_path / "gen.jsonl", 150, seed=7)
    run([*mixed, big], tmp_path / "one", jobs=1)
    run([*mixed, big], tmp_path / "many", jobs=jobs)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "many")


def test_existing_outputs_are_not_replaced_unasked(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    run(mixed, out)
    before = snapshot(out)
    with pytest.raises(UsageError, match="already holds batch outputs"):
        run(mixed[:1], out)
    assert snapshot(out) == before
    run(mixed[:1], out, force=True)
    assert [r["case_id"] for r in lines(out / "results.jsonl")] == ["folder-a"]
    with pytest.raises(UsageError, match="choose one"):
        run(mixed, out, force=True, resume=True)


class Stop(Exception):
    pass


def stop_after(n: int) -> Any:
    done = [0]

    def progress(k: int) -> None:
        done[0] += k
        if done[0] >= n:
            raise Stop

    return progress


def test_a_stopped_run_leaves_no_output_that_looks_complete(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "gen.jsonl", 200, seed=3)
    out = tmp_path / "out"
    with pytest.raises(Stop):
        run([big], out, progress=stop_after(64))
    assert not any((out / n).exists() for n in OUTPUTS)
    assert len(partials(out)) == 2  # the partial results and their index, kept for --resume


def test_a_stopped_run_keeps_earlier_outputs_intact(tmp_path: Path, mixed: list[Path]) -> None:
    out = tmp_path / "out"
    run(mixed, out)
    before = snapshot(out)
    big = write_jsonl(tmp_path / "gen.jsonl", 200, seed=3)
    with pytest.raises(Stop):
        run([big], out, force=True, progress=stop_after(64))
    assert snapshot(out) == before


def test_resume_after_a_stopped_run_gives_the_same_outputs(tmp_path: Path, mixed: list[Path]) -> None:
    big = write_jsonl(tmp_path / "gen.jsonl", 300, seed=5)
    run([*mixed, big], tmp_path / "full")
    out = tmp_path / "out"
    with pytest.raises(Stop):
        run([*mixed, big], out, progress=stop_after(100))
    with pytest.raises(Stop):  # stopped twice: both partial runs count
        run([*mixed, big], out, resume=True, progress=stop_after(200))
    report = run([*mixed, big], out, resume=True, jobs=2)
    assert report.reused >= 150
    assert snapshot(out) == snapshot(tmp_path / "full")
    assert partials(out) == []


def test_resume_survives_a_partial_results_file_cut_mid_line(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "gen.jsonl", 120, seed=9)
    run([big], tmp_path / "full")
    out = tmp_path / "out"
    with pytest.raises(Stop):
        run([big], out, progress=stop_after(96))
    results = next(p for p in partials(out) if ".results.jsonl." in p.name)
    data = results.read_bytes()
    results.write_bytes(data[: len(data) // 2])  # as if killed while writing
    report = run([big], out, resume=True)
    assert 0 < report.reused < 96
    assert snapshot(out) == snapshot(tmp_path / "full")


def test_resume_reruns_cases_whose_content_changed(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n" + json.dumps({"case_id": "other"}) + "\n")
    out = tmp_path / "out"
    run([src], out)
    changed = {**GOOD, "power": {"differential": "low"}}
    src.write_text(json.dumps(changed) + "\n" + json.dumps({"case_id": "other"}) + "\n")
    report = run([src], out, resume=True)
    assert report.reused == 1
    first = lines(out / "results.jsonl")[0]
    assert "EQ-SHARE-POWER" not in [r["rule_id"] for r in first["recommendations"]]


def test_resume_ignores_results_of_other_rules(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    out = tmp_path / "out"
    run_batch([src], out, jobs=1)  # the shipped packs
    report = run([src], out, resume=True)
    assert report.reused == 0
    assert lines(out / "results.jsonl")[0]["engine"]["rulesets"] == [{"name": "basic", "version": "1.2.0"}]


def test_memory_stays_flat_the_index_holds_no_results(tmp_path: Path) -> None:
    """Results are streamed to disk: the per-case index keeps a location, not the result."""
    big = write_jsonl(tmp_path / "gen.jsonl", 50, seed=1)
    out = tmp_path / "out"
    run([big], out)
    index = lines(out / INDEX)
    assert index[0]["engine"]["rulesets"] == [{"name": "basic", "version": "1.2.0"}]
    assert index[-1] == {"end": True, "results_bytes": (out / "results.jsonl").stat().st_size}
    assert all(set(e) == {"case_id", "sha256", "offset", "length", "digest"} for e in index[1:-1])


# ---------------------------------------------------------------- command line


def test_cli_exit_codes(runner: Any, tmp_path: Path, mixed: list[Path]) -> None:
    ok = runner.invoke(main, ["batch", str(FIXTURE_CASES), "--out", str(tmp_path / "a"), "-j", "1"])
    assert ok.exit_code == 0, ok.output
    assert "1 cases: 1 evaluated, 0 failed" in ok.output
    some_bad = runner.invoke(main, ["batch", *map(str, mixed), "--out", str(tmp_path / "b"), "-j", "1"])
    assert some_bad.exit_code == 1
    assert "errors.jsonl" in some_bad.output
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("case_id,engagement.levle\nx,consult\n")
    unusable = runner.invoke(main, ["batch", str(bad_header), "--out", str(tmp_path / "c")])
    assert unusable.exit_code == 2
    assert "did you mean 'engagement.level'?" in unusable.output
    assert "Traceback" not in unusable.output
    assert not (tmp_path / "c").exists()
    jobs = runner.invoke(main, ["batch", str(FIXTURE_CASES), "--out", str(tmp_path / "d"), "-j", "0"])
    assert jobs.exit_code == 2 and "--jobs" in jobs.output


def test_cli_is_quiet_without_a_terminal(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "batch",
            str(FIXTURE_CASES),
            "--out",
            str(tmp_path / "o"),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "1 cases: 1 evaluated" in proc.stderr


def test_quiet_batch_says_nothing_unless_a_case_failed(runner: Any, tmp_path: Path) -> None:
    ok = runner.invoke(main, ["batch", str(FIXTURE_CASES), "--out", str(tmp_path / "a"), "-j", "1", "-q"])
    assert ok.exit_code == 0 and ok.output == ""
    assert (tmp_path / "a" / "results.jsonl").read_text().count("\n") == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"case_id": "fine"}\n{"case_id": "broken", "stage": "launch"}\n')
    failed = runner.invoke(main, ["batch", str(bad), "--out", str(tmp_path / "b"), "-j", "1", "--quiet"])
    assert failed.exit_code == 1
    assert "cases:" not in failed.output  # no summary line
    assert "bad.jsonl:2" in failed.output and "stage" in failed.output and "errors.jsonl" in failed.output


@pytest.mark.skipif(not (ROOT / "cases").is_dir(), reason="no shipped example cases yet")
def test_shipped_examples_and_portfolio_csv_run_clean(tmp_path: Path) -> None:
    inputs = [str(ROOT / "cases")] + (
        [str(ROOT / "cases" / "portfolio.csv")] if (ROOT / "cases" / "portfolio.csv").exists() else []
    )
    report = run_batch(inputs, tmp_path / "o", jobs=2)
    assert report.failed == 0, (tmp_path / "o" / "errors.jsonl").read_text()
    assert report.ok >= 3
    from engine import load_case

    engine = load_engine()
    first = sorted(p for p in (ROOT / "cases").glob("*.yaml"))[0]
    assert lines(tmp_path / "o" / "results.jsonl")[0] == json.loads(render_json(engine.evaluate(load_case(first))))


def test_durable_sessions_of_unmatched_cases_never_crash_a_fresh_engine() -> None:
    """A fresh ruleset that no case matches must survive deleting sessions (it segfaulted once)."""
    code = "\n".join(
        [
            f"import sys; sys.path.insert(0, {str(ROOT)!r})",
            "from engine import load_engine, case_from_data",
            f"e = load_engine([{str(BASIC)!r}], shipped=False)",
            "same = {'level': 'involve', 'target': 'involve'}",  # matches no rule of the fixture pack
            "for i in range(1500):",
            "    e.evaluate(case_from_data({'case_id': f'c{i}', 'engagement': same}))",
            "print('ok')",
        ]
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


# ---------------------------------------------------------------- review fixes


def test_cli_no_shipped_loads_only_the_local_packs(runner: Any, tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    got = runner.invoke(
        main, ["batch", str(src), "--out", str(tmp_path / "o"), "-j", "1", "--rules", str(BASIC), "--no-shipped"]
    )
    assert got.exit_code == 0, got.output
    assert lines(tmp_path / "o" / "results.jsonl")[0]["engine"]["rulesets"] == [{"name": "basic", "version": "1.2.0"}]


def test_non_utf8_jsonl_line_is_reported_at_its_line(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_bytes(json.dumps(GOOD).encode() + b"\n\n" + b'{"case_id": "caf\xe9"}\n')
    out = tmp_path / "out"
    report = run([src], out)
    assert (report.ok, report.failed) == (1, 1)
    [error] = lines(out / "errors.jsonl")
    assert (error["line"], error["row"], error["code"]) == (3, 2, "encoding")
    assert error["problems"][0]["line"] == 3


def edited_pack(tmp_path: Path) -> Path:
    """A local copy of the fixture pack."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in BASIC.iterdir():
        (rules / f.name).write_bytes(f.read_bytes())
    return rules


def edit_action(rules: Path) -> None:
    """Change EQ-SHARE-POWER's action text without a version bump."""
    pack = rules / "basic.yaml"
    text = pack.read_text(encoding="utf-8")
    assert "Map who decides what today" in text
    pack.write_text(text.replace("Map who decides what today", "Map who decides what now"), encoding="utf-8")


def actions_of(out: Path) -> list[str]:
    recs = lines(out / "results.jsonl")[0]["recommendations"]
    return [a for r in recs if r["rule_id"] == "EQ-SHARE-POWER" for a in r["actions"]]


def test_resume_reevaluates_after_a_pack_is_edited_without_a_version_bump(tmp_path: Path) -> None:
    from engine.batch import batchrun as batch

    rules = edited_pack(tmp_path)
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    out = tmp_path / "out"
    run_batch([src], out, rules=[rules], shipped=False, jobs=1)
    assert "Map who decides what today" in actions_of(out)
    edit_action(rules)
    batch._worker = None  # as in a new process
    report = run_batch([src], out, rules=[rules], shipped=False, jobs=1, resume=True)
    assert report.reused == 0
    assert "Map who decides what now" in actions_of(out)
    again = run_batch([src], out, rules=[rules], shipped=False, jobs=1, resume=True)
    assert again.reused == 1  # unchanged rules: still resumable


def test_a_later_run_in_the_same_process_compiles_edited_packs(tmp_path: Path) -> None:
    rules = edited_pack(tmp_path)
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    run_batch([src], tmp_path / "a", rules=[rules], shipped=False, jobs=1)
    assert "Map who decides what today" in actions_of(tmp_path / "a")
    edit_action(rules)
    run_batch([src], tmp_path / "b", rules=[rules], shipped=False, jobs=1)
    assert "Map who decides what now" in actions_of(tmp_path / "b")


def test_a_run_compiles_the_very_bytes_its_index_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule file is read once at a run's start: the digest the resume index keeps is that of the bytes
    compiled, so a pack edited while the run starts is never compiled under the digest of other bytes."""
    from engine.batch import batchrun as batch
    from engine.rulepacks import loader, rulecache

    rules = edited_pack(tmp_path)
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n")
    before = loader.read_packs([rules], shipped=False).digest
    reads: list[str] = []
    real = rulecache.regular_bytes

    def counted(path: Path, *a: Any) -> bytes:
        raw = real(path, *a)
        if path.parent == rules:
            reads.append(path.name)
            if path.name == "basic.yaml":
                edit_action(rules)  # the pack is edited just after the run read it
        return raw

    monkeypatch.setattr(rulecache, "regular_bytes", counted)
    batch._worker = None
    run_batch([src], tmp_path / "out", rules=[rules], shipped=False, jobs=1)
    assert sorted(reads) == ["basic.yaml", "sources.yaml"]  # each file read once
    assert "Map who decides what today" in actions_of(tmp_path / "out")  # the bytes read were compiled...
    assert lines(tmp_path / "out" / INDEX)[0]["rules"] == before  # ...under their own digest
    monkeypatch.setattr(rulecache, "regular_bytes", real)
    assert loader.read_packs([rules], shipped=False).digest != before  # so a resume re-evaluates


def test_total_is_reported_once_after_the_checks_and_inputs_are_planned_once(
    tmp_path: Path, mixed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.io import inputs

    planned: list[Any] = []
    real_plan = inputs.plan
    monkeypatch.setattr(inputs, "plan", lambda s: planned.append(s) or real_plan(s))
    totals: list[int] = []
    done: list[int] = []
    run(mixed, tmp_path / "out", total=totals.append, progress=done.append)
    assert len(planned) == 1 and totals == [10] and sum(done) == 10
    with pytest.raises(UsageError):  # an unusable run reports no total
        run(mixed, tmp_path / "out", total=totals.append)
    assert totals == [10]


def test_cli_progress_bar_plans_the_inputs_once(
    runner: Any, tmp_path: Path, mixed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import click.testing

    from engine.io import inputs

    planned: list[Any] = []
    real_plan = inputs.plan
    monkeypatch.setattr(inputs, "plan", lambda s: planned.append(s) or real_plan(s))
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)  # a terminal
    got = runner.invoke(
        main,
        ["batch", *map(str, mixed), "--out", str(tmp_path / "o"), "-j", "1", "--rules", str(BASIC), "--no-shipped"],
    )
    assert got.exit_code == 1, got.output
    assert len(planned) == 1
    assert "cases  [" in got.output and "100%" in got.output  # the bar knew the total


def test_summary_lists_scales_in_vocabulary_order_and_barriers_by_cfir_domain() -> None:
    from engine.model.portfolio import NOT_STATED, Portfolio
    from engine.model.vocabulary import DECISION_MAKING
    from engine.render.portfoliomd import render_portfolio_markdown

    portfolio = Portfolio()
    result = {"case_id": "c", "recommendations": []}
    for decision in [*reversed(DECISION_MAKING), None]:
        portfolio.add(
            result,
            {"site": "s", "engagement": [None, None], "power": [None, decision], "barriers": ["inner_setting.culture"]},
        )
    text = render_portfolio_markdown(portfolio, {"name": "e", "version": "1", "rulesets": []})
    table = text[text.index("| decision making") :].split("\n\n")[0]
    assert [row.split("|")[1].strip() for row in table.splitlines()[2:]] == [*DECISION_MAKING, NOT_STATED]
    assert "| Inner Setting" in text and "inner_setting.culture" in text


def test_the_engine_config_reaches_every_worker_without_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--matcher reaches worker processes inside the run's EngineConfig (issue 24), not through
    $ISP_ADVISOR_MATCHER: every line says which matcher evaluated it."""
    from engine.evaluation.matcher import MATCHER_ENV, durable_installed
    from engine.model.config import EngineConfig

    monkeypatch.delenv(MATCHER_ENV, raising=False)
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps({**GOOD, "case_id": f"c-{i}"}) + "\n" for i in range(6)))
    for matcher in ("python", "durable"):
        out = tmp_path / matcher
        run_batch([src], out, rules=EngineConfig(matcher=matcher), jobs=2)
        lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        expected = matcher if durable_installed() else "python"
        assert len(lines) == 6 and {d["engine"]["matcher"] for d in lines} == {expected}
    assert MATCHER_ENV not in os.environ


def test_a_run_s_settings_and_a_sweep_s_outcomes_are_typed_records(tmp_path: Path) -> None:
    """What travels to each worker is one typed record per run (issue 24: no anonymous tuples unpacked in
    different places), pickled intact; a sweep gives back Swept or Failed records, never ("ok", ...) pairs."""
    import pickle

    from engine.batch.outcomes import Failed, RunSettings
    from engine.batch.sweep import SweepSettings, Swept, parse_varies, sweep_items
    from engine.io import inputs
    from engine.model.config import EngineConfig

    config = EngineConfig(matcher="python")
    settings = RunSettings(config, frozenset({"abc"}), "d1", "none", "2026-03-01", ("people",), True)
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert settings.large and not RunSettings(config).large  # only a resume's hashes are sent once
    sweep = SweepSettings(config, "d1", tuple(parse_varies(["engagement.level=inform,consult"])))
    assert not sweep.large and pickle.loads(pickle.dumps(sweep)) == sweep

    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(GOOD) + "\n" + json.dumps({"case_id": "bad", "stage": "nowhere"}) + "\n")
    from engine import load_engine

    got = list(sweep_items(load_engine(config), inputs.items(inputs.plan([str(src)])), sweep.varies))
    assert [type(o) for o in got] == [Swept, Failed]
    assert isinstance(got[0], Swept) and got[0].summary["case_id"] == GOOD["case_id"]
    assert isinstance(got[1], Failed) and got[1].row["case_id"] == "bad" and got[1].row["field"] == "stage"
