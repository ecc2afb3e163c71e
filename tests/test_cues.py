"""Cues: the case's own words suggest facts it does not state, as questions, and never set them.

A Tribal program's words raise a protective sovereignty question until the case states the fact (true
or false); "the funder selected" raises imposed_from_outside until the tag is given; whole words only
("snapshot", "national" raise nothing); case-insensitive; deterministic; linear on a 1 MB field; the
case is never changed; a malformed lexicon is refused when loaded.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import load_case
from engine.model import sitevocab as sv
from engine.model.case import Case
from engine.model.cues import (
    ASCII_FOLD,
    LEXICON,
    PROTECTIVE_PATHS,
    Cue,
    LexiconError,
    find_cues,
    free_text,
    load_lexicon,
)
from tests.conftest import ROOT

CASES = ROOT / "cases"
SOVEREIGNTY = ("equity.tribal_sovereignty", True)
IMPOSED = ("problem.tags", "imposed_from_outside")
INCIDENT = ("events", "critical_incident")


def case(**fields: Any) -> Case:
    return Case.model_validate({"case_id": "test-site", **fields})


def by_fact(cues: tuple[Cue, ...]) -> dict[tuple[str, Any], Cue]:
    return {(c.path, c.value): c for c in cues}


def text_of(a_case: Case, field: str) -> str:
    return dict(free_text(a_case))[field]


def tribal_case(name: str, tmp_path: Path, sovereignty: bool | None = None) -> Case:
    """A shipped Tribal program's case read from a copy whose equity.tribal_sovereignty is removed (None)
    or set."""
    data = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    data.setdefault("equity", {}).pop("tribal_sovereignty", None)
    if sovereignty is not None:
        data["equity"]["tribal_sovereignty"] = sovereignty
    copy = tmp_path / name
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_case(copy)


# --- Tribal sovereignty: protective, raised only while unstated -----------------------------------------


def test_a_tribal_program_with_sovereignty_unstated_raises_a_protective_cue(tmp_path: Path) -> None:
    cue = by_fact(find_cues(tribal_case("red-cedar-tribal-youth.yaml", tmp_path)))[SOVEREIGNTY]
    assert (cue.found, cue.in_, cue.protective) == ("Tribal", "site", True)
    assert cue.question.startswith("The case mentions 'Tribal': does the work fall under a Tribal Nation's authority")
    assert cue.to_dict() == {
        "path": "equity.tribal_sovereignty",
        "value": True,
        "found": "Tribal",
        "in": "site",
        "question": cue.question,
        "protective": True,
    }


def test_the_nations_own_words_raise_it_where_they_are_written(tmp_path: Path) -> None:
    a_case = tribal_case("salmon-river-nation-diabetes.yaml", tmp_path)
    cue = by_fact(find_cues(a_case))[SOVEREIGNTY]
    assert cue.protective
    assert cue.found.lower() == "nation's"  # "Nation" alone is no cue: "the nation", "national"
    assert cue.found in text_of(a_case, cue.in_)
    assert f"'{cue.found}'" in cue.question


@pytest.mark.parametrize("stated", [False, True])
@pytest.mark.parametrize("name", ["red-cedar-tribal-youth.yaml", "salmon-river-nation-diabetes.yaml"])
def test_a_stated_sovereignty_either_way_raises_no_cue(name: str, stated: bool, tmp_path: Path) -> None:
    cues = find_cues(tribal_case(name, tmp_path, sovereignty=stated))
    assert SOVEREIGNTY not in by_fact(cues)
    assert "equity.tribal_sovereignty" not in {c.path for c in cues}


def test_sovereignty_is_raised_with_no_equity_section_and_suppressed_by_a_stated_one() -> None:
    assert SOVEREIGNTY in by_fact(find_cues(case(notes="The tribe's council approves all research.")))
    unrelated = case(notes="The tribe's council approves all research.", equity={"disparities_identified": True})
    assert SOVEREIGNTY in by_fact(find_cues(unrelated))
    stated = case(notes="The tribe's council approves all research.", equity={"tribal_sovereignty": False})
    assert find_cues(stated) == ()


# --- Problem tags and events: raised only while the case does not list them -----------------------------


def test_the_funder_selecting_the_program_suggests_it_was_imposed() -> None:
    cue = by_fact(find_cues(case(challenge={"summary": "The state funder selected the program."})))[IMPOSED]
    assert (cue.found, cue.in_, cue.protective) == ("funder selected", "challenge.summary", False)
    assert "'funder selected'" in cue.question


def test_a_stated_tag_suppresses_its_cue_and_only_its_own() -> None:
    summary = {"summary": "The state funder selected the program."}
    assert IMPOSED not in by_fact(find_cues(case(challenge=summary, problem={"tags": ["imposed_from_outside"]})))
    assert IMPOSED in by_fact(find_cues(case(challenge=summary, problem={"tags": ["workload"]})))
    assert IMPOSED in by_fact(find_cues(case(challenge=summary, problem={"tags": []})))


def test_an_incident_in_an_event_summary_is_raised_until_a_critical_incident_is_listed() -> None:
    event = {"kind": "public_controversy", "on": "2026-01-05", "summary": "A client was shot outside the clinic."}
    cue = by_fact(find_cues(case(events=[event])))[INCIDENT]
    assert (cue.found, cue.in_, cue.protective) == ("was shot", "events[0].summary", True)
    incident = {"kind": "critical_incident", "on": "2026-01-04"}
    assert INCIDENT not in by_fact(find_cues(case(events=[event, incident])))


def test_peoples_roles_are_read_with_their_index() -> None:
    people = [
        {"role": "director", "group": "leadership"},
        {"role": "Tribal council liaison", "group": "tribal_government"},
    ]
    cue = by_fact(find_cues(case(people=people)))[SOVEREIGNTY]
    assert (cue.found, cue.in_) == ("Tribal", "people[1].role")


# --- Matching: whole words, any case, the words as written ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A snapshot of national data from the nation and its nationals.",
        "Suicide prevention and overdose prevention programs; mandated reporters; a flu shot clinic.",
        "Community violence interruption; the team keeps a distribution list; contribal, tribalism-free text.",
        "Screenshots, buckshot, hotshot, Nationwide.",
    ],
)
def test_words_inside_other_words_and_program_names_raise_nothing(text: str) -> None:
    assert find_cues(case(notes=text, innovation=text, site=text)) == ()


@pytest.mark.parametrize("written", ["TRIBAL", "Tribal", "tribal", "tRiBaL"])
def test_matching_ignores_case_and_reports_the_words_as_written(written: str) -> None:
    cue = by_fact(find_cues(case(site=f"Northern {written} Health")))[SOVEREIGNTY]
    assert cue.found == written
    assert cue.question.startswith(f"The case mentions '{written}':")


def test_spaces_match_hyphens_and_line_breaks_and_apostrophes_match_typographic_ones() -> None:
    cues = by_fact(find_cues(case(notes="We are short-staffed.\nThe Nation\u2019s council meets monthly.")))
    assert cues[("problem.tags", "staff_turnover")].found == "short-staffed"
    assert cues[SOVEREIGNTY].found == "Nation\u2019s"
    broken = by_fact(find_cues(case(notes="The funder\nselected it.")))[IMPOSED]
    assert broken.found == "funder\nselected"
    assert "'funder selected'" in broken.question  # quoted on one line


def test_the_longest_phrase_is_the_one_reported() -> None:
    cue = by_fact(find_cues(case(notes="Approved by the tribal nation and its council.")))[SOVEREIGNTY]
    assert cue.found == "tribal nation"


# --- Order, purity, scale ---------------------------------------------------------------------------------


def test_cues_come_in_lexicon_order_one_per_fact_the_first_field_winning() -> None:
    a_case = case(
        site="Red Cedar Tribal Health",
        challenge={"summary": "Whose job is it? Staff turnover is high."},
        notes="The tribe's elders were not consulted; turnover again; the funder selected it; a tribe.",
    )
    cues = find_cues(a_case)
    order = [(e.path, e.value) for e in LEXICON]
    facts = [(c.path, c.value) for c in cues]
    assert facts == sorted(facts, key=order.index)
    assert len(facts) == len(set(facts))
    assert set(facts) == {
        SOVEREIGNTY,
        ("problem.tags", "roles_unclear"),
        ("problem.tags", "staff_turnover"),
        ("problem.tags", "community_not_consulted"),
        IMPOSED,
    }
    assert by_fact(cues)[SOVEREIGNTY].in_ == "site"
    assert by_fact(cues)[("problem.tags", "staff_turnover")].in_ == "challenge.summary"
    assert find_cues(a_case) == cues
    assert find_cues(Case.model_validate(a_case.model_dump())) == cues


def test_find_cues_never_changes_the_case(tmp_path: Path) -> None:
    a_case = tribal_case("red-cedar-tribal-youth.yaml", tmp_path)
    before = a_case.model_dump()
    assert find_cues(a_case)
    assert a_case.model_dump() == before
    assert a_case.equity is not None and a_case.equity.tribal_sovereignty is None


def test_a_1_mb_notes_field_of_hostile_text_is_read_and_raises_nothing_spurious() -> None:
    # (control characters are refused in free text since issue 26: tests/test_hardening26.py)
    filler = (
        "snapshot national \u00a0\u200b band    of tribalism no\u00adtime n\u00e9 \u212aill"
        + " " * 200
        + "-" * 50
        + "\u2019" * 20
    )
    notes = (filler * (1_000_000 // len(filler) + 1))[:1_000_000]
    # the case model caps notes at 20,000 characters (issue 26); the lexicon must still cope with more
    big = Case.model_construct(case_id="test-site", notes=notes)
    assert find_cues(big) == ()  # 'band' and 'of' four spaces apart are not the phrase
    found = find_cues(Case.model_construct(case_id="test-site", notes=notes + " The tribe approved it."))
    assert by_fact(found)[SOVEREIGNTY].found == "tribe"


def test_the_word_prefilter_agrees_with_ignorecase_for_every_code_point() -> None:
    """ASCII_FOLD lists every non-ASCII character IGNORECASE matches to an ASCII letter or digit."""
    others = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    matched = set(re.findall(r"[a-z0-9]", others, re.IGNORECASE))
    assert matched == set(ASCII_FOLD)
    for char, letter in ASCII_FOLD.items():
        assert re.fullmatch(letter, char, re.IGNORECASE)
    cue = by_fact(find_cues(case(notes="Two staff were \u212aILLED in the fire.")))[INCIDENT]
    assert cue.found == "\u212aILLED"


# --- The lexicon ---------------------------------------------------------------------------------------


def test_every_problem_tag_has_an_entry_and_the_protective_paths_are_the_protective_facts() -> None:
    tags = [e.value for e in LEXICON if e.path == "problem.tags"]
    assert tags == list(sv.PROBLEM_TAGS)
    assert PROTECTIVE_PATHS == {"equity.tribal_sovereignty", "events"}
    assert all(e.protective == (e.path in PROTECTIVE_PATHS) for e in LEXICON)
    assert all(e.value in sv.EVENT_KINDS for e in LEXICON if e.path == "events")


def test_every_cue_on_a_shipped_case_quotes_words_found_where_it_says() -> None:
    for path in sorted(CASES.rglob("*.yaml")):
        a_case = load_case(path)
        for cue in find_cues(a_case):
            assert cue.found in text_of(a_case, cue.in_), (path.name, cue)
            assert "{found}" not in cue.question


GOOD = {
    "path": "problem.tags",
    "value": "workload",
    "protective": False,
    "phrases": ["no time"],
    "question": "The case mentions '{found}': is there room?",
}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**GOOD, "value": "too_busy"}, "unknown problem tag 'too_busy'"),
        ({**GOOD, "path": "events", "value": "riot"}, "unknown event kind 'riot'"),
        ({**GOOD, "path": "safety.concern", "value": True}, "unknown path 'safety.concern'"),
        ({**GOOD, "path": "equity.tribal_sovereignty", "value": "yes"}, "is true or false"),
        ({**GOOD, "phrases": ["Tribal"]}, "phrase 'Tribal' is not lower-case"),
        ({**GOOD, "phrases": ["shot!"]}, "phrase 'shot!'"),
        ({**GOOD, "phrases": ["no  time"]}, "phrase 'no  time'"),
        ({**GOOD, "phrases": ["no time", "no time"]}, "given twice"),
        ({**GOOD, "phrases": []}, "non-empty list"),
        ({**GOOD, "question": "Is there room?"}, "{found}"),
        ({**GOOD, "question": "'{found}' in {notes}?"}, "no other braces"),
        ({**GOOD, "protective": "no"}, "protective is true or false"),
        ({k: v for k, v in GOOD.items() if k != "question"}, "missing question"),
        ({**GOOD, "weight": 2}, "unknown key weight"),
    ],
)
def test_a_malformed_entry_is_refused_naming_it(entry: dict[str, Any], message: str, tmp_path: Path) -> None:
    lexicon = tmp_path / "cues.yaml"
    lexicon.write_text(yaml.safe_dump([GOOD | {"value": "skills_gap"}, entry]), encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(lexicon)
    assert "cues.yaml entry 2" in str(info.value)
    assert message in str(info.value)


def test_one_entry_per_fact_and_one_protectiveness_per_path(tmp_path: Path) -> None:
    lexicon = tmp_path / "cues.yaml"
    lexicon.write_text(yaml.safe_dump([GOOD, GOOD | {"phrases": ["too busy"]}]), encoding="utf-8")
    with pytest.raises(LexiconError, match="same path and value as entry 1"):
        load_lexicon(lexicon)
    lexicon.write_text(yaml.safe_dump([GOOD, GOOD | {"value": "skills_gap", "protective": True}]), encoding="utf-8")
    with pytest.raises(LexiconError, match="protective differs"):
        load_lexicon(lexicon)
    lexicon.write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    with pytest.raises(LexiconError, match="non-empty list"):
        load_lexicon(lexicon)


def test_a_custom_lexicon_is_used_as_given(tmp_path: Path) -> None:
    lexicon = tmp_path / "cues.yaml"
    lexicon.write_text(yaml.safe_dump([GOOD]), encoding="utf-8")
    cues = find_cues(case(notes="There is No Time for it."), load_lexicon(lexicon))
    assert [c.to_dict() for c in cues] == [
        {
            "path": "problem.tags",
            "value": "workload",
            "found": "No Time",
            "in": "notes",
            "question": "The case mentions 'No Time': is there room?",
            "protective": False,
        }
    ]
