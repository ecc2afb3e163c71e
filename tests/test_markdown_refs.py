"""The Markdown report cites each source once, in a numbered reference list, as the HTML report does (issue 15)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from engine import Engine, load_case
from engine.model.rules import Source
from engine.render import View, render
from engine.render.markdown import references_section
from engine.render.plantext import references, shown
from tests.conftest import CASES

CITES = re.compile(r"^\*Sources:\* (.*)$", re.M)
NUMBER = re.compile(r"\[\\\[(\d+)\\\]\]\(#references\)")


@pytest.fixture(scope="module")
def riverside(shipped_engine: Engine) -> tuple[str, str]:
    case = load_case(CASES / "riverside-fqhc.yaml")
    result = shipped_engine.evaluate(case)
    return render(result, "markdown", case=case), render(result, "html", case=case)


def _reference_list(md: str) -> dict[int, str]:
    tail = md.split("\n## References\n\n", 1)[1]
    return {int(m[1]): m[2] for m in re.finditer(r"^(\d+)\. (.*)$", tail, re.M)}


def test_every_source_is_written_out_once_and_items_cite_it_by_number(riverside: tuple[str, str]) -> None:
    md, _ = riverside
    refs = _reference_list(md)
    assert list(refs) == list(range(1, len(refs) + 1)) and len(refs) > 5
    for text in refs.values():
        citation = text.split(" <http")[0]
        assert md.count(citation) == 1, citation  # only in the list, never beside an item
    cited: set[int] = set()
    lines = CITES.findall(md)
    assert lines
    for line in lines:
        nums = [int(n) for n in NUMBER.findall(line)]
        assert nums and line == ", ".join(f"[\\[{n}\\]](#references)" for n in nums)  # nothing but numbers
        assert nums == sorted(nums)
        cited.update(nums)
    assert cited == set(refs)  # every reference is cited, every citation resolves
    assert "[References](#references)" in md.split("\n\n", 4)[3]  # the contents line names it


def test_markdown_numbers_are_the_html_report_numbers(riverside: tuple[str, str]) -> None:
    md, page = riverside
    html_refs = {int(n): c for n, c in re.findall(r'<li id="ref-(\d+)">([^<]*?)(?: <a |</li>)', page)}
    md_refs = _reference_list(md)
    assert set(html_refs) == set(md_refs)
    for n, citation in html_refs.items():
        first_words = unescape(citation).split(" (")[0]
        assert md_refs[n].startswith(first_words), n


def test_a_filtered_view_numbers_only_what_it_shows(shipped_engine: Engine) -> None:
    case = load_case(CASES / "riverside-fqhc.yaml")
    result = shipped_engine.evaluate(case)
    view = View(categories=("equity",))
    md = render(result, "markdown", case=case, view=view)
    expected = references(shown(result, view))
    assert len(_reference_list(md)) == len(expected)
    assert len(expected) < len(references(shown(result, View())))


def test_no_sources_no_reference_section(shipped_engine: Engine) -> None:
    case = load_case(CASES / "riverside-fqhc.yaml")
    result = shipped_engine.evaluate(case)
    md = render(result, "markdown", case=case, view=View(top=0))
    assert "## References" not in md and "*Sources:*" not in md


def test_reference_text_is_escaped_and_urls_are_links_only_when_safe() -> None:
    refs = {
        "a": (1, Source("a", "# Not a heading *really*", "https://doi.org/10.1/x_y")),
        "b": (2, Source("b", "<b>Plain</b>", "javascript:alert(1)")),
        "c": (3, Source("c", "No link")),
    }
    lines = references_section(refs)
    assert lines[:3] == ["", "## References", ""]
    assert lines[3] == r"1. \# Not a heading \*really\* <https://doi.org/10.1/x_y>"
    assert lines[4] == r"2. &lt;b&gt;Plain&lt;/b&gt; javascript:alert(1)"
    assert lines[5] == "3. No link"
