"""summary.md and summary.html, fixed (issue 25): titles filled as the plans show them, labels that tell a
site's assessments apart, a sites chart whose scale carries information, readable at 390 px (in
Chromium), and what moved between the last two assessments of each site assessed more than once."""

from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES

from engine.batch.batchrun import run_batch
from engine.batch.digest import portfolio_title
from engine.model.portfolio import Portfolio
from engine.model.sitemoves import AssessmentMoves, Snapshot, direction
from engine.render.portfoliohtml import distinct_labels, render_portfolio, text_width, wrap_label
from engine.render.portfoliomd import _shorten, render_portfolio_markdown

ENGINE = {"name": "e", "version": "1", "rulesets": []}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("summary") / "o"
    assert run_batch([str(CASES)], out, jobs=1).failed == 0
    return out


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def svg_texts(page: str) -> list[str]:
    """The visible text of every SVG <text> (its tooltip left out)."""
    return [unescape(re.sub(r"<title>.*?</title>", "", t)) for t in re.findall(r"<text[^>]*>(.*?)</text>", page)]


# ---------------------------------------------------------------- titles, labels, scales


def test_no_title_shows_a_raw_placeholder(shipped: Path) -> None:
    md = (shipped / "summary.md").read_text(encoding="utf-8")
    page = (shipped / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"\{[a-z_.:]+\}", md) and not re.search(r"\{[a-z_.:]+\}", page)
    assert "Fit the innovation into the daily workflow" in page  # SI-WORKFLOW-NOT-FITTED, as a plan says it
    rules_with_placeholders = {"SI-WORKFLOW-NOT-FITTED", "SI-ROLES-UNCLEAR"}
    rows = [line for line in md.splitlines() if any(f"| {r} " in line for r in rules_with_placeholders)]
    assert len(rows) == 2 and all("the in" in row.split("|")[1] for row in rows)  # 'the innovation', cut


def test_the_assessments_of_one_site_are_told_apart(shipped: Path) -> None:
    page = (shipped / "summary.html").read_text(encoding="utf-8")
    heat = page.split("<h2>Recommendations per site and category</h2>")[1].split("<h2>")[0]
    labels = [
        re.findall(r'<text x="\d+" y="[\d.]+" text-anchor="end">(.*?)(?:<title>|</text>)', row)
        for row in re.split(r"(?=<text x=\"\d+\" y=\"[\d.]+\" text-anchor=\"end\">[^<]*<title>)", heat)
    ]
    shown = [" ".join(unescape(x) for x in group) for group in labels if group]
    millbrook = [s for s in shown if s.startswith("Millbrook")]
    assert sorted(millbrook) == [
        "Millbrook Family Resource Center (2026-02-10)",
        "Millbrook Family Resource Center (2026-06-09)",
        "Millbrook Family Resource Center (2026-10-13)",
    ]
    assert len(set(shown)) == len(shown)
    md = (shipped / "summary.md").read_text(encoding="utf-8")
    top = md.split("## Sites with the most Start-here items")[1].split("\n## ")[0]
    cells = [row.split("|")[2].strip() for row in top.splitlines() if row.startswith("| ") and "---" not in row][1:]
    assert len(set(cells)) == len(cells)
    assert all(re.search(r"\(\d{4}-\d\d-\d\d\)$", c) for c in cells if "(20" in c)  # a date is never cut


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Millbrook Family Resource Center (2026-02-10)", 190, ["Millbrook Family Resource", "Center (2026-02-10)"]),
        ("Westside Clinic", 190, ["Westside Clinic"]),
        (
            "Northfield County Children and Family Services of the Greater Metropolitan Area (2026-02-10)",
            190,
            ["Northfield County Children", "and Family S… (2026-02-10)"],
        ),
    ],
)
def test_labels_wrap_on_two_lines_and_keep_the_date(text: str, width: int, lines: list[str]) -> None:
    got = wrap_label(text, width)
    assert got == lines
    assert all(text_width(line) <= width for line in got)


def test_labels_that_read_alike_name_their_case() -> None:
    got = distinct_labels([("Lakeside Clinic", "lake-1"), ("Lakeside Clinic", "lake-2"), ("Other", "o")], 190)
    assert [" ".join(x) for x in got] == ["Lakeside Clinic [lake-1]", "Lakeside Clinic [lake-2]", "Other"]


@pytest.mark.parametrize(
    ("text", "width", "want"),
    [
        ("Riverside Community Health Center (2026-03-02)", 39, "Riverside Community Healt… (2026-03-02)"),
        ("Northfield County Children and Family Services", 39, "Northfield County Children and Family…"),
        ("short", 39, "short"),
    ],
)
def test_markdown_cells_keep_the_assessment_date(text: str, width: int, want: str) -> None:
    assert _shorten(text, width) == want and len(_shorten(text, width)) <= width


def test_the_sites_chart_tells_sites_with_a_full_start_here_apart() -> None:
    p = Portfolio()
    for i in range(4):  # every site has 2 items in Start here; their high-priority items differ
        recs = [
            {
                "rule_id": f"R-{j}",
                "title": f"Do {j}",
                "category": "equity",
                "horizon": "now" if j < 2 else "next",
                "priority": "high" if j < 2 + i else "low",
            }
            for j in range(6)
        ]
        p.add(
            {"case_id": f"c{i}", "recommendations": recs},
            {"site": f"Site {i}", "engagement": [None, None], "power": [None, None], "barriers": []},
        )
    page = render_portfolio(p, ENGINE)
    chart = page.split("<h2>Sites with the most Start-here items</h2>")[1]
    assert "Every site shown has 2 items in Start here" in chart
    highs = sorted(int(n) for n in re.findall(r"high-priority items: (\d+)</title>", chart))
    assert highs == [2, 3, 4, 5]
    widths = {
        float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)" height="9" fill="#d98c2b"', chart)
    }
    assert len(widths) == 4  # the bars differ: the scale carries information


