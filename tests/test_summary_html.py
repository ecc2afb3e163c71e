"""summary.html: the portfolio summary as pictures, self-contained, no scripts, opened in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import CASES

from engine.batch.batchrun import run_batch
from engine.model.portfolio import HEAT_SITES, Portfolio
from engine.model.vocabulary import CATEGORIES
from engine.render.portfoliohtml import render_portfolio
from tests.browser import FLAGS as CHROMIUM_FLAGS
from tests.browser import chromium as _chromium

SHIPPED = sorted(CASES.glob("*.yaml"))


@pytest.fixture(scope="module")
def portfolio_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example cases plus one whose site name is markup, through a real batch run."""
    src = tmp_path_factory.mktemp("in")
    hostile = {
        "case_id": "hostile",
        "site": "<script>alert(1)</script> & Co",
        "stage": "installation",
        "engagement": {"level": "inform", "target": "involve"},
        "cfir": {"inner_setting.culture": -2},
    }
    (src / "hostile.json").write_text(json.dumps(hostile), encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "o"
    report = run_batch([*map(str, SHIPPED), str(src / "hostile.json")], out, jobs=1)
    assert report.failed == 0
    return out


def test_summary_html_is_self_contained_and_has_every_picture(portfolio_out: Path) -> None:
    page = (portfolio_out / "summary.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "javascript:" not in page  # no scripts, not even the hostile site's
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from elsewhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    for heading in (
        "Recommendations per site and category",
        "CFIR barriers by domain",
        "Community engagement along the spectrum",
        "The most common Start-here items",
        "Sites with the most Start-here items",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("<svg ") == 5
    assert '<a href="summary.md">summary.md</a>' in page
    manifest = json.loads((portfolio_out / "manifest.json").read_text(encoding="utf-8"))
    assert "summary.html" in manifest["files"]


def test_the_heat_map_shows_each_sites_counts_per_category(portfolio_out: Path) -> None:
    page = (portfolio_out / "summary.html").read_text(encoding="utf-8")
    results = [json.loads(x) for x in (portfolio_out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    riverside = next(r for r in results if r["case_id"] == "riverside-fqhc")
    for cat in CATEGORIES:
        n = sum(1 for rec in riverside["recommendations"] if rec["category"] == cat)
        assert f"<title>riverside-fqhc, {cat}: {n}</title>" in page


def test_the_now_items_are_counted_per_site() -> None:
    p = Portfolio()
    recs = [
        {"rule_id": "A-1", "title": "Do A", "category": "equity", "priority": "high", "horizon": "now"},
        {"rule_id": "B-1", "title": "Do B", "category": "facilitation", "priority": "low", "horizon": "later"},
    ]
    for i in range(3):
        p.add(
            {"case_id": f"c{i}", "recommendations": recs[: i + 1] if i < 2 else recs[:1]},
            {"site": f"Site {i}", "engagement": ["inform", "involve"], "power": [None, None], "barriers": []},
        )
    page = render_portfolio(p, {"name": "e", "version": "1", "rulesets": []})
    assert "<title>Do A: 3</title>" in page  # in Start here at all three sites
    assert "Do B" not in page.split("The most common Start-here items")[1].split("<h2>")[0]
    assert "3 sites want more community engagement than they have" in page


def test_a_large_portfolio_draws_only_the_busiest_sites() -> None:
    p = Portfolio()
    rec = {"rule_id": "A-1", "title": "Do A", "category": "equity", "priority": "high", "horizon": "now"}
    for i in range(HEAT_SITES + 20):
        p.add(
            {"case_id": f"c{i:03d}", "recommendations": [rec] * (1 + i % 4)},
            {"site": f"Site {i}", "engagement": [None, None], "power": [None, None], "barriers": []},
        )
    page = render_portfolio(p, {"name": "e", "version": "1", "rulesets": []})
    assert f"for the {HEAT_SITES} sites with the most recommendations" in page
    assert page.count(", equity: ") == HEAT_SITES


def test_chromium_renders_the_summary(tmp_path: Path, portfolio_out: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on PATH (.ci/run installs it with apt-get)")
    page = portfolio_out / "summary.html"
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg ") == 5  # the browser parsed every picture
    assert "<script" not in dom.stdout
    shot = tmp_path / "summary.png"
    subprocess.run(
        [browser, *flags, "--window-size=1200,2600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert shot.exists() and shot.stat().st_size > 20_000


def test_summary_md_links_the_pictures_and_fits_100_columns(portfolio_out: Path) -> None:
    text = (portfolio_out / "summary.md").read_text(encoding="utf-8")
    assert "[summary.html](summary.html)" in text
    assert max(len(line) for line in text.splitlines()) <= 100
