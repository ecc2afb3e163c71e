"""engine.authoring.lint: one small broken pack per finding (tests/fixtures/lint/<finding>/)."""

from __future__ import annotations

import pytest

from engine.authoring.lint import has_errors, lint
from engine.errors import RuleError
from engine.model.checks import Finding, summary
from tests.conftest import FIXTURES

LINT = FIXTURES / "lint"


def findings_for(name: str) -> list[Finding]:
    return lint([LINT / name], shipped=False)


@pytest.mark.parametrize(
    "pack, code, severity, rule_id, line, fragment",
    [
        ("schema", "schema", "error", "BAD-KEY", 7, "unknown key 'priorty'"),
        ("duplicate_id", "duplicate_id", "error", "SAME-ID", 11, "already defined in"),
        (
            "unknown_tag",
            "unknown_tag",
            "error",
            "BAD-TAG",
            10,
            "unknown equity_element id 'build_trusting_relationship'",
        ),
        ("unknown_fact", "unknown_fact", "error", "BAD-FACT", 7, "unknown fact path 'power.diferential'"),
        (
            "contradiction",
            "never_fires",
            "error",
            "TWO-VALUES",
            4,
            "cannot all hold: 'relationships.trust is low'; 'relationships.trust is high'",
        ),
        (
            "empty_range",
            "never_fires",
            "error",
            "BELOW-LOW",
            4,
            "'relationships.trust is below low' holds for no value",
        ),
        (
            "impossible_range",
            "never_fires",
            "error",
            "BETWEEN-NOTHING",
            4,
            "'cfir.innovation.complexity is above +1'; 'cfir.innovation.complexity is below +2'",
        ),
        ("underived", "never_fires", "error", "READS-NOTHING", 4, "reads derived.engagment_gap, which no rule derives"),
        ("derived_value", "never_fires", "error", "NARROW-GAP", 7, "derived.gap_size is only ever set to wide"),
        ("cycle", "derivation_cycle", "error", "D-A", 4, "D-A -> D-B -> D-A"),
        (
            "unused_derived",
            "unused_derived",
            "warning",
            "D-NOBODY-READS",
            4,
            "derives 'low_trust', which no rule reads",
        ),
        ("unknown_source", "unknown_source", "error", "BAD-SOURCE", 10, "unknown source key 'scr'"),
        ("no_actions", "no_actions", "error", "NO-ACTIONS", 8, "needs at least one action"),
        ("no_sources", "no_sources", "error", "NO-SOURCES", 4, "needs sources"),
    ],
)
def test_each_broken_pack_gives_exactly_its_finding(
    pack: str, code: str, severity: str, rule_id: str, line: int, fragment: str
) -> None:
    findings = findings_for(pack)
    assert [(f.code, f.severity, f.rule_id) for f in findings] == [(code, severity, rule_id)]
    found = findings[0]
    assert found.line == line
    assert found.file.endswith(f"lint/{pack}/pack.yaml")
    assert fragment in found.message
    rendered = found.render()
    assert rendered.startswith(f"{found.file}:{line}: {severity}: {code}: rule {rule_id}: ")


def test_hints_say_how_to_fix() -> None:
    assert "did you mean 'priority'" in findings_for("schema")[0].hint
    assert "did you mean 'power.differential'" in findings_for("unknown_fact")[0].hint
    assert "did you mean 'src'" in findings_for("unknown_source")[0].hint


def test_yaml_syntax_error_is_a_finding_with_its_line() -> None:
    [found] = findings_for("syntax")
    assert (found.code, found.severity, found.line) == ("syntax", "error", 6)
    assert "invalid YAML" in found.message


