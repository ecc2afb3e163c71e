"""Hardening, second round (issue 26): CSV injection through a bare carriage return, raw HTML and Markdown
from case and rule text, control characters in free text and rule text, a lone surrogate in a JSON key.
Each test failed before its fix."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine.errors import CaseError, RuleError
from engine.io.caseload import case_from_data
from engine.render.csvrows import cell, quoted, to_text
from engine.render.mdtext import md_text
from tests.conftest import CASES
from tests.helpers import engine_for, rec

STAGE = {"fact": "stage", "exists": True}
PAYLOAD = "=cmd|' /C calc'!A0"


def _naive_rows(text: str) -> list[str]:
    """What a careless spreadsheet does: a new row at every CR or LF, quotes or not."""
    return [piece for piece in re.split(r"\r\n|\r|\n", text) if piece]


# ---------------------------------------------------------------- 1 (high): CSV formula injection through CR


@pytest.mark.parametrize(
    "value", [f"Clinic\r{PAYLOAD}", f"Clinic\n{PAYLOAD}", f"Clinic\r\n+{PAYLOAD}", f"{PAYLOAD}\r{PAYLOAD}"]
)
def test_every_line_of_a_cell_is_neutralised_and_the_field_quoted(value: str) -> None:
    text = to_text([["case", cell(value), "x"]])
    assert all(
        not piece.split(",", 1)[0].lstrip('"').startswith(("=", "+", "-", "@")) for piece in _naive_rows(text)
    ), text
    assert quoted(cell(value)).startswith('"')  # a field holding CR or LF is always quoted
    back = next(csv.reader(io.StringIO(text, newline="")))
    assert back[0] == "case" and back[2] == "x" and back[1].replace("'", "") == value.replace("'", "")


def test_csv_writers_quote_a_bare_carriage_return() -> None:
    assert quoted("a\rb") == '"a\rb"'
    assert to_text([["a\rb", "c"]]) == '"a\rb",c\n'


# ---------------------------------------------------------------- 2 (high): Markdown and HTML from names


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "![](http://tracker.example/p.gif)",
        "[x](javascript:alert(1))",
        "`code` *em* _u_ | cell",
        "&lt;already&gt;",
    ],
)
def test_markdown_text_is_inert(hostile: str) -> None:
    out = md_text(hostile)
    assert "<" not in out and "](" not in out.replace("\\](", "") and "|" not in out.replace("\\|", "")
    assert "`" not in out.replace("\\`", "") and "&lt;already" not in out


def test_summary_md_and_rules_docs_show_hostile_names_as_text(tmp_path: Path) -> None:
    site = "<img src=x onerror=alert(1)> ![](http://tracker.example/t.gif) [x](javascript:alert(1))"
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        json.dumps({"case_id": "a", "site": site, "stage": "installation", "relationships": {"trust": "low"}})
    )
    (folder / "bad.yaml").write_text("case_id: <script>\n")  # an error message quoting hostile text
    res = CliRunner().invoke(main, ["batch", str(folder), "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 1
    summary = (tmp_path / "o" / "summary.md").read_text()
    link = re.compile(r"(?<!\\)\]\((?:http://tracker|javascript|http://t\.example)")  # a hostile link, unescaped
    assert "<img" not in summary and "<script" not in summary and not link.search(summary)
    rules = tmp_path / "rules"
    engine_for(
        rules,
        [
            rec(
                "R-1",
                STAGE,
                title="Hostile <img src=x onerror=alert(2)> ![](http://t.example/x)",
                actions=["Click [here](javascript:alert(3))"],
            )
        ],
    )
    res = CliRunner().invoke(main, ["rules", "docs", "--rules", str(rules), "--no-shipped"])
    assert res.exit_code == 0, res.output
    assert "<img" not in res.stdout and not link.search(res.stdout)


# ---------------------------------------------------------------- 5 (medium): control characters


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("site", "Clinic\x1b]52;c;aGVsbG8=\x07"),
        ("site", f"Clinic\r{PAYLOAD}"),
        ("innovation", "Care\x1b[2J"),
        ("notes", "ok\u202edlrow"),
        ("challenge", {"summary": "x\x00y"}),
        ("equity", {"priority_populations": ["families\x1b[31m"]}),
        ("assessed_by", ["ISP\x9b"]),
    ],
)
def test_control_characters_in_free_text_are_refused(field: str, value: object) -> None:
    with pytest.raises(CaseError) as info:
        case_from_data({"case_id": "x", field: value})
    assert "control character" in info.value.problems[0].message
    assert info.value.problems[0].field.startswith(field)


def test_line_breaks_in_notes_are_kept() -> None:
    assert case_from_data({"case_id": "x", "notes": "line one\nline two\ttabbed"}).notes == "line one\nline two\ttabbed"


@pytest.mark.parametrize("text", ["Title \x1b]0;pwned\x07", "Bare\rreturn", "Bidi \u202e override"])
def test_control_characters_in_rule_text_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("R-1", STAGE, title=text)])
    assert [p.code for p in info.value.problems] == ["control_character"]
    with pytest.raises(RuleError):
        engine_for(tmp_path / "b", [rec("R-2", STAGE, actions=[f"Do it {text}"])])


# ---------------------------------------------------------------- 4 (medium): a lone surrogate in a JSON key


def test_a_lone_surrogate_in_a_json_key_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"case_id": "x", "\\ud800": 1}')
    res = CliRunner().invoke(main, ["recommend", str(bad)])
    assert res.exit_code == 2 and "lone surrogate" in res.stderr and "internal error" not in res.output
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "bad.json").write_text(bad.read_text())
    (folder / "ok.yaml").write_text((CASES / "riverside-fqhc.yaml").read_text())
    res = CliRunner().invoke(main, ["rules", "coverage", "--cases", str(folder)])
    assert res.exit_code == 2 and "bad.json" in res.stderr and "internal error" not in res.output


# ---------------------------------------------------------------- low: entity codes, setuid bits, cache home


def test_mermaid_labels_escape_the_hash_of_entity_codes() -> None:
    from engine.render.specdoc import _mm

    assert _mm("#lt;script#gt;") == "#35;lt;script#35;gt;"
    assert _mm("<b>") == "#lt;b#gt;" and "#quot;" in _mm('say "hi"')


def test_force_never_keeps_setuid_or_setgid_bits(tmp_path: Path) -> None:
    import os
    import stat

    from engine.io.outputs import atomic_write

    out = tmp_path / "report.md"
    out.write_text("old")
    os.chmod(out, 0o6755)
    atomic_write(out, "new", force=True)
    mode = stat.S_IMODE(os.stat(out).st_mode)
    assert mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX) == 0 and mode & 0o777 == 0o755


@pytest.mark.parametrize("home", ["", "/"])
def test_an_empty_or_root_home_never_caches_at_the_root(monkeypatch: pytest.MonkeyPatch, home: str) -> None:
    from engine.rulepacks.rulecache import cache_dir

    monkeypatch.delenv("ISP_ADVISOR_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    assert cache_dir() is None


@pytest.mark.parametrize(("field", "size"), [("site", 501), ("notes", 20_001), ("challenge", 20_001)])
def test_free_text_is_capped_below_the_file_limit(field: str, size: int) -> None:
    value: object = {"summary": "x" * size} if field == "challenge" else "x" * size
    with pytest.raises(CaseError) as info:
        case_from_data({"case_id": "x", field: value})
    assert "at most" in info.value.problems[0].message or "characters" in info.value.problems[0].message


def test_compare_refuses_the_same_file_twice_and_two_assessments_of_one_day(tmp_path: Path) -> None:
    first = CASES / "over-time" / "millbrook-2026-02-10.yaml"
    res = CliRunner().invoke(main, ["compare", str(first), str(first)])
    assert res.exit_code == 2 and "given twice" in res.stderr
    twin = tmp_path / "twin.yaml"
    twin.write_text(first.read_text())
    res = CliRunner().invoke(main, ["compare", str(first), str(twin)])
    assert res.exit_code == 2 and "cannot be put in order" in res.stderr


def test_interview_answers_are_never_echoed_whole_or_raw() -> None:
    from engine.model.fields import BY_PATH
    from engine.practitioner.questions import InvalidAnswer, field_question

    q = field_question(BY_PATH["relationships.trust"])
    with pytest.raises(InvalidAnswer) as info:
        q.convert("x" * 20_000_000)
    assert len(str(info.value)) < 200 and "at most 20,000" in str(info.value)
    with pytest.raises(InvalidAnswer) as info:
        q.convert("h\x1b]52;c;aGk=\x07gh")
    assert "\x1b" not in str(info.value) and "\\x1b" in str(info.value)


# ------------------------------------------------------------------ empty path names, every command


@pytest.mark.parametrize(
    "args, where",
    [
        (["recommend", ""], "CASE"),
        (["decide", "cases/riverside-fqhc.yaml", "--decisions", "", "--list"], "--decisions"),
        (["interview", "-o", ""], "-o/--output"),
        (["rules", "coverage", "--cases", ""], "--cases"),
        (["compare", "cases/riverside-fqhc.yaml", ""], "OLD NEW [NEWER...]"),
        (["serve", "--workspace", ""], "--workspace"),
        (["batch", "", "--out", "x"], "INPUT..."),
        (["rules", "diff", "", "rules", "--cases", "cases"], "OLD"),
    ],
)
def test_an_empty_path_is_refused_by_every_command(
    args: list[str], where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from cli import main

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    res = CliRunner().invoke(main, args, input="")
    assert res.exit_code == 2, res.output
    assert f"error: {where}: " in res.output and "name is empty" in res.output
    assert "Traceback" not in res.output


def test_every_path_parameter_of_the_cli_refuses_an_empty_name() -> None:
    """One declaration: every path option and argument is a NamedPath (an empty name is never the
    current folder, stdout or 'not given')."""
    import click

    from cli import NamedPath, main

    def commands(group: click.Group) -> list[click.Command]:
        out: list[click.Command] = []
        for cmd in group.commands.values():
            out += commands(cmd) if isinstance(cmd, click.Group) else [cmd]
        return out

    paths = [(c.name, p.name) for c in commands(main) for p in c.params if isinstance(p.type, click.Path)]
    assert len(paths) > 20
    assert [
        x
        for c in commands(main)
        for p in c.params
        if isinstance(p.type, click.Path) and not isinstance(p.type, NamedPath)
        for x in [(c.name, p.name)]
    ] == []