# ---------------------------------------------------------------- what moved


def snap(
    date: str, barriers: tuple[str, ...], items: tuple[str, ...], trust: str = "low", folded: tuple[str, ...] = ()
) -> Snapshot:
    return Snapshot(date, "Site", trust, ("consult", "involve"), barriers, items, folded)


def test_only_the_last_two_assessments_are_compared_whatever_the_input_order() -> None:
    moves = AssessmentMoves()
    moves.add("s", snap("2026-10-01", ("b",), ("x", "y"), "high"))
    moves.add("s", snap("2026-01-01", ("a", "b", "c"), ("w",), "low"))
    moves.add("s", snap("2026-06-01", ("a", "b"), ("x", "z"), "moderate", folded=("y",)))
    moves.add("t", snap("2026-06-01", (), ()))  # assessed once: not listed
    (m,) = moves.moves()
    assert (m.before.assessed_on, m.after.assessed_on, m.assessments) == ("2026-06-01", "2026-10-01", 3)
    assert m.barriers_resolved == ("a",) and m.barriers_new == ()
    assert m.items_retired == ("z",)
    assert m.items_new == ()  # y was folded into another item before: not new
    assert m.trust == "up" and direction("high", None, ("low", "high")) == ""


def test_the_summaries_show_what_moved_at_millbrook(shipped: Path, shipped_engine: Any) -> None:
    results = sorted(
        (r for r in lines(shipped / "results.jsonl") if r["case_id"] == "millbrook-frc"), key=lambda r: r["assessed_on"]
    )
    before, after = results[-2:]

    def keys(r: dict[str, Any]) -> list[str]:
        return [rec["key"] for rec in r["recommendations"]]

    def folded(r: dict[str, Any]) -> set[str]:
        return {a["key"] for rec in r["recommendations"] for a in rec["also"]}

    retired = [k for k in keys(before) if k not in set(keys(after)) | folded(after)]
    new = [k for k in keys(after) if k not in set(keys(before)) | folded(before)]
    md = (shipped / "summary.md").read_text(encoding="utf-8")
    section = md.split("## What moved since the previous assessment")[1].split("\n## ")[0]
    row = next(line for line in section.splitlines() if line.startswith("| millbrook-frc"))
    assert "2026-06-09 → 2026-10-13" in row and "low → high" in row
    assert f"-{len(retired)} +{len(new)}" in row
    assert max(len(line) for line in md.splitlines()) <= 100
    page = (shipped / "summary.html").read_text(encoding="utf-8")
    assert "<h2>What moved since the previous assessment</h2>" in page
    part = unescape(page.split("<h2>What moved since the previous assessment</h2>")[1])
    assert "Trust: low → high (higher)" in part
    rule_of = {rec["key"]: rec["rule_id"] for r in results for rec in r["recommendations"]}
    assert len(retired) + len(new) > 0
    flat = " ".join(section.split())
    for key in [*retired, *new]:  # each named by its rule's title, placeholders filled as for any site
        rule = shipped_engine.by_id[rule_of[key]]
        assert portfolio_title(rule.title) in flat
        assert escape(portfolio_title(rule.title)) in page
    assert page.count("<svg ") == 5  # the moves are a list, not a sixth picture


def test_no_moves_section_without_repeated_assessments(tmp_path: Path) -> None:
    run_batch([str(CASES / "riverside-fqhc.yaml")], tmp_path / "o", jobs=1)
    assert "What moved" not in (tmp_path / "o" / "summary.md").read_text(encoding="utf-8")
    assert "What moved" not in (tmp_path / "o" / "summary.html").read_text(encoding="utf-8")


def test_the_markdown_renders_without_moves() -> None:
    assert "What moved" not in render_portfolio_markdown(Portfolio(), ENGINE)


# ---------------------------------------------------------------- in Chromium, at 1280 and 390 px


def _browser() -> Any:
    from tests.browser import Browser, chromium

    binary = chromium()
    if binary is None:
        pytest.skip("no chromium on PATH (.ci/run installs it with apt-get)")
    try:
        return Browser(binary)
    except ImportError:
        pytest.skip("Playwright is not installed (pip install '.[test]')")


TEXT_SIZES = """(() => {
  const out = [];
  for (const t of document.querySelectorAll('svg text')) {
    const svg = t.ownerSVGElement, box = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
    const r = t.getBoundingClientRect();
    out.push({px: parseFloat(getComputedStyle(t).fontSize) * box.width / vb.width,
              out: r.left < box.left - 0.5 || r.right > box.right + 0.5,
              text: t.firstChild ? t.firstChild.textContent : ''});
  }
  return out;
})()"""


@pytest.mark.parametrize("width", [1280, 390])
def test_readable_without_horizontal_scrolling(shipped: Path, width: int) -> None:
    with _browser() as b:
        page = b.open((shipped / "summary.html").as_uri(), width, 844 if width == 390 else 900, mobile=width == 390)
        scroll, inner = page.eval("[document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == width and scroll <= inner, (width, scroll)
        wide = page.eval(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
            ".map(e => e.tagName).slice(0, 5)"
        )
        assert wide == []
        texts = page.eval(TEXT_SIZES)
        assert len(texts) > 100
        small = [t for t in texts if t["px"] < 10]
        assert small == [], small[:3]
        cut = [t["text"] for t in texts if t["out"]]
        assert cut == []  # no label runs out of its picture
        assert page.eval("document.querySelectorAll('svg').length") == 5
