"""The plan as a working document (docs/decisions.md): the decisions file, `decide`, what reads it,
carrying decisions across assessments, Word and Excel documents, and `--redact people`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import CASES

RIVERSIDE = CASES / "riverside-fqhc.yaml"
HANDOVER = "capacity_building:leadership-transition"


def run(*args: str, ok: bool = True) -> Any:
    out = CliRunner().invoke(main, list(args), env={"COLUMNS": "120"})
    if ok:
        assert out.exit_code == 0, out.output
    return out


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    case = tmp_path / "riverside-fqhc.yaml"
    shutil.copy(RIVERSIDE, case)
    return case


def plan_json(case: Path, *extra: str) -> dict[str, Any]:
    return json.loads(run("recommend", str(case), "-f", "json", *extra).stdout)


def item(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in data["recommendations"] if r["key"] == key)


def some_key(case: Path, horizon: str = "now", n: int = 1) -> str:
    data = plan_json(case)
    return [r["key"] for r in data["recommendations"] if r["horizon"] == horizon][n]


# ---------------------------------------------------------------- the round trip


def test_decide_then_recommend_shows_the_decision(site: Path) -> None:
    run(
        "decide",
        str(site),
        HANDOVER,
        "--accept",
        "--owner",
        "Dr. Elena Ortiz",
        "--due",
        "2026-04-01",
        "--status",
        "under_way",
        "--by",
        "ana",
        "--date",
        "2026-03-02",
    )
    text = (site.parent / "riverside-fqhc.plan.yaml").read_text()
    assert "key: capacity_building:leadership-transition" in text and "updated_by: ana" in text
    assert "updated: 2026-03-02" in text and "case_id: riverside-fqhc" in text
    rec = item(plan_json(site), HANDOVER)
    assert (rec["decision"], rec["owner"], rec["due"], rec["status"]) == (
        "accepted",
        "Dr. Elena Ortiz",
        "2026-04-01",
        "under_way",
    )
    table = run("recommend", str(site)).stdout
    assert "Team: Accepted · owner Dr. Elena Ortiz · due 1 April 2026 · under way" in table
    listing = run("decide", str(site), "--list").stdout
    assert HANDOVER in listing and "Dr. Elena Ortiz" in listing and "2026-04-01" in listing
    # --no-decisions ignores the file; --decisions names another
    assert "decision" not in item(plan_json(site, "--no-decisions"), HANDOVER)


@pytest.mark.parametrize("fmt", ["json", "table", "markdown", "html"])
def test_a_set_aside_item_leaves_the_plan_with_its_reason(site: Path, fmt: str) -> None:
    key = some_key(site, "now", 1)
    title = item(plan_json(site), key)["title"]
    run("decide", str(site), key, "--set-aside", "the board decides in May", "--date", "2026-03-02")
    out = run("recommend", str(site), "-f", fmt).stdout
    if fmt == "json":
        data = json.loads(out)
        assert key not in [r["key"] for r in data["recommendations"]]
        assert data["plan"]["set_aside"] == [{"key": key, "title": title, "reason": "the board decides in May"}]
        assert len([r for r in data["recommendations"] if r["horizon"] == "now"]) == 5  # the rest closed up
    else:
        assert "Set aside" in out and "the board decides in May" in out
        start = out.split("Set aside")[0]
        assert out.count(title.replace("'", "&#x27;") if fmt == "html" else title) == 1 or title not in start


def test_unknown_keys_are_kept_and_reported_and_comments_survive(site: Path) -> None:
    plan = site.parent / "riverside-fqhc.plan.yaml"
    plan.write_text(
        "# Riverside's working plan, kept by the implementation team\ncase_id: riverside-fqhc\n"
        "items:\n  # from last year's plan\n  - key: equity:retired-item\n    decision: accepted\n"
        "    owner: Sam\n"
    )
    data = plan_json(site)
    assert data["plan"]["no_longer_recommended"] == [
        {
            "key": "equity:retired-item",
            "decision": "accepted",
            "owner": "Sam",
            "why": "not recommended for this case now: the facts that called for it no longer hold",
        }
    ]
    run("decide", str(site), HANDOVER, "--accept", "--by", "ana", "--date", "2026-03-02")
    text = plan.read_text()
    assert text.startswith("# Riverside's working plan, kept by the implementation team\n")
    assert "# from last year's plan" in text and "key: equity:retired-item" in text and "owner: Sam" in text
    assert "No longer recommended" in run("recommend", str(site)).stdout


def test_decide_refuses_a_key_no_item_has_with_a_did_you_mean(site: Path) -> None:
    out = run("decide", str(site), "capacity_building:leadership-transitio", "--accept", ok=False)
    assert out.exit_code == 2 and "no item of this plan has the key" in out.stderr
    assert "capacity_building:leadership-transition" in out.stderr and "Traceback" not in out.output
    assert not (site.parent / "riverside-fqhc.plan.yaml").exists()
    out = run("decide", str(site), HANDOVER, "--set-aside", "", ok=False)  # a set-aside needs a reason
    assert out.exit_code == 2 and "needs a reason" in out.stderr
    assert not (site.parent / "riverside-fqhc.plan.yaml").exists()


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("case_id: riverside-fqhc\nitems:\n  - key: a:b\n    status: finished\n", "items[0].status", "not allowed"),
        ("case_id: riverside-fqhc\nitems:\n  - key: a:b\n    decision: set_aside\n", "items[0]", "needs a reason"),
        ("case_id: riverside-fqhc\nitems:\n  - key: 12\n", "items[0].key", "string"),
        ("case_id: riverside-fqhc\nitems:\n  - key: a:b\n    due: 2026-13-01\n", "plan.yaml:4:", "date"),
        ('case_id: riverside-fqhc\nitems:\n  - key: a:b\n    note: "bell\\a"\n', "items[0].note", "control"),
        ("case_id: riverside-fqhc\nitems:\n  - key: a:b\n  - key: a:b\n", "items[1].key", "twice"),
        ("case_id: other-site\nitems: []\n", "case_id", "not 'riverside-fqhc'"),
        ("items:\n  - key: a:b\n    colour: red\n", "items[0].colour", "unknown key"),
    ],
)
def test_a_bad_decisions_file_exits_2_with_file_and_line(site: Path, text: str, field: str, words: str) -> None:
    plan = site.parent / "riverside-fqhc.plan.yaml"
    plan.write_text(text)
    out = run("recommend", str(site), ok=False)
    assert out.exit_code == 2, out.output
    assert "riverside-fqhc.plan.yaml:" in out.stderr and field in out.stderr and words in out.stderr, out.stderr
    assert "Traceback" not in out.output


def test_a_huge_decisions_file_is_refused(site: Path) -> None:
    plan = site.parent / "riverside-fqhc.plan.yaml"
    plan.write_text("case_id: riverside-fqhc\nitems:\n" + "  - key: a:b\n    note: " + "x" * 60 + "\n" * 1)
    with plan.open("a") as fh:
        fh.write("# " + "y" * (50 * 1024 * 1024) + "\n")
    out = run("recommend", str(site), ok=False)
    assert out.exit_code == 2 and "riverside-fqhc.plan.yaml" in out.stderr and "Traceback" not in out.output


def test_batch_and_folder_walks_skip_decisions_files(site: Path, tmp_path: Path) -> None:
    run("decide", str(site), HANDOVER, "--accept", "--date", "2026-03-02")
    run("batch", str(site.parent), "--out", str(tmp_path / "out"), "-q")
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["case_id"] == "riverside-fqhc"


# ---------------------------------------------------------------- across assessments


def test_accepted_items_carry_forward_to_the_next_assessment(tmp_path: Path) -> None:
    first, second = (tmp_path / p.name for p in sorted((CASES / "over-time").glob("millbrook-*.yaml"))[:2])
    for p in (first, second):
        shutil.copy(CASES / "over-time" / p.name, p)
    both = {r["key"] for r in plan_json(first)["recommendations"]} & {
        r["key"] for r in plan_json(second)["recommendations"]
    }
    key = sorted(both)[0]
    run(
        "decide",
        str(first),
        key,
        "--accept",
        "--owner",
        "Rosa",
        "--due",
        "2026-05-01",
        "--status",
        "under_way",
        "--date",
        "2026-02-10",
    )
    data = plan_json(second, "--previous", str(first))
    rec = item(data, key)
    assert (rec["owner"], rec["status"], rec["carried_from"]) == ("Rosa", "under_way", "2026-02-10")
    # the new assessment's own decision wins over the carried one
    run("decide", str(second), key, "--accept", "--owner", "Lee", "--date", "2026-06-09")
    rec = item(plan_json(second, "--previous", str(first)), key)
    assert rec["owner"] == "Lee" and "carried_from" not in rec


# ---------------------------------------------------------------- documents


def test_word_and_excel_carry_the_plan_owner_and_date(site: Path, tmp_path: Path) -> None:
    import docx
    import openpyxl

    run(
        "decide",
        str(site),
        HANDOVER,
        "--accept",
        "--owner",
        '=HYPERLINK("http://x")',
        "--due",
        "2026-04-01",
        "--date",
        "2026-03-02",
    )
    first = next(r for r in plan_json(site)["recommendations"] if r["horizon"] == "now")
    run("recommend", str(site), "-f", "docx", "-o", str(tmp_path / "plan.docx"))
    doc = docx.Document(str(tmp_path / "plan.docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Implementation support plan: Riverside Community Health Center"
    assert f"1. {first['title']}" in paragraphs and "Start here (the first 30 days)" in paragraphs
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert '=HYPERLINK("http://x")' in cells and "2026-04-01" in cells
    assert any(p.startswith("[1] ") for p in paragraphs)  # numbered references
    run("plan", str(site), "-f", "xlsx", "-o", str(tmp_path / "plan.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    ws = wb["Plan"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:9] == ("key", "horizon", "rank", "title", "first action", "owner", "due", "status", "decision")
    assert rows[1][0] == first["key"] and rows[1][3] == first["title"]
    handover = next(r for r in rows if r[0] == HANDOVER)
    assert handover[5] == '\'=HYPERLINK("http://x")' and handover[6] == "2026-04-01"  # neutralised
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert wb.sheetnames == ["Plan", "References"]
    # the same inputs give the same bytes
    run("recommend", str(site), "-f", "docx", "-o", str(tmp_path / "again.docx"))
    assert (tmp_path / "plan.docx").read_bytes() == (tmp_path / "again.docx").read_bytes()


def test_documents_need_a_file(site: Path) -> None:
    out = run("recommend", str(site), "-f", "docx", ok=False)
    assert out.exit_code == 2 and "-o FILE.docx" in out.stderr


def test_plan_specification_takes_owner_and_due(site: Path) -> None:
    run(
        "decide",
        str(site),
        HANDOVER,
        "--accept",
        "--owner",
        "Dr. Elena Ortiz",
        "--due",
        "2026-04-01",
        "--date",
        "2026-03-02",
    )
    data = json.loads(run("plan", str(site), "-f", "json").stdout)
    spec = next(s for s in data["strategies"] if s["rule_id"] == "CB-LEADERSHIP-TRANSITION")
    assert spec["actor"] == "Dr. Elena Ortiz" and spec["temporality"]["due"] == "2026-04-01"


# ---------------------------------------------------------------- privacy


def test_redact_people_replaces_names_by_roles_everywhere(tmp_path: Path) -> None:
    case = tmp_path / "clinic.yaml"
    case.write_text(
        RIVERSIDE.read_text()
        .replace("people:\n", "people:\n  - {name: Ana María Ruiz, role: care manager lead, group: champion}\n", 1)
        .replace("summary: Care managers", "summary: Ana María Ruiz says care managers", 1)
    )
    assert "Ana María Ruiz" in run("recommend", str(case), "-f", "json").stdout
    run(
        "decide",
        str(case),
        HANDOVER,
        "--accept",
        "--owner",
        "Ana María Ruiz",
        "--note",
        "Ask Ana María Ruiz first",
        "--by",
        "ana",
        "--date",
        "2026-03-02",
    )
    for fmt in ("json", "table", "markdown", "html"):
        out = run("recommend", str(case), "-f", fmt, "--redact", "people").stdout
        assert "Ana María Ruiz" not in out and "Ana Mar" not in out, fmt
        assert "care manager lead" in out, fmt
    run("recommend", str(case), "-f", "docx", "-o", str(tmp_path / "r.docx"), "--redact", "people")
    import docx

    doc = docx.Document(str(tmp_path / "r.docx"))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "Ana María Ruiz" not in text and "care manager lead" in text
    data = json.loads(run("plan", str(case), "-f", "json", "--redact", "people").stdout)
    assert "Ana María Ruiz" not in json.dumps(data)


def test_xlsx_neutralises_formulas_in_titles_from_the_case(tmp_path: Path) -> None:
    import openpyxl

    case = tmp_path / "c.yaml"
    case.write_text(
        RIVERSIDE.read_text().replace(
            "innovation: Collaborative care for depression in primary care", "innovation: \"=cmd|' /C calc'!A0\"", 1
        )
    )
    run("recommend", str(case), "-f", "xlsx", "-o", str(tmp_path / "c.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    values = [v for row in wb["Plan"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert values and not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert any(v.startswith("'=cmd") for v in values) or any("=cmd" in v for v in values)
    _ = io


def test_compare_redacts_people_too(tmp_path: Path) -> None:
    first, second = (tmp_path / p.name for p in sorted((CASES / "over-time").glob("millbrook-*.yaml"))[:2])
    for p in (first, second):
        text = (CASES / "over-time" / p.name).read_text()
        p.write_text(text)
    both = {r["key"] for r in plan_json(first)["recommendations"]} & {
        r["key"] for r in plan_json(second)["recommendations"]
    }
    key = sorted(both)[0]
    run("decide", str(first), key, "--accept", "--owner", "Rosa Quintero", "--date", "2026-02-10")
    plain = run("compare", str(first), str(second), "-f", "json").stdout
    assert "Rosa Quintero" in plain
    for fmt in ("json", "table", "markdown", "html"):
        out = run("compare", str(first), str(second), "-f", fmt, "--redact", "people").stdout
        assert "Rosa Quintero" not in out, fmt
    assert (
        "an owner (name withheld)" in run("compare", str(first), str(second), "-f", "json", "--redact", "people").stdout
    )
