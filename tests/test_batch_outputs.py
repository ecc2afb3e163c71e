"""What a batch writes for people and spreadsheets: the CSV columns, summary.md's counts,
--explanations none, and what the terminal says after a run."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, FIXTURES

from cli import main
from engine.batch.batchrun import run_batch
from engine.model.vocabulary import TAG_KEYS
from engine.render.csvrows import ACTIONS_SEPARATOR, HEADER

BASIC = FIXTURES / "basic"
RIVERSIDE = CASES / "riverside-fqhc.yaml"
SHIPPED = sorted(CASES.glob("*.yaml"))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(out: Path) -> list[dict[str, str]]:
    with (out / "recommendations.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_keeps_its_columns_in_place_and_appends_site_and_actions() -> None:
    before = [
        "case_id",
        "rank",
        "horizon",
        "category",
        "rule_ids",
        "title",
        "priority",
        "priority_rank",
        "score",
        *TAG_KEYS,
    ]
    assert list(HEADER[: len(before)]) == before  # a script reading columns by position keeps working
    assert HEADER[len(before) :] == ("site", "first_action", "actions", "assessed_on")


def test_csv_has_the_site_and_the_actions_of_each_recommendation(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run_batch([str(RIVERSIDE)], out, jobs=1).ok == 1
    (result,) = lines(out / "results.jsonl")
    rows = csv_rows(out)
    assert len(rows) == len(result["recommendations"])
    for row, rec in zip(rows, result["recommendations"], strict=True):
        assert row["site"] == "Riverside Community Health Center"
        assert row["first_action"] == rec["actions"][0]
        assert row["actions"] == ACTIONS_SEPARATOR.join(rec["actions"])
        assert row["priority_rank"] == {"high": "1", "medium": "2", "low": "3"}[rec["priority"]]
        assert row["horizon"] == rec["horizon"] and row["rank"] == str(rec["rank"])


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    src = tmp_path / "sites.csv"
    src.write_text(
        "case_id,site,engagement.level,engagement.target\n"
        'a-1,"=HYPERLINK(""http://x"",""y"")",inform,collaborate\n'
        "a-2,@SUM(A1),inform,collaborate\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert run_batch([str(src)], out, jobs=1, rules=[BASIC], shipped=False).ok == 2
    sites = {r["case_id"]: r["site"] for r in csv_rows(out)}
    assert sites == {"a-1": '\'=HYPERLINK("http://x","y")', "a-2": "'@SUM(A1)"}


def test_csv_is_the_same_after_resume(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run_batch([str(RIVERSIDE)], out, jobs=1)
    first = (out / "recommendations.csv").read_bytes()
    report = run_batch([str(RIVERSIDE)], out, jobs=1, resume=True)
    assert report.reused == 1
    assert (out / "recommendations.csv").read_bytes() == first


@pytest.fixture(scope="module")
def shipped_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "o"
    assert run_batch([*map(str, SHIPPED)], out, jobs=1).failed == 0
    return out


def _recommendation_table(summary: str) -> list[list[str]]:
    start = summary.index("| recommendation ")
    table = summary[start:].split("\n\n")[0].splitlines()[2:]
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in table]


def test_summary_counts_merged_items_per_horizon(shipped_out: Path) -> None:
    results = lines(shipped_out / "results.jsonl")
    rows = _recommendation_table((shipped_out / "summary.md").read_text(encoding="utf-8"))
    # one row per item as people see it: every site's merged recommendation counted once
    assert sum(int(r[2]) for r in rows) == sum(len(r["recommendations"]) for r in results)
    for col, horizon in ((3, "now"), (4, "next"), (5, "later")):
        assert sum(int(r[col]) for r in rows) == sum(len(r["plan"][horizon]) for r in results)
    assert all(int(r[3]) + int(r[4]) + int(r[5]) == int(r[2]) for r in rows)
    assert len({(r[0], r[1]) for r in rows}) == len(rows)
    # the same strategy is one row, whichever rule of the merged group came first at each site
    eric = [r for r in rows if r[0].startswith("ERIC strategy: Facilitation")]
    assert len(eric) <= 1


def test_summary_md_fits_100_columns(shipped_out: Path) -> None:
    text = (shipped_out / "summary.md").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "[summary.html](summary.html)" in text


def test_explanations_none_drops_only_the_proof_trees(tmp_path: Path) -> None:
    full, lean = tmp_path / "full", tmp_path / "lean"
    run_batch([str(RIVERSIDE)], full, jobs=1)
    run_batch([str(RIVERSIDE)], lean, jobs=1, explanations="none")
    (a,), (b,) = lines(full / "results.jsonl"), lines(lean / "results.jsonl")
    assert "explanation" not in json.dumps(b)
    for rec in a["recommendations"]:
        rec.pop("explanation")
        for also in rec["also"]:
            also.pop("explanation")
    for derived in a["derived_facts"].values():
        derived.pop("explanation")
    assert a == b
    assert (lean / "results.jsonl").stat().st_size < (full / "results.jsonl").stat().st_size
    assert (lean / "recommendations.csv").read_bytes() == (full / "recommendations.csv").read_bytes()


def test_resume_never_mixes_lines_with_and_without_proofs(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run_batch([str(RIVERSIDE)], out, jobs=1)
    report = run_batch([str(RIVERSIDE)], out, jobs=1, resume=True, explanations="none")
    assert report.reused == 0
    assert "explanation" not in (out / "results.jsonl").read_text(encoding="utf-8")
    assert run_batch([str(RIVERSIDE)], out, jobs=1, resume=True, explanations="none").reused == 1


def test_cli_lists_the_first_errors_and_where_they_all_are(runner: Any, tmp_path: Path) -> None:
    src = tmp_path / "many.jsonl"
    good = {"case_id": "ok-1", "engagement": {"level": "inform", "target": "collaborate"}}
    bad = [{"case_id": f"bad-{i}", "stage": "instalation"} for i in range(5)]
    src.write_text("\n".join(json.dumps(c) for c in [good, *bad]) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    res = runner.invoke(main, ["batch", str(src), "--out", str(out), "-j", "1", "--rules", str(BASIC), "--no-shipped"])
    assert res.exit_code == 1
    text = res.output
    assert "6 cases: 1 evaluated, 5 failed" in text
    assert f"  {src}:2: stage: 'instalation' is not allowed" in text
    assert text.count("'instalation' is not allowed") == 3  # the first three
    assert f"... and 2 more; see {out / 'errors.jsonl'} for every failed case" in text


def test_cli_explanations_option(runner: Any, tmp_path: Path) -> None:
    res = runner.invoke(main, ["batch", str(RIVERSIDE), "--out", str(tmp_path / "o"), "--explanations", "none"])
    assert res.exit_code == 0, res.output
    assert "explanation" not in (tmp_path / "o" / "results.jsonl").read_text(encoding="utf-8")
    bad = runner.invoke(main, ["batch", str(RIVERSIDE), "--out", str(tmp_path / "p"), "--explanations", "some"])
    assert bad.exit_code == 2 and "'some' is not one of 'full', 'none'" in bad.output


def test_csv_text_from_the_objects_is_the_csv_of_the_output_contract() -> None:
    """The batch builds CSV text from shared per-recommendation pieces; it must be the same bytes as
    the rows of the JSON output (which --resume uses), quoting and formula cells included."""
    from engine import load_case, load_engine
    from engine.render.csvrows import result_text, rows, to_text

    engine = load_engine()
    for path in SHIPPED:
        result = engine.evaluate(load_case(path))
        for site in ("", "Plain", 'A "quoted", site', "=cmd|' /C calc'!A0", "two\nlines"):
            assert result_text(result.case_id, site, result.placed(), result.assessed_on) == to_text(
                rows(result.to_dict(), site)
            )


def test_summary_of_repeated_assessments_fits_100_columns(tmp_path: Path) -> None:
    over_time = sorted((CASES / "over-time").glob("*.yaml"))
    if len(over_time) < 2:
        pytest.skip("no repeated assessments among the example cases")
    out = tmp_path / "o"
    assert run_batch([*map(str, over_time)], out, jobs=1).failed == 0
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Sites assessed more than once" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    page = (out / "summary.html").read_text(encoding="utf-8")
    dates = {json.loads(x)["assessed_on"] for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    assert all(f"({d})" in page for d in dates)  # each assessment of the site told apart by its date
