"""The HTML report's CFIR chart shows each group's rating of a divergent construct inside the chart (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import case_from_data, load_case
from engine.render.html import render_html
from tests.browser import Browser, chromium
from tests.conftest import CASES

EASTBROOK = CASES / "perspectives" / "eastbrook-school-health.yaml"
BROWSER = chromium()


@pytest.fixture(scope="module")
def eastbrook(shipped_engine: Any) -> tuple[Any, str]:
    case = load_case(EASTBROOK)
    result = shipped_engine.evaluate(case)
    return result, render_html(result, case)


def _section(page: str, sid: str) -> str:
    return page[page.index(f'<section id="{sid}"') :].split("</section>", 1)[0]


def _groups_under(chart: str, cid: str) -> dict[str, str]:
    """{group: value shown} on the lines right under a construct's row in the chart."""
    row = chart.index(f'data-fact="cfir.{cid}"')
    views = chart[row:].split('<ul class="views', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'data-group="(\w+)">.*?<span class="val[^"]*">([^<]*)</span>', views))


def test_the_eastbrook_chart_shows_each_groups_rating_of_its_divergent_constructs(eastbrook: tuple[Any, str]) -> None:
    result, page = eastbrook
    chart = _section(page, "cfir")
    stated = {g["group"]: g.get("cfir", {}) for g in yaml.safe_load(EASTBROOK.read_text())["perspectives"]}
    divergent = [p[5:] for p in result.perspectives["divergent"] if p.startswith("cfir.")]
    assert divergent == [
        "innovation.design",
        "inner_setting.culture.recipient_centeredness",
        "process.engaging.recipients",
    ]
    for cid in divergent:
        shown = _groups_under(chart, cid)
        expected = {g: f"{r:+d}" if r else "0" for g, ratings in stated.items() if (r := ratings.get(cid)) is not None}
        assert shown == expected, cid  # every group that rates it, with its own rating, and no other
    design = _groups_under(chart, "innovation.design")
    assert design["community_members"] == "-2" and design["leadership"] == "+2"
    centred = _groups_under(chart, "inner_setting.culture.recipient_centeredness")
    assert centred["community_members"] == "-1" and centred["leadership"] == "+1"
    # the construct's own bar is the most critical view (the case states none): a barrier, never an average
    assert re.search(
        r'data-fact="cfir.innovation.design"[^>]*>.*?divergent</small></span><div class="track">'
        r'<div class="bar neg" style="width:50%"></div></div><span class="val neg">-2</span>',
        chart,
    )


def test_the_groups_section_keeps_only_what_the_chart_does_not_show(eastbrook: tuple[Any, str]) -> None:
    _, page = eastbrook
    views = _section(page, "perspectives")
    assert 'data-fact="relationships.trust"' in views and "CFIR chart" in views
    assert 'data-fact="cfir.' not in views


def test_a_case_without_perspectives_has_the_plain_chart(shipped_engine: Any) -> None:
    case = load_case(CASES / "riverside-fqhc.yaml")
    page = render_html(shipped_engine.evaluate(case), case)
    chart = _section(page, "cfir")
    assert 'class="views' not in chart and "divergent" not in chart


def test_group_labels_in_the_chart_are_escaped(shipped_engine: Any) -> None:
    case = case_from_data(
        {
            "case_id": "x",
            "perspectives": [
                {"group": "leadership", "label": "<b>Board</b>", "cfir": {"innovation.design": 2}},
                {"group": "community_members", "cfir": {"innovation.design": -2}},
            ],
        }
    )
    chart = _section(render_html(shipped_engine.evaluate(case), case), "cfir")
    assert "&lt;b&gt;Board&lt;/b&gt;" in chart and "<b>Board" not in chart
    assert _groups_under(chart, "innovation.design") == {"leadership": "+2", "community_members": "-2"}


@pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (.ci/run installs it with apt-get)")
def test_the_eastbrook_report_has_no_horizontal_scrolling_at_390_px(tmp_path: Path, eastbrook: tuple[Any, str]) -> None:
    assert BROWSER is not None
    page = tmp_path / "eastbrook.html"
    page.write_text(eastbrook[1], encoding="utf-8")
    with Browser(BROWSER) as b:
        p = b.open(page.as_uri(), 390, 844, mobile=True)
        scroll, inner = p.eval("[document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == 390 and scroll <= inner
        wide = p.eval(
            "[...document.querySelectorAll('#cfir *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length"
        )
        assert wide == 0
