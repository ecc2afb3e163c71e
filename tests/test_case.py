"""The case contract: valid cases flatten to facts; every invalid field is reported at once."""

from __future__ import annotations

import pytest

from engine import CaseError, case_from_text


def _problems(text: str) -> str:
    with pytest.raises(CaseError) as info:
        case_from_text(text, "site.yaml")
    return info.value.render()


def test_valid_case_flattens_to_facts() -> None:
    case = case_from_text(
        "case_id: riverside\nstage: installation\ncfir: {innovation.complexity: -2, inner_setting.culture: mixed}\n"
        "engagement: {level: consult}\nequity: {priority_populations: [a, b], disparities_identified: true}\n"
    )
    facts = case.facts()
    assert facts["cfir.innovation.complexity"] == -2
    assert facts["cfir.inner_setting.culture"] == "mixed"
    assert facts["engagement.level"] == "consult"
    assert facts["equity.priority_populations"] == ["a", "b"]
    assert "engagement.target" not in facts  # unstated stays unstated
    assert "power.differential" not in facts


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "case_id: a\nengagment: {level: consult}\n",
            ["site.yaml:2", "unknown key 'engagment'", "did you mean 'engagement'"],
        ),
        (
            "case_id: a\nengagement: {level: colaborate}\n",
            [
                "engagement.level",
                "'colaborate' is not allowed",
                "did you mean 'collaborate'",
                "allowed: ignore, inform",
            ],
        ),
        (
            "case_id: a\ncfir: {innovation.complexity: 3}\n",
            ["cfir.innovation.complexity", "out of range", "-2, -1, 0, 1, 2 or mixed"],
        ),
        (
            "case_id: a\ncfir: {innovation.complexty: -1}\n",
            ["unknown CFIR 2.0 construct id", "did you mean 'innovation.complexity'"],
        ),
        ("case_id: a\ncfir: {innovation.complexity: true}\n", ["out of range"]),
        ("case_id: 'a b'\n", ["case_id", "not allowed", "letters, digits"]),
        ("site: x\n", ["case_id", "is required"]),
        ("case_id: a\npower: {differential: huge}\n", ["power.differential", "allowed: low, moderate, high"]),
        ("case_id: a\ncapacity: {analytics: low}\n", ["unknown key 'analytics'", "did you mean 'analytic'"]),
        ("- case_id: a\n", ["must be a mapping"]),
    ],
)
def test_invalid_cases_name_field_and_fix(text: str, fragments: list[str]) -> None:
    message = _problems(text)
    for fragment in fragments:
        assert fragment in message, message


def test_all_problems_in_a_file_are_reported_at_once_sorted_by_line() -> None:
    message = _problems(
        "case_id: a\nstage: instalation\npower: {differential: high}\nrelationships: {trust: lo}\n"
        "cfir: {process.planing: -1}\n"
    )
    lines = message.splitlines()
    assert len(lines) == 3
    assert [line.split(":")[1] for line in lines] == ["2", "4", "5"]


def test_rating_as_quoted_number_is_accepted() -> None:
    case = case_from_text("case_id: a\ncfir: {innovation.cost: '-1'}\n")
    assert case.facts()["cfir.innovation.cost"] == -1
