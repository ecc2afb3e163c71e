"""`rules lint` reports every problem in one run: a refused pack or rule does not hide the next finding."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from engine.authoring.lint import lint

PACK = """\
ruleset: mine
version: 0.1.0
author: somebody                 # schema error at the top: the loader refuses the whole pack
rules:
  - id: BAD-KEY
    title: A rule with a misspelt key and an unknown source
    category: equity
    priorty: high
    when: {fact: relationships.trust, equals: low}
    recommend: {actions: [Do it]}
    rationale: Because.
    sources: [src, nope-one]
  - id: BAD-SOURCE
    title: A rule with an unknown source that also never fires
    category: equity
    when: {all: [{fact: relationships.trust, equals: low}, {fact: relationships.trust, equals: high}]}
    recommend: {actions: [Do it]}
    rationale: Because.
    sources: [srcc]
  - id: NEVER
    title: A clean rule that never fires
    category: equity
    when: {fact: relationships.trust, lt: low}
    recommend: {actions: [Do it]}
    rationale: Because.
    sources: [src]
  - id: D-GAP
    derive: {gap: true}
    when: {fact: power.differential, equals: high}
    sources: [src, nope-two]
  - id: READS-GAP
    title: Reads a fact derived by a rule that has a problem of its own
    category: equity
    when: {fact: derived.gap, equals: true}
    recommend: {actions: [Do it]}
    rationale: Because.
    sources: [src]
"""

SOURCES = "sources:\n  src: {citation: 'A test citation, long enough to pass validation.'}\n"


def broken(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(PACK)
    (tmp_path / "sources.yaml").write_text(SOURCES)
    return tmp_path


def test_schema_errors_unknown_sources_and_never_fires_come_in_one_run(tmp_path: Path) -> None:
    found = {(f.line, f.code, f.rule_id, f.field) for f in lint([broken(tmp_path)], shipped=False)}
    assert found == {
        (3, "schema", "", "author"),
        (8, "schema", "BAD-KEY", "rules[0].priorty"),
        (12, "unknown_source", "BAD-KEY", "rules[0].sources[1]"),
        (19, "unknown_source", "BAD-SOURCE", "rules[1].sources[0]"),
        (13, "never_fires", "BAD-SOURCE", "when"),
        (20, "never_fires", "NEVER", "when"),
        (30, "unknown_source", "D-GAP", "rules[3].sources[1]"),
    }
    # READS-GAP is not flagged as reading a fact no rule derives: D-GAP derives it, though refused


def test_the_command_prints_them_all_with_one_summary(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["rules", "lint", "--no-shipped", "--rules", str(broken(tmp_path))])
    assert res.exit_code == 1
    assert res.output.endswith("7 errors, 0 warnings\n")
    for fragment in (
        "unknown key 'author'",
        "unknown key 'priorty'",
        "unknown source key 'nope-one'",
        "unknown source key 'srcc'",
        "rule BAD-SOURCE: when: can never fire",
        "rule NEVER: when: can never fire",
        "unknown source key 'nope-two'",
    ):
        assert fragment in res.output


def test_a_rule_broken_in_its_condition_is_not_checked_further(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(SOURCES)
    (tmp_path / "pack.yaml").write_text(
        "ruleset: mine\nversion: 0.1.0\nrules:\n  - id: BAD-WHEN\n    title: t\n    category: equity\n"
        "    when: {fact: relationships.trust, equal: low}\n    recommend: {actions: [a]}\n    rationale: r\n"
        "    sources: [nope]\n"
    )
    codes = [f.code for f in lint([tmp_path], shipped=False)]
    assert codes and "never_fires" not in codes


def test_one_bad_source_entry_does_not_make_every_citation_unknown(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  bad: {citation: short}\n  src: {citation: 'A test citation, long enough to pass validation.'}\n"
    )
    (tmp_path / "pack.yaml").write_text(
        "ruleset: mine\nversion: 0.1.0\nrules:\n"
        "  - id: CITES-GOOD\n    title: t\n    category: equity\n    when: {fact: relationships.trust, lt: low}\n"
        "    recommend: {actions: [a]}\n    rationale: r\n    sources: [src, gone]\n"
    )
    found = {(f.code, f.rule_id, f.field) for f in lint([tmp_path], shipped=False)}
    assert found == {
        ("schema", "", "sources.bad.citation"),  # the bad entry itself
        ("unknown_source", "CITES-GOOD", "rules[0].sources[1]"),  # 'gone', not 'src'
        ("never_fires", "CITES-GOOD", "when"),
    }  # and still checked
