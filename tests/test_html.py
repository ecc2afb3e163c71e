"""The HTML report: self-contained, escaped, complete, and it renders in a real browser."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from cli import main
from engine import case_from_data, load_case, load_engine
from engine.render.html import render_html
from tests.browser import FLAGS as CHROMIUM_FLAGS
from tests.browser import chromium as _chromium

CASE = FIXTURES / "cases" / "gap.yaml"
RULES = ["--rules", str(FIXTURES / "practitioner")]


@pytest.fixture(scope="module")
def report() -> str:
    engine = load_engine([FIXTURES / "practitioner"], shipped=False)
    case = load_case(CASE)
    return render_html(engine.evaluate(case), case)


def test_nothing_is_fetched_from_elsewhere(report: str) -> None:
    assert "<script" not in report
    assert not re.search(r"<link\b", report)
    assert "@import" not in report and "url(" not in report
    assert not re.search(r'src="(https?:)?//', report)


def test_it_holds_the_plan_cfir_picture_catalogue_and_proofs(report: str) -> None:
    assert "At a glance" in report and "Test site" in report and "The case in full" in report
    assert "inform (Placation)" in report and "collaborate (Delegated power)" in report
    assert "inform now → consult next → collaborate wanted" in report  # the engagement step
    # CFIR picture: complexity -2 is a full barrier bar, adaptability mixed, planning +1 facilitator
    assert re.search(
        r"Innovation Complexity</span><div class=\"track\"><div class=\"bar neg\" style=\"width:50%\">", report
    )
    assert re.search(r"Planning</span><div class=\"track\"><div class=\"bar pos\" style=\"width:25%\">", report)
    assert 'class="bar mixed"' in report
    assert "1 barrier(s), 0 facilitator(s), 1 mixed" in report
    for title in ("Share decision-making with the people most affected", "Use divergent facilitation"):
        assert title in report
    assert report.index('<section id="start-here"') < report.index('<section id="cfir"')
    assert report.index('<h3 class="category">Facilitation') < report.index('<h3 class="category">Equity')
    assert 'id="proof-PX-CLOSE-GAP"' in report and "from PX-D-GAP" in report
    assert "deriving px_gap=true:" in report and "px_gap=True" not in report  # true/false as everywhere else
    assert "A fixture citation for the practitioner-command tests" in report
    assert "@media print" in report


def test_case_text_is_escaped() -> None:
    engine = load_engine([FIXTURES / "practitioner"], shipped=False)
    case = case_from_data({"case_id": "x", "site": "<script>alert(1)</script>", "notes": "a & b"})
    html = render_html(engine.evaluate(case), case)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html


def test_recommend_writes_html_and_never_overwrites(runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = runner.invoke(main, ["recommend", str(CASE), "-f", "html", "-o", str(out), *RULES])
    assert res.exit_code == 0, res.output
    first = out.read_text()
    assert first.startswith("<!DOCTYPE html>") and first.rstrip().endswith("</html>")
    res = runner.invoke(main, ["recommend", str(CASE), "-f", "html", "-o", str(out), *RULES])
    assert res.exit_code == 2 and "already exists" in res.output and "--force" in res.output
    assert out.read_text() == first
    res = runner.invoke(main, ["recommend", str(CASE), "-f", "html", "-o", str(out), "--force", *RULES])
    assert res.exit_code == 0 and out.read_text() == first  # deterministic


def test_chromium_renders_the_recommendations(tmp_path: Path, report: str) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on PATH (.ci/run installs it with apt-get)")
    page = tmp_path / "report.html"
    page.write_text(report, encoding="utf-8")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('<details class="rec') == report.count('<details class="rec') == 3
    assert "Share decision-making with the people most affected" in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *flags, "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert shot.exists() and shot.stat().st_size > 10_000


SHIPPED = sorted((FIXTURES.parent.parent / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_case_renders_every_recommendation(path: Path, shipped_engine: Any) -> None:
    case = load_case(path)
    result = shipped_engine.evaluate(case)
    html = render_html(result, case)
    assert html.count('<details class="rec') == len(result.recommendations)
    assert all(f'id="proof-{p.rule_id}"' in html for r in result.recommendations for p in r.explanation)
