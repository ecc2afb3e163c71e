"""Assessments over time: directions of change, `compare`, `recommend --previous`, the change rules,
batch with repeated assessments, and the small-multiples HTML opened in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, ROOT

from cli import main
from engine import case_from_data, load_case
from engine.assessments.compare import compare
from engine.batch.batchrun import run_batch
from engine.errors import CaseError
from engine.model.changes import direction
from engine.model.comparereport import ComparisonReport
from engine.render.comparison import render_compare
from tests.browser import FLAGS as CHROMIUM_FLAGS
from tests.browser import chromium as _chromium

OVER_TIME = CASES / "over-time"
FEB, JUN, OCT = (str(OVER_TIME / f"millbrook-2026-{d}.yaml") for d in ("02-10", "06-09", "10-13"))


def site(date: str | None = None, **facts: Any) -> Any:
    return case_from_data({"case_id": "s", **({"assessed_on": date} if date else {}), **facts})


# ---------------------------------------------------------------- directions


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("cfir.innovation.design", -2, 1, "improved"),
        ("cfir.innovation.design", 1, -1, "worsened"),
        ("cfir.innovation.design", "mixed", 0, "improved"),
        ("cfir.innovation.design", -1, "mixed", "improved"),
        ("cfir.innovation.design", 2, 2, "unchanged"),
        ("cfir.innovation.design", None, -1, "new"),
        ("cfir.innovation.design", 1, None, "gone"),
        ("relationships.trust", "moderate", "low", "worsened"),
        ("relationships.trust", "low", "high", "improved"),
        ("power.differential", "high", "moderate", "improved"),
        ("power.differential", "low", "high", "worsened"),
        ("power.decision_making", "solo_leader", "shared", "improved"),
        ("engagement.level", "involve", "consult", "worsened"),
        ("engagement.target", "involve", "defer_to", "improved"),
        ("capacity.analytic", "low", "moderate", "improved"),
        ("capacity_levels.network", "moderate", "low", "worsened"),
    ],
)
def test_every_kind_of_change(path: str, old: Any, new: Any, expected: str) -> None:
    assert direction(path, old, new) == expected


def test_compare_reports_every_kind_of_change(shipped_engine: Any) -> None:
    old = site(
        "2026-01-01",
        cfir={"innovation.design": -2, "innovation.cost": 1, "innovation.complexity": -1, "innovation.adaptability": 0},
        relationships={"trust": "high"},
    )
    new = site(
        "2026-05-01",
        cfir={
            "innovation.design": 1,
            "innovation.cost": -1,
            "innovation.adaptability": 0,
            "innovation.trialability": 2,
        },
        relationships={"trust": "low"},
    )
    data = compare(shipped_engine, [("old.yaml", old), ("new.yaml", new)]).to_dict()
    got = {c["path"]: (c["from"], c["to"], c["direction"]) for c in data["changes"]}
    assert got == {
        "relationships.trust": ("high", "low", "worsened"),
        "cfir.innovation.design": (-2, 1, "improved"),
        "cfir.innovation.cost": (1, -1, "worsened"),
        "cfir.innovation.complexity": (-1, None, "gone"),
        "cfir.innovation.adaptability": (0, 0, "unchanged"),
        "cfir.innovation.trialability": (None, 2, "new"),
    }
    assert set(data) >= {"case_id", "assessments", "changes", "recommendations"}
    assert data["assessments"] == ["2026-01-01", "2026-05-01"]
    assert any("Innovation Design went from -2 to +1" in q for q in data["debrief"])
    assert any("Trust worsened" in q for q in data["debrief"])


# ---------------------------------------------------------------- the shipped site over time


@pytest.fixture(scope="module")
def millbrook_report(shipped_engine: Any) -> ComparisonReport:
    return compare(shipped_engine, [(p, load_case(p)) for p in (OCT, FEB, JUN)]).report()


@pytest.fixture(scope="module")
def millbrook(millbrook_report: ComparisonReport) -> dict[str, Any]:
    return millbrook_report.to_dict()


def test_assessments_are_ordered_by_date_whatever_the_argument_order(millbrook: dict[str, Any]) -> None:
    assert millbrook["assessments"] == ["2026-02-10", "2026-06-09", "2026-10-13"]
    assert millbrook["case_id"] == "millbrook-frc"
    assert [s["from"] for s in millbrook["steps"]] == ["2026-02-10", "2026-06-09"]
    assert millbrook["series"]["cfir.inner_setting.available_resources"] == [-2, 1, 1]


def test_undated_assessments_keep_the_argument_order(shipped_engine: Any) -> None:
    a, b = site(cfir={"innovation.design": -1}), site("2026-01-01", cfir={"innovation.design": 1})
    data = compare(shipped_engine, [("b", b), ("a", a)]).to_dict()
    assert data["assessments"] == ["2026-01-01", "assessment 2"]
    assert data["changes"][0]["direction"] == "worsened"


def test_recommendations_retired_new_and_moved(millbrook: dict[str, Any]) -> None:
    recs = millbrook["recommendations"]
    retired = {r["rule_id"] for r in recs["retired"]}
    new = {r["rule_id"] for r in recs["new"]}
    assert "SM-inner_setting.available_resources-access_new_funding-2" in retired  # the resources barrier went
    assert "PX-BARRIER-RESOLVED" in new
    # items are matched by key: the capacity-levels item carries on (another rule of the same key now fires)
    keys = {r["key"] for part in ("retired", "new") for r in recs[part]}
    assert "capacity_building:capacity-levels" not in keys
    assert not retired & new
    assert all(m["from"] != m["to"] for m in recs["moved"]) and recs["moved"]
    step2 = millbrook["steps"][0]["recommendations"]
    assert "PX-TRUST-WORSENED" in {r["rule_id"] for r in step2["new"]}
    later = millbrook["steps"][1]["recommendations"]
    assert {"PX-TRUST-WORSENED", "PX-COMMUNITY-VIEW-LOWER"} <= {r["rule_id"] for r in later["retired"]}


def test_compare_refuses_other_sites_and_single_assessments(shipped_engine: Any, runner: Any) -> None:
    with pytest.raises(CaseError):
        compare(shipped_engine, [("a", site()), ("b", case_from_data({"case_id": "other"}))])
    res = runner.invoke(main, ["compare", FEB, str(CASES / "riverside-fqhc.yaml")])
    assert res.exit_code == 2 and "riverside-fqhc.yaml" in res.output and "same case_id" in res.output
    res = runner.invoke(main, ["compare", FEB])
    assert res.exit_code == 2 and "two or more" in res.output


@pytest.mark.parametrize("width", [80, 100, 140])
def test_compare_table_fits_the_terminal(runner: Any, width: int) -> None:
    res = runner.invoke(main, ["compare", FEB, JUN, OCT], env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.output
    assert max(len(line) for line in res.output.splitlines()) <= width
    assert "Ask in the debrief:" in res.output and "retired" in res.output


def test_compare_json_and_markdown(runner: Any) -> None:
    res = runner.invoke(main, ["compare", FEB, OCT, "--format", "json"])
    data = json.loads(res.output)
    assert {"path": "engagement.level", "from": "consult", "to": "involve", "direction": "improved"} in data["changes"]
    assert all(c["direction"] in ("improved", "worsened", "unchanged", "new", "gone") for c in data["changes"])
    again = runner.invoke(main, ["compare", OCT, FEB, "--format", "json"])
    assert again.output == res.output  # deterministic, whatever the argument order
    md = runner.invoke(main, ["compare", FEB, OCT, "--format", "markdown"]).output
    assert md.startswith("# Assessments of millbrook-frc") and "| Trust | `relationships.trust` |" in md


# ---------------------------------------------------------------- recommend --previous


def test_previous_gives_change_facts(shipped_engine: Any) -> None:
    facts, origins = shipped_engine.case_facts(load_case(JUN), load_case(FEB))
    assert facts["change.relationships.trust"] == "worsened"
    assert facts["derived.resolved.any"] is True
    assert origins["change.relationships.trust"] == ("previous", "moderate on 2026-02-10, low on 2026-06-09")
    durable, python = shipped_engine.fire(facts), shipped_engine.fire_python(facts)
    assert durable.fired == python.fired
    none, _ = shipped_engine.case_facts(load_case(JUN))
    assert not [k for k in none if k.startswith(("change.", "derived.resolved."))]


def test_trust_worsened_moves_relationship_work_to_now_and_resolved_barriers_are_said(runner: Any) -> None:
    res = runner.invoke(main, ["recommend", JUN, "--previous", FEB, "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    recs = {r["rule_id"]: r for r in data["recommendations"]}
    trust = recs["PX-TRUST-WORSENED"]
    assert trust["horizon"] == "now" and trust["rank"] == 1
    assert any(reason["factor"] == "urgent" for reason in trust["rank_reasons"])
    assert "PX-BARRIER-RESOLVED" in recs
    proof = json.dumps(recs["PX-BARRIER-RESOLVED"]["explanation"])
    assert "resolved since 2026-02-10: inner_setting.available_resources" in proof
    assert {"path": "relationships.trust", "from": "moderate", "to": "low", "direction": "worsened"} in data["changes"]
    plain = json.loads(runner.invoke(main, ["recommend", JUN, "--format", "json"]).output)
    assert "PX-TRUST-WORSENED" not in {r["rule_id"] for r in plain["recommendations"]}
    assert "changes" not in plain


def test_engagement_slipping_back_is_flagged(shipped_engine: Any) -> None:
    old = site(engagement={"level": "involve"})
    new = site(engagement={"level": "inform"})
    result = shipped_engine.evaluate(new, previous=old)
    assert "PX-ENGAGEMENT-SLIPPED" in {r.rule_id for r in result.recommendations}


def test_previous_of_another_site_is_refused(runner: Any) -> None:
    res = runner.invoke(main, ["recommend", JUN, "--previous", str(CASES / "riverside-fqhc.yaml")])
    assert res.exit_code == 2 and "same case_id" in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------- batch


def test_batch_keeps_repeated_assessments_and_shows_the_trend(tmp_path: Path) -> None:
    report = run_batch([str(OVER_TIME)], tmp_path / "o", jobs=1)
    assert (report.ok, report.failed) == (3, 0)
    summary = (tmp_path / "o" / "summary.md").read_text()
    assert "## Sites assessed more than once" in summary
    trend = summary[summary.index("## Sites assessed more than once") :]
    row = next(line for line in trend.splitlines() if line.startswith("| millbrook-frc"))
    assert "2026-02-10 → 2026-06-09 → 2026-10-13" in row and "moderate → low → high" in row
    lines = [json.loads(line) for line in (tmp_path / "o" / "results.jsonl").read_text().splitlines()]
    assert sorted(d["assessed_on"] for d in lines) == ["2026-02-10", "2026-06-09", "2026-10-13"]
    assert {d["case_id"] for d in lines} == {"millbrook-frc"}


def test_batch_still_refuses_the_same_assessment_twice(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b"):
        shutil.copy(FEB, src / f"{name}.yaml")
    (src / "c.yaml").write_text("case_id: millbrook-frc\n")  # undated: its own entry, once
    report = run_batch([str(src)], tmp_path / "o", jobs=1)
    assert (report.ok, report.failed) == (2, 1)
    [err] = [json.loads(line) for line in (tmp_path / "o" / "errors.jsonl").read_text().splitlines()]
    assert err["code"] == "duplicate_case_id" and "assessed on 2026-02-10" in err["message"]


def test_batch_of_all_shipped_cases_runs_clean(tmp_path: Path) -> None:
    report = run_batch([str(CASES)], tmp_path / "o", jobs=2)
    assert report.failed == 0, (tmp_path / "o" / "errors.jsonl").read_text()


# ---------------------------------------------------------------- html small multiples


def test_compare_html_is_self_contained_with_one_picture_per_rating(millbrook_report: ComparisonReport) -> None:
    page = render_compare(millbrook_report, "html")
    assert page.count("<svg") == len(millbrook_report.series) and "<script" not in page and "http://www.w3.org" in page
    assert "src=" not in page and "<link" not in page


def test_compare_html_opens_in_headless_chromium(millbrook_report: ComparisonReport, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on PATH (install it with apt-get install chromium)")
    page = tmp_path / "compare.html"
    page.write_text(render_compare(millbrook_report, "html"), encoding="utf-8")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == len(millbrook_report.series) and "Available Resources" in dom.stdout
    shot = tmp_path / "compare.png"
    subprocess.run(
        [browser, *flags, "--window-size=1000,1300", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


def test_the_committed_screenshot_exists() -> None:
    assert (ROOT / "docs" / "img" / "compare.png").stat().st_size > 10_000


def test_compare_json_matches_its_schema(millbrook: dict[str, Any]) -> None:
    import jsonschema

    from engine.authoring.schema import json_schema

    jsonschema.Draft202012Validator(json_schema("compare")).validate(millbrook)