def test_a_derived_fact_read_only_under_not_is_a_warning_not_never_fires(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    write_pack(tmp_path, [rec("NOT-UNDERIVED", {"not": {"fact": "derived.nothing", "equals": True}})])
    [found] = lint([tmp_path], shipped=False)
    assert (found.code, found.severity, found.rule_id) == ("underived_fact", "warning", "NOT-UNDERIVED")


def test_rules_that_can_fire_are_not_flagged(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    write_pack(
        tmp_path,
        [
            rec(
                "RANGE",
                {
                    "all": [
                        {"fact": "cfir.innovation.complexity", "gte": -2},
                        {"fact": "cfir.innovation.complexity", "lt": -1},
                    ]
                },
            ),
            rec(
                "MIXED-OR-LOW",
                {
                    "any": [
                        {"fact": "cfir.innovation.cost", "equals": "mixed"},
                        {"fact": "cfir.innovation.cost", "lte": -1},
                    ]
                },
            ),
            rec("REF", {"fact": "engagement.level", "lt": "engagement.target"}),
            rec(
                "ABSENT",
                {"all": [{"fact": "stage", "exists": False}, {"not": {"fact": "stage", "equals": "exploration"}}]},
            ),
        ],
    )
    assert lint([tmp_path], shipped=False) == []


def test_comparing_a_fact_with_itself_strictly_never_fires(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    write_pack(tmp_path, [rec("SELF", {"fact": "engagement.level", "lt": {"fact": "engagement.level"}})])
    [found] = lint([tmp_path], shipped=False)
    assert (found.code, found.rule_id) == ("never_fires", "SELF")


def test_clean_pack_and_fixture_pack_have_no_findings() -> None:
    assert findings_for("clean") == []
    assert lint([FIXTURES / "basic"], shipped=False) == []


def test_warnings_only_is_not_an_error() -> None:
    assert not has_errors(findings_for("unused_derived"))
    assert has_errors(findings_for("cycle"))
    assert summary(findings_for("unused_derived")) == "0 errors, 1 warning"
    assert summary([]) == "no problems found"


def test_several_packs_report_every_finding_sorted_by_file() -> None:
    findings = lint([LINT / "unknown_tag", LINT / "contradiction"], shipped=False)
    assert [f.code for f in findings] == ["never_fires", "unknown_tag"]
    assert findings == sorted(findings)


def test_missing_folder_is_a_usage_error_not_a_finding() -> None:
    with pytest.raises(RuleError) as exc:
        lint([LINT / "no-such-folder"], shipped=False)
    assert exc.value.problems[0].code == "not_found"


def test_shipped_packs_lint_without_errors() -> None:
    findings = lint()
    assert not has_errors(findings), "\n".join(f.render() for f in findings)


def test_local_pack_that_overrides_nothing_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    write_pack(tmp_path, [rec("EQ-TRUST-LOWW", {"fact": "relationships.trust", "equals": "low"}, overrides=True)])
    findings = lint([tmp_path])
    assert [(f.code, f.rule_id) for f in findings if f.severity == "error"] == [
        ("nothing_to_override", "EQ-TRUST-LOWW")
    ]
    assert "did you mean 'EQ-TRUST-LOW'" in findings[0].hint


@pytest.mark.parametrize("pack, code", [("no_actions", "no_actions"), ("no_sources", "no_sources")])
def test_the_loader_gives_missing_actions_and_sources_their_own_codes(pack: str, code: str) -> None:
    from engine.rulepacks.loader import scan_rulebase

    _, problems = scan_rulebase([LINT / pack], shipped=False)
    assert [p.code for p in problems] == [code]


def test_a_recommend_without_an_actions_key_is_no_actions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    rule = rec("NO-KEY", {"fact": "relationships.trust", "equals": "low"})
    rule["recommend"].pop("actions")
    write_pack(tmp_path / "p", [rule])
    [found] = lint([tmp_path / "p"], shipped=False)
    assert (found.code, found.rule_id, found.message) == (
        "no_actions",
        "NO-KEY",
        "a recommending rule needs at least one action",
    )


def test_a_rule_missing_only_its_title_is_a_schema_finding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import rec, write_pack

    rule = rec("NO-TITLE", {"fact": "relationships.trust", "equals": "low"})
    rule.pop("title")
    write_pack(tmp_path / "p", [rule])
    [found] = lint([tmp_path / "p"], shipped=False)
    assert found.code == "schema" and "needs title" in found.message


def test_witness_out_of_budget_is_undecided_not_partial_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.evaluation.satisfiable as sat
    from engine.model.conditions import All, Test

    cond = All((Test("relationships.trust", "equals", "high"), Test("power.differential", "equals", "low")))
    assert sat.witness(cond, {}) == {"relationships.trust": "high", "power.differential": "low"}
    monkeypatch.setattr(sat, "BUDGET", 2)
    assert sat.witness(cond, {}) is sat.UNDECIDED
    assert sat.can_hold(cond, {})  # an undecided condition still counts as satisfiable
