"""Random case structures, valid and invalid: a valid report or a clean CaseError, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import CaseError, case_from_data, case_from_text, load_engine
from engine.io.casewriter import dump_case, dump_case_json
from engine.model import vocabulary as v
from engine.practitioner.whatif import apply, parse_assignment
from engine.render import render
from engine.render.html import render_html

ENGINE = load_engine([FIXTURES / "practitioner", FIXTURES / "basic"], shipped=False)

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
level = st.sampled_from(v.LEVELS)


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly valid values, sometimes anything at all."""
    return st.one_of(valid, valid, valid, junk)


sections = {
    "site": maybe(st.text(max_size=30)),
    "setting": maybe(st.sampled_from(v.SETTINGS)),
    "stage": maybe(st.sampled_from(v.STAGES)),
    "challenge": maybe(
        st.fixed_dictionaries(
            {}, optional={"type": maybe(st.sampled_from(v.CHALLENGE_TYPES)), "summary": maybe(st.text(max_size=20))}
        )
    ),
    "cfir": maybe(
        st.dictionaries(
            st.one_of(st.sampled_from(sorted(v.CFIR_IDS)), st.text(max_size=20)),
            maybe(st.sampled_from([*v.RATING_VALUES, "mixed"])),
            max_size=6,
        )
    ),
    "engagement": maybe(
        st.fixed_dictionaries(
            {},
            optional={
                "level": maybe(st.sampled_from(list(v.ENGAGEMENT_LEVELS))),
                "target": maybe(st.sampled_from(list(v.ENGAGEMENT_LEVELS))),
            },
        )
    ),
    "power": maybe(
        st.fixed_dictionaries(
            {}, optional={"differential": maybe(level), "decision_making": maybe(st.sampled_from(v.DECISION_MAKING))}
        )
    ),
    "relationships": maybe(st.fixed_dictionaries({}, optional={"trust": maybe(level)})),
    "capacity": maybe(st.fixed_dictionaries({}, optional={c: maybe(level) for c in v.CAPACITY_TYPES})),
    "leadership": maybe(
        st.fixed_dictionaries(
            {}, optional={"transition": maybe(st.booleans()), "emerging_leaders": maybe(st.booleans())}
        )
    ),
    "equity": maybe(
        st.fixed_dictionaries(
            {},
            optional={
                "priority_populations": maybe(st.lists(st.text(max_size=8), max_size=3)),
                "disparities_identified": maybe(st.booleans()),
                "cultural_adaptation": maybe(st.sampled_from(v.CULTURAL_ADAPTATION)),
            },
        )
    ),
    "bogus_key": junk,
}

cases = st.fixed_dictionaries(
    {"case_id": maybe(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True))}, optional=sections
)
documents = st.one_of(cases, cases, junk)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: Any) -> None:
    try:
        case = case_from_data(data, "gen.yaml")
    except CaseError as exc:
        assert exc.problems and all(p.message and p.file == "gen.yaml" for p in exc.problems)
        return
    result = ENGINE.evaluate(case)
    assert result.case_id == case.case_id
    assert ENGINE.fire_python(case.facts()).fired == result.fired
    json.loads(render(result, "json"))
    for fmt in ("table", "markdown"):
        assert case.case_id in render(result, fmt, explain=True)
    assert render_html(result, case).rstrip().endswith("</html>")
    # what the interview writes reads back as the same facts (empty text is "not stated" either way)
    assert case_from_text(dump_case(case), "again.yaml").facts() == case.facts()
    assert case_from_text(dump_case_json(case), "again.json").facts() == case.facts()


@FAST
@given(documents)
def test_random_structures_give_a_report_or_a_clean_error(data: Any) -> None:
    check(data)


@FAST
@given(cases)
def test_random_yaml_text_of_them_too(data: Any) -> None:
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    try:
        case = case_from_text(text, "gen.yaml")
    except CaseError as exc:
        assert exc.problems
        return
    check(case.model_dump(exclude_none=True))


@FAST
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_reader(text: str) -> None:
    try:
        case_from_text(text, "gen.yaml")
    except CaseError as exc:
        assert exc.problems


@FAST
@given(
    st.sampled_from(sorted(p for p in __import__("engine.model.facts", fromlist=["FACTS"]).FACTS if p != "case_id")),
    st.text(max_size=12),
)
def test_random_whatif_changes_apply_or_fail_cleanly(path: str, value: str) -> None:
    from engine import UsageError, load_case

    case = load_case(FIXTURES / "cases" / "gap.yaml")
    try:
        changed = apply(case, [parse_assignment(f"{path}={value}")])
    except (CaseError, UsageError) as exc:
        assert exc.problems
        return
    ENGINE.evaluate(changed)


@pytest.mark.parametrize("bad", [[], "text", 3, None])
def test_non_mapping_documents_are_refused(bad: Any) -> None:
    with pytest.raises(CaseError, match="a case must be a mapping"):
        case_from_data(bad, "gen.yaml")
