"""recommendations.csv ends with `assessed_on`, from the result (the case's date), so several assessments of
one site in a portfolio can be told apart in a spreadsheet (issue 12)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from engine.batch.batchrun import run_batch
from engine.render.csvrows import HEADER, rows
from tests.conftest import CASES

OVER_TIME = sorted((CASES / "over-time").glob("millbrook-*.yaml"))
UNDATED = CASES / "westbrook-library-literacy.yaml"  # a case that states no assessed_on


def _csv(out: Path) -> list[dict[str, str]]:
    with (out / "recommendations.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _header(out: Path) -> list[str]:
    return (out / "recommendations.csv").read_text(encoding="utf-8").splitlines()[0].split(",")


def test_assessed_on_is_the_last_column_and_each_row_carries_its_cases_date(tmp_path: Path) -> None:
    assert HEADER[-1] == "assessed_on" and HEADER[-2] == "actions"
    out = tmp_path / "o"
    report = run_batch([*map(str, OVER_TIME), str(UNDATED)], out, jobs=1)
    assert report.ok == 4 and report.failed == 0
    assert _header(out)[-1] == "assessed_on"
    dates = {
        json.loads(line)["case_id"]: json.loads(line).get("assessed_on")
        for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    }
    table = _csv(out)
    millbrook = {row["assessed_on"] for row in table if row["case_id"].startswith("millbrook")}
    assert millbrook == {"2026-02-10", "2026-06-09", "2026-10-13"}  # three visits of one site, told apart
    assert {row["assessed_on"] for row in table if row["case_id"] == "westbrook-library-literacy"} == {""}  # not stated
    assert "westbrook-library-literacy" in dates and dates["westbrook-library-literacy"] is None


def test_a_resumed_run_writes_the_same_csv(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run_batch([str(OVER_TIME[0])], out, jobs=1)
    first = (out / "recommendations.csv").read_bytes()
    assert b",2026-02-10\n" in first
    report = run_batch([str(OVER_TIME[0])], out, jobs=1, resume=True)
    assert report.reused == 1
    assert (out / "recommendations.csv").read_bytes() == first  # rows rebuilt from results.jsonl agree


def test_rows_from_the_output_contract_read_assessed_on() -> None:
    rec = {"category": "equity", "rule_ids": ["R"], "title": "T", "priority": "high", "score": 0, "actions": ["a"]}
    assert rows({"case_id": "c", "recommendations": [rec], "assessed_on": "2026-03-02"})[0][-1] == "2026-03-02"
    assert rows({"case_id": "c", "recommendations": [rec]})[0][-1] == ""
    assert len(rows({"case_id": "c", "recommendations": [rec]})[0]) == len(HEADER)


def test_the_date_comes_from_the_case_file(tmp_path: Path) -> None:
    dated = tmp_path / "site.yaml"
    shutil.copy(UNDATED, dated)
    dated.write_text(dated.read_text(encoding="utf-8") + "\nassessed_on: 2026-04-01\n", encoding="utf-8")
    out = tmp_path / "o"
    assert run_batch([str(dated)], out, jobs=1).ok == 1
    assert {row["assessed_on"] for row in _csv(out)} == {"2026-04-01"}
