"""The `{challenge}` and `{low_capacities}` placeholders: filled from the case (challenge.summary as a phrase,
the capacity types rated low), the rule's fallback or the documented default when the case does not say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import case_from_data
from engine.rulepacks.placeholders import PLACEHOLDERS, values_for
from tests.helpers import engine_for, rec

STAGE = {"fact": "stage", "exists": True}


def actions(tmp_path: Path, facts: dict[str, Any], **kw: Any) -> list[str]:
    rules = [rec("P", STAGE, actions=["Options for {challenge}; build {low_capacities}."], **kw)]
    result = engine_for(tmp_path, rules).evaluate_facts({"stage": "installation", **facts}, "t")
    return list(result.to_dict()["recommendations"][0]["actions"])


def test_challenge_is_the_summary_as_a_phrase(tmp_path: Path) -> None:
    facts = {
        "challenge.summary": "  Referral forms do not match\n the tracking sheet.  ",
        "capacity.general": "low",
        "capacity.analytic": "low",
        "capacity.adaptive": "high",
    }
    assert actions(tmp_path, facts) == [
        "Options for Referral forms do not match the tracking sheet; build general and analytic capacity."
    ]


def test_unstated_values_take_the_fallback_or_the_default(tmp_path: Path) -> None:
    assert actions(tmp_path, {"capacity.general": "moderate"}) == [
        f"Options for {PLACEHOLDERS['challenge']}; build {PLACEHOLDERS['low_capacities']}."
    ]
    assert actions(tmp_path, {}, fallbacks={"challenge": "the stated problem"})[0].startswith(
        "Options for the stated problem;"
    )


def test_intervention_specific_capacity_reads_as_words() -> None:
    values = values_for({"capacity.intervention_specific": "low"}, [], {})
    assert values["low_capacities"] == "intervention-specific capacity"


def test_the_shipped_engine_passes_the_summary_to_the_text() -> None:
    """challenge.summary is read by no condition: the engine must still keep it for the text."""
    from engine import load_engine

    eng = load_engine()
    case = case_from_data(
        {
            "case_id": "t",
            "stage": "initial_implementation",
            "challenge": {"type": "technical", "summary": "The intake form misses the referral date."},
            "capacity": {"general": "low", "analytic": "low"},
        }
    )
    result = eng.evaluate(case)
    text = " ".join(a for r in result.recommendations for a in r.actions)
    assert "The intake form misses the referral date" in text


def test_a_possessive_after_a_name_ending_in_s_is_a_bare_apostrophe() -> None:
    from engine.rulepacks.placeholders import fill

    text = "Ask {site}'s team; {site}'s. Then {site}'s-wide plans and {site}'sake."
    assert fill(text, {"site": "Eastside Peacekeepers"}) == (
        "Ask Eastside Peacekeepers' team; Eastside Peacekeepers'. Then Eastside Peacekeepers'-wide plans "
        "and Eastside Peacekeepers'sake."
    )
    assert fill("{site}'s team", {"site": "Riverside Clinic"}) == "Riverside Clinic's team"
    assert fill("{site}\u2019s team", {"site": "Bayview Services"}) == "Bayview Services\u2019 team"
    assert fill("the {{site}}'s", {"site": "X"}) == "the {site}'s"


def test_the_shipped_text_never_reads_s_apostrophe_s(tmp_path: Path) -> None:
    from engine import load_engine

    case = case_from_data(
        {
            "case_id": "t",
            "site": "Eastside Peacekeepers",
            "innovation": "Credible messengers",
            "stage": "installation",
            "relationships": {"trust": "low"},
            "equity": {"disparities_identified": True},
            "capacity": {"general": "low"},
        }
    )
    text = load_engine().evaluate(case).to_json()
    assert "Peacekeepers's" not in text and "Peacekeepers'" in text
