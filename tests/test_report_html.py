"""The shared HTML report (issue 15): plan first, one screen of summary, citations once, human labels,
ERIC figures, a priorities picture, and in a real browser: no horizontal scrolling at 390 px,
six Letter pages or fewer without the appendix, no heading alone at the foot of a page.

Set ISP_ADVISOR_SCREENSHOTS=1 to refresh docs/img/ (report.png, report-1280.png, report-390.png).
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine import load_case
from engine.render.html import priority_picture, render_html
from engine.render.markdown import render_markdown, slug
from engine.render.plantext import View, report_date, shown, tag_label
from tests.browser import Browser, chromium, pdf_page_texts, pdf_pages, print_pdf
from tests.conftest import CASES, ROOT

RIVERSIDE = CASES / "riverside-fqhc.yaml"


@pytest.fixture(scope="module")
def riverside(shipped_engine: Any) -> tuple[Any, Any]:
    case = load_case(RIVERSIDE)
    return shipped_engine.evaluate(case), case


@pytest.fixture(scope="module")
def full(riverside: tuple[Any, Any]) -> str:
    return render_html(*riverside)


@pytest.fixture(scope="module")
def short(riverside: tuple[Any, Any]) -> str:
    result, case = riverside
    return render_html(result, case, View(appendix=False, assessed_on="2026-03-02"))


# ---------------------------------------------------------------- structure


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.ids: list[str] = []
        self.sections: list[dict[str, str | None]] = []
        self.imgs: list[dict[str, str | None]] = []
        self._h: int | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "section":
            self.sections.append(a)
        if a.get("role") == "img" or tag == "img":
            self.imgs.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self._h, self._text = int(tag[1]), ""

    def handle_data(self, data: str) -> None:
        if self._h is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._h is not None and tag == f"h{self._h}":
            self.headings.append((self._h, " ".join(self._text.split())))
            self._h = None


def outline(html: str) -> _Outline:
    o = _Outline()
    o.feed(html)
    return o


def test_the_plan_comes_first_then_the_picture_cfir_case_references_and_appendix(full: str) -> None:
    order = ["glance", "start-here", "next", "later", "priorities", "cfir", "case", "references", "appendix"]
    positions = [full.index(f'<section id="{s}"') for s in order]
    assert positions == sorted(positions)
    o = outline(full)
    assert [t for lvl, t in o.headings if lvl == 2][:5] == [
        "Contents",
        "At a glance",
        "Start here: the first 30 days",
        "Next: this quarter",
        "Later: when the earlier work is done",
    ]
    nav = full[full.index('<nav class="toc"') : full.index("</nav>")]
    assert all(f'href="#{s}"' in nav for s in order)  # the contents list links every section


def test_headings_landmarks_ids_and_pictures_serve_a_screen_reader(full: str) -> None:
    o = outline(full)
    levels = [lvl for lvl, _ in o.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped level
    assert len(o.ids) == len(set(o.ids)), "duplicate ids"
    for s in o.sections:  # every section is a landmark named by its own heading
        assert s.get("aria-labelledby") == f"{s['id']}-h" and f"{s['id']}-h" in o.ids
    assert o.imgs and all(i.get("aria-label") or i.get("alt") for i in o.imgs)
    assert '<header class="top">' in full and '<main class="wrap">' in full and "<footer>" in full
    assert re.search(r'<table class="matrix"><caption>', full) and 'scope="row"' in full


def test_start_here_items_carry_the_first_action_why_here_and_the_eric_figure(
    riverside: tuple[Any, Any], short: str
) -> None:
    result, _ = riverside
    start = short[short.index('<section id="start-here"') : short.index('<section id="next"')]
    now = [r for r, p in result.placed() if p.horizon == "now"]
    assert start.count('<li class="card') == len(now) == 5
    for rec in now:
        assert rec.title.replace("'", "&#x27;") in start
        assert rec.actions[0].replace("'", "&#x27;") in start
    assert "Why here:</span> Trust: low" in start
    # an item carrying a CFIR-ERIC figure draws it, not only says it (riverside's Start here is relationship
    # and stated-problem work now; the best-endorsed ERIC item is later in the plan, drawn in its detail)
    best = max((r for r, _ in result.placed() if r.score), key=lambda r: r.score)
    figure = f"{best.score:g}"
    full = render_html(*riverside)
    detail = full[full.index(f'id="rec-{best.rule_id}"') :]
    detail = detail[: detail.index("</details>")]
    level = 1 if best.score >= 50 else 2
    assert f"{figure}% of experts (Level {level})" in detail
    assert f'aria-label="{figure}% of experts (Level {level})"' in detail
    assert f"width:{figure}%" in detail


def test_level_only_evidence_is_shown_as_at_least_twenty_percent(shipped_engine: Any) -> None:
    case = load_case(CASES / "county-public-health-bp.yaml")
    html = render_html(shipped_engine.evaluate(case), case)
    assert "≥ 20% of experts (Level 1 or 2)" in html


def test_next_and_later_give_each_item_its_first_action_and_why_in_one_line(
    riverside: tuple[Any, Any], short: str
) -> None:
    result, _ = riverside
    for horizon, sid in (("next", "next"), ("later", "later")):
        end = short.index("</section>", short.index(f'<section id="{sid}"'))
        part = short[short.index(f'<section id="{sid}"') : end]
        recs = [r for r, p in result.placed() if p.horizon == horizon]
        assert part.count('<span class="label">Do:</span>') == len(recs)
        assert part.count('<span class="label">Why here:</span>') == len(recs)


def test_citations_are_listed_once_and_cited_by_number(full: str, riverside: tuple[Any, Any]) -> None:
    result, _ = riverside
    sources = {s.key: s for r in result.recommendations for s in r.sources}
    refs = full[full.index('<section id="references"') : full.index('<section id="appendix"')]
    for s in sources.values():
        citation = s.citation.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")
        assert full.count(citation) == 1 and citation in refs, s.key
    assert re.search(r'\[<a href="#ref-1">1</a>', full)


def test_tags_are_human_labels(full: str) -> None:
    chips = re.findall(r'<span class="tag" title="[^"]*">([^<]*)</span>', full)
    assert "Co-design" in chips and "Build trusting relationships" in chips and "Innovation Complexity" in chips
    assert "Promote adaptability" in chips  # an ERIC strategy named from its item's title
    assert not [c for c in chips if "_" in c]
    assert tag_label("eric_strategy", "involve_executive_boards") == "Involve executive boards"


def test_subconstructs_sit_under_their_own_parent_even_when_it_is_not_rated(full: str) -> None:
    process = full[full.index('data-domain="process"') :]
    process = process[: process.index("</div>\n</div>") if "</div>\n</div>" in process else None]
    parent = process.index("Reflecting &amp; Evaluating <small>(not rated)</small>")
    assert parent < process.index("&#8627; Implementation")
    assert "Planning" not in process[:parent] or process.index("Planning") < parent


def test_barriers_by_horizon_picture_and_the_go_zone_hook(riverside: tuple[Any, Any], full: str) -> None:
    result, case = riverside
    pic = full[full.index('<section id="priorities"') : full.index('<section id="cfir"')]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>', pic)
    assert len(rows) == 5 and "Innovation Complexity" in rows[0] and "Not tied" in rows[-1]
    assert '<a class="p-high" href="#item-EQ-CULTURAL-ADAPT-NONE"' in pic
    zone = SimpleNamespace(svg=lambda: '<svg viewBox="0 0 10 10"></svg>', description="Go-zone: feasibility x impact")
    drawn = priority_picture(case, shown(result, View()), zone)  # type: ignore[arg-type]
    assert 'role="img" aria-label="Go-zone: feasibility x impact"' in drawn and "matrix" not in drawn


def test_no_appendix_leaves_out_the_catalogue_and_the_proofs(short: str, full: str) -> None:
    assert "<details" in full and 'id="proof-' in full and 'id="appendix"' in full
    assert "<details" not in short and 'id="proof-' not in short and 'id="appendix"' not in short
    assert 'id="references"' in short and "assessed 2026-03-02" in short


def test_the_date_comes_from_the_case_or_the_option_never_from_the_clock(tmp_path: Path) -> None:
    assert report_date(SimpleNamespace(assessed_on="2026-01-15"), "2026-03-02") == "2026-01-15"  # type: ignore[arg-type]
    assert report_date(SimpleNamespace(), "2026-03-02") == "2026-03-02"  # type: ignore[arg-type]
    assert report_date(SimpleNamespace(), None) is None  # type: ignore[arg-type]
    runner = CliRunner()
    args = ["recommend", str(CASES / "westbrook-library-literacy.yaml"), "-f", "html"]
    first, second = runner.invoke(main, args).stdout, runner.invoke(main, args).stdout
    assert first == second and "assessment date not stated" in first
    dated = runner.invoke(main, [*args, "--date", "2026-03-02", "--no-appendix"]).stdout
    assert "assessed 2026-03-02" in dated and "<details" not in dated
    bad = runner.invoke(main, [*args, "--date", "March 2"])
    assert bad.exit_code == 2 and "--date" in bad.output


# ---------------------------------------------------------------- Markdown


def test_markdown_is_plan_first_with_working_anchors(riverside: tuple[Any, Any]) -> None:
    result, case = riverside
    md = render_markdown(result, View(assessed_on="2026-03-02"), case=case)
    heads = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith("## ")]
    assert heads[:4] == ["At a glance", "Start here (the first 30 days)", "Next (this quarter)", "Later"]
    contents = next(line for line in md.splitlines() if line.startswith("**Contents:**"))
    for anchor in re.findall(r"\]\(#([^)]+)\)", contents):
        assert anchor in {slug(h) for h in heads}, anchor
    assert "assessed 2026-03-02" in md and "**Engagement step:** consult now → involve next → collaborate wanted" in md
    assert "*Evidence:* ERIC Promote adaptability: 73% of experts (Level 1)" in md
    assert "ISP competency: Co-design" in md and "co_design" not in md


def test_markdown_escapes_emphasis_links_and_entities(shipped_engine: Any) -> None:
    from engine import case_from_data

    case = case_from_data({"case_id": "x", "site": "*Big* [site](http://x) &amp; `co`_de_", "stage": "installation"})
    md = render_markdown(shipped_engine.evaluate(case), case=case)
    assert "\\*Big\\* \\[site\\](http://x) &amp;amp; \\`co\\`\\_de\\_" in md


# ---------------------------------------------------------------- in a real browser

BROWSER = chromium()
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (.ci/run installs it with apt-get)")
SHOTS = ROOT / "docs" / "img"


def _page(tmp_path: Path, html: str, name: str = "report.html") -> Path:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    return page


@needs_browser
def test_no_horizontal_scrolling_at_390_px_and_readable_at_1280(tmp_path: Path, full: str) -> None:
    assert BROWSER is not None
    page = _page(tmp_path, full)
    with Browser(BROWSER) as b:
        for width, mobile in ((390, True), (1280, False)):
            p = b.open(page.as_uri(), width, 844 if mobile else 900, mobile=mobile)
            scroll, inner = p.eval("[document.documentElement.scrollWidth, window.innerWidth]")
            assert inner == width and scroll <= inner, (width, scroll)
            wide = p.eval(
                "[...document.querySelectorAll('main *, header *, nav *')]"
                ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
                ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
            )
            assert wide == [], (width, wide)
            text = p.eval("parseFloat(getComputedStyle(document.body).fontSize)")
            assert text >= 15
            if width == 1280:
                measure = p.eval("document.querySelector('main').getBoundingClientRect().width")
                assert measure <= 1040  # lines stay readable on a wide screen
            shot = p.screenshot(tmp_path / f"report-{width}.png", 2600 if mobile else 1800)
            assert shot.stat().st_size > 20_000
            if os.environ.get("ISP_ADVISOR_SCREENSHOTS"):
                SHOTS.mkdir(parents=True, exist_ok=True)
                (SHOTS / shot.name).write_bytes(shot.read_bytes())
                if width == 1280:
                    (SHOTS / "report.png").write_bytes(p.screenshot(tmp_path / "readme.png", 1500).read_bytes())


def _headings(html: str) -> list[str]:
    return [t for lvl, t in outline(html).headings if lvl >= 2]


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


@needs_browser
def test_riverside_without_appendix_prints_on_seven_letter_pages_no_heading_alone(tmp_path: Path, short: str) -> None:
    assert BROWSER is not None
    pdf = print_pdf(BROWSER, _page(tmp_path, short), tmp_path / "report.pdf")
    pages = pdf_pages(pdf)
    assert 1 <= pages <= 7, pages  # 6 before the champions and early-adopter items joined Next (issue 21)
    texts = pdf_page_texts(pdf, pages)
    if texts is None:
        pytest.skip("pdftotext not installed (poppler-utils)")
    heads = [_squash(h) for h in _headings(short) if len(_squash(h)) > 3]
    for n, text in enumerate(texts[:-1], 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        tail = _squash(" ".join(lines[-3:]))  # a heading, wrapped or not, as the last thing on the page
        assert not any(tail.endswith(h) for h in heads), (n, lines[-3:])


@needs_browser
def test_the_appendix_prints_when_it_is_included(tmp_path: Path, full: str, riverside: tuple[Any, Any]) -> None:
    assert BROWSER is not None
    result, _ = riverside
    pdf = print_pdf(BROWSER, _page(tmp_path, full), tmp_path / "full.pdf")
    texts = pdf_page_texts(pdf, pdf_pages(pdf))
    if texts is None:
        pytest.skip("pdftotext not installed (poppler-utils)")
    printed = _squash(" ".join(texts))
    later_actions = [a for r in result.recommendations for a in r.actions[1:]]
    assert later_actions and all(_squash(a)[:60] in printed for a in later_actions[:10])
    assert _squash("held because") in printed  # the proofs print too
