"""Issue 26: the plan, compare and recommend HTML pages on a 390 px phone and on paper, in Chromium.

On a phone (390 x 844, Playwright's mobile emulation, and a plain 390 px window) the document never
scrolls sideways: tables become one card per row, the go-zone scatter fits the screen, and the logic
model, four columns wide, pans inside its own figure. Every chart's text is 10 px or more as rendered
(font size x the SVG's drawn width / its viewBox width).

In print every heading keeps with what follows it (break-after: avoid on the heading, break-before:
avoid on its next block), and "barrier" and "mixed" differ in colour for everyone: their hues stay
apart under a simulated deuteranopia (Machado, Oliveira & Fernandes 2009, severity 1), their
lightness differs for a grey printer, and a cue that is not colour (stripes, a dashed outline, words)
tells them apart as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine.render.comparison import svg_panel
from tests.browser import Browser, chromium, pdf_page_texts, pdf_pages, print_pdf
from tests.conftest import CASES

OVER_TIME = CASES / "over-time"
MILLBROOK = [str(OVER_TIME / f"millbrook-2026-{d}.yaml") for d in ("02-10", "06-09", "10-13")]
RIVERSIDE, RED_CEDAR = str(CASES / "riverside-fqhc.yaml"), str(CASES / "red-cedar-tribal-youth.yaml")
COMMANDS = {  # red-cedar rates a CFIR construct "mixed": its plan and report draw both kinds of determinant
    "plan": ["plan", RIVERSIDE],
    "plan-red-cedar": ["plan", RED_CEDAR],
    "compare": ["compare", *MILLBROOK],
    "report": ["recommend", RIVERSIDE],
    "report-red-cedar": ["recommend", RED_CEDAR],
}
WITH_CHARTS = ("plan", "plan-red-cedar", "compare")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("html390")
    runner = CliRunner()
    made = {}
    for name, args in COMMANDS.items():
        page = out / f"{name}.html"
        res = runner.invoke(main, [*args, "--format", "html", "-o", str(page)])
        assert res.exit_code == 0, res.output
        made[name] = page
    return made


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium()
    if binary is None:
        pytest.skip("no chromium on PATH (.ci/run installs it with apt-get)")
    try:
        b = Browser(binary)
    except ImportError:
        pytest.skip("Playwright is not installed (pip install '.[test]')")
    with b:
        yield b


# ---------------------------------------------------------------- 390 px: no sideways scrolling

# elements whose right edge passes the window, leaving out those inside a figure that pans on its own
STICKING_OUT = """[...document.querySelectorAll('body *')]
  .filter(e => !(e.parentElement && e.parentElement.closest('figure.pan')))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.tagName + '.' + (typeof e.className === 'string' ? e.className : '')).slice(0, 5)"""

# each SVG text's size as drawn: its font size x the picture's drawn width / its viewBox width
TEXT_SIZES = """[...document.querySelectorAll('svg text')].map(t => {
  const svg = t.ownerSVGElement, box = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
  return {px: parseFloat(getComputedStyle(t).fontSize) * box.width / vb.width, text: t.textContent,
          chart: svg.getAttribute('class') || svg.getAttribute('aria-label').slice(0, 30)};
})"""


@pytest.mark.parametrize("mobile", [True, False], ids=["phone", "narrow-window"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_page_never_scrolls_sideways_at_390_px(
    browser: Browser, pages: dict[str, Path], name: str, mobile: bool
) -> None:
    page = browser.open(pages[name].as_uri(), 390, 844, mobile=mobile)
    scroll, inner = page.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == 390 and scroll <= inner, (name, scroll)
    assert page.eval(STICKING_OUT) == [], name
    assert page.eval("parseFloat(getComputedStyle(document.body).fontSize)") >= 15


def test_the_plan_tables_are_cards_and_the_logic_model_pans_inside_its_figure(
    browser: Browser, pages: dict[str, Path]
) -> None:
    page = browser.open(pages["plan"].as_uri(), 390, 844, mobile=True)
    cells = page.eval(
        "[...document.querySelectorAll('table.grid td')].map(td => [getComputedStyle(td).display, "
        "getComputedStyle(td, '::before').content])"
    )
    assert cells and all(display == "block" and content.strip('"') for display, content in cells)
    pan = page.eval(
        "(() => { const f = document.querySelector('figure.pan'), r = f.getBoundingClientRect(); "
        "return {right: r.right, scroll: f.scrollWidth, client: f.clientWidth, tab: f.tabIndex, "
        "overflow: getComputedStyle(f).overflowX, hint: getComputedStyle(f.querySelector('.pan-hint'))"
        ".display}; })()"
    )
    assert pan["right"] <= 390 and pan["scroll"] > pan["client"] and pan["overflow"] == "auto"
    assert pan["tab"] == 0 and pan["hint"] != "none"  # reachable by keyboard, and it says it pans
    wide = browser.open(pages["plan"].as_uri(), 1280, 900)
    assert wide.eval("getComputedStyle(document.querySelector('.pan-hint')).display") == "none"
    assert wide.eval("document.querySelector('table.grid thead th').getBoundingClientRect().width") > 20


# ---------------------------------------------------------------- chart text: 10 px or more as drawn


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", WITH_CHARTS)
def test_chart_text_is_at_least_10_px_as_drawn(browser: Browser, pages: dict[str, Path], name: str, width: int) -> None:
    page = browser.open(pages[name].as_uri(), width, 844 if width == 390 else 900, mobile=width == 390)
    texts = page.eval(TEXT_SIZES)
    assert len(texts) > 50, name
    small = sorted((round(t["px"], 2), t["chart"], t["text"]) for t in texts if t["px"] < 10)
    assert small == [], small[:5]


def test_the_go_zone_scatter_fits_a_phone_without_panning(browser: Browser, pages: dict[str, Path]) -> None:
    page = browser.open(pages["plan"].as_uri(), 390, 844, mobile=True)
    box = page.eval(
        "(() => { const r = document.querySelector('svg.gozone').getBoundingClientRect(); "
        "return [r.left, r.right]; })()"
    )
    assert box[0] >= 0 and box[1] <= 390


# ---------------------------------------------------------------- print: headings keep with what follows

HEADINGS_IN_PRINT = """[...document.querySelectorAll('h1, h2, h3, h4')].map(h => {
  const next = h.nextElementSibling;
  return {text: h.textContent.trim().slice(0, 40), after: getComputedStyle(h).breakAfter,
          next: next ? getComputedStyle(next).breakBefore : 'avoid'};
})"""


@pytest.mark.parametrize("name", list(COMMANDS))
def test_in_print_every_heading_keeps_with_its_first_block(browser: Browser, pages: dict[str, Path], name: str) -> None:
    page = browser.open(pages[name].as_uri(), 800, 1000)
    page.page.emulate_media(media="print")
    heads = page.eval(HEADINGS_IN_PRINT)
    assert len(heads) > 3
    loose = [h for h in heads if h["after"] != "avoid" or h["next"] != "avoid"]
    assert loose == [], loose[:3]
    # colours print as on screen, so the cues of the next tests reach the paper
    assert page.eval("getComputedStyle(document.body).printColorAdjust") == "exact"


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.heads: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("h2", "h3"):
            self._in = True
            self.heads.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.heads[-1] += data


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


@pytest.mark.parametrize("name", ["plan", "compare"])
def test_printed_no_page_ends_with_a_heading(pages: dict[str, Path], tmp_path: Path, name: str) -> None:
    binary = chromium()
    if binary is None:
        pytest.skip("no chromium on PATH")
    pdf = print_pdf(binary, pages[name], tmp_path / f"{name}.pdf")
    n = pdf_pages(pdf)
    assert n >= 1
    texts = pdf_page_texts(pdf, n)
    if texts is None:
        pytest.skip("pdftotext not installed (poppler-utils)")
    parser = _Headings()
    parser.feed(pages[name].read_text(encoding="utf-8"))
    heads = [_squash(h) for h in parser.heads if len(_squash(h)) > 3]
    for k, text in enumerate(texts[:-1], 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        tail = _squash(" ".join(lines[-2:]))
        assert not any(tail.endswith(h) for h in heads), (name, k, lines[-2:])


# ---------------------------------------------------------------- barrier and mixed: apart without colour vision

# Machado, Oliveira & Fernandes (2009), deuteranopia at severity 1.0, on linear RGB
DEUTERANOPIA = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881))


def _rgb(css: str) -> tuple[float, float, float]:
    """'rgb(194, 65, 12)' or '#c2410c' as linear RGB in 0..1."""
    css = css.strip()
    if css.startswith("#"):
        parts = [int(css[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        parts = [int(float(x)) for x in re.findall(r"[\d.]+", css)[:3]]

    def lin(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in parts)
    return r, g, b


def _luminance(c: tuple[float, float, float]) -> float:
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def _lab(c: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = c
    x, y, z = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _deuteranope(c: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, sum(m * v for m, v in zip(row, c, strict=True)))) for row in DEUTERANOPIA)
    return r, g, b


def _apart(a: str, b: str) -> tuple[float, float, float]:
    """(colour difference CIE76, the same under deuteranopia, luminance contrast ratio) of two colours."""
    ca, cb = _rgb(a), _rgb(b)
    seen = math.dist(_lab(ca), _lab(cb))
    deut = math.dist(_lab(_deuteranope(ca)), _lab(_deuteranope(cb)))
    la, lb = _luminance(ca), _luminance(cb)
    return seen, deut, (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_the_colour_check_tells_the_old_barrier_and_mixed_apart_from_the_new() -> None:
    _, deut, contrast = _apart("#c2410c", "#b45309")  # the report's --neg and its former --mixed
    assert deut < 5 and contrast < 1.1  # indistinguishable, the complaint of issue 26
    assert _apart("#c2410c", "#5b21b6")[1] > 20


def _assert_apart(barrier: str, mixed: str, lightness: bool = True) -> None:
    seen, deut, contrast = _apart(barrier, mixed)
    assert seen > 20 and deut > 20, (barrier, mixed, seen, deut)  # far apart, also for a deuteranope
    if lightness:  # and in lightness, for a grey printer (text stays dark on white: its words differ instead)
        assert contrast >= 1.5, (barrier, mixed, contrast)


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_report_tells_barrier_from_mixed_by_colour_and_without_it(
    browser: Browser, pages: dict[str, Path], media: str
) -> None:
    page = browser.open(pages["report-red-cedar"].as_uri(), 1280, 900)
    page.page.emulate_media(media=media)
    got = page.eval("""(() => {
      const st = (sel, pseudo) => { const e = document.querySelector(sel); return e && getComputedStyle(e, pseudo); };
      const root = getComputedStyle(document.documentElement);
      return {neg: root.getPropertyValue('--neg'), mixed: root.getPropertyValue('--mixed'),
              barNeg: st('.bar.neg').backgroundColor, barNegImage: st('.bar.neg').backgroundImage,
              barMixed: st('.bar.mixed').backgroundImage, legendMixed: st('.legend i.mixed').backgroundImage,
              legendNeg: st('.legend i.neg').backgroundImage, valNeg: st('.val.neg').color,
              valMixed: st('.val.mixed').color, valMixedText: document.querySelector('.val.mixed').textContent,
              chipMixed: st('.chip.mixed') && st('.chip.mixed').outlineStyle,
              chipNeg: st('.chip.neg') && st('.chip.neg').outlineStyle,
              legend: document.querySelector('.legend').textContent};
    })()""")
    _assert_apart(got["neg"], got["mixed"])
    _assert_apart(got["barNeg"], got["mixed"])
    _assert_apart(got["valNeg"], got["valMixed"], lightness=False)
    # not colour alone: mixed is striped (bar and legend), dashed (chip) and says so; a barrier is solid
    assert "repeating-linear-gradient" in got["barMixed"] and "repeating-linear-gradient" in got["legendMixed"]
    assert got["barNegImage"] == "none" and got["legendNeg"] == "none"
    assert got["valMixedText"] == "mixed"
    assert got["chipMixed"] == "dashed" and got["chipNeg"] in (None, "none")
    assert "striped" in got["legend"] and "left of centre" in got["legend"]


def test_the_logic_model_tells_barrier_from_mixed_by_colour_and_outline(
    browser: Browser, pages: dict[str, Path]
) -> None:
    page = browser.open(pages["plan-red-cedar"].as_uri(), 1280, 900)
    page.page.emulate_media(media="print")
    boxes = page.eval("""['barrier', 'mixed'].map(k => [...document.querySelectorAll('svg.logic rect.' + k)].map(r => {
      const s = getComputedStyle(r);
      let text = '';
      for (let t = r.nextElementSibling; t && t.tagName === 'text'; t = t.nextElementSibling) {
        text += t.textContent + ' ';
      }
      return {stroke: s.stroke, fill: s.fill, dash: s.strokeDasharray, text};
    }))""")
    barriers, mixed = boxes
    assert barriers and mixed
    _assert_apart(barriers[0]["stroke"], mixed[0]["stroke"])
    assert all(b["dash"] == "none" for b in barriers) and all(m["dash"] != "none" for m in mixed)
    key = page.eval("document.querySelector('figure.pan figcaption .key').textContent")
    assert "barrier (solid outline)" in key and "mixed (dashed outline)" in key
    assert all(re.search(r"\(-\d\)", b["text"]) for b in barriers)  # the words say it too
    assert all("(mixed)" in m["text"] for m in mixed)


def test_a_compare_panel_writes_mixed_as_a_violet_m_apart_from_a_barrier_point() -> None:
    panel = svg_panel("cfir.innovation.evidence_base", [-2, "mixed", None], ["2026-01-01", "2026-04-01", "2026-07-01"])
    barrier = re.search(r'<circle [^>]*fill="(#[0-9a-f]{6})"', panel)
    mixed = re.search(r'fill="(#[0-9a-f]{6})">m</text>', panel)
    assert barrier and mixed and ">?</text>" in panel
    _assert_apart(barrier.group(1), mixed.group(1))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', panel)]
    assert sizes and min(sizes) >= 10  # drawn at 220 px or wider (a grid column's minimum), never under 10 px
