"""`compare` reads the team's decisions (docs/decisions.md, "Across assessments"): accepted items carry
their decision into the later assessment (`carried_from`), `progress` says how far the team got (done,
under way, not started, overdue against the later assessed_on or --date, set aside with the reason) and
what became of each accepted item (still recommended, folded, held back, no longer recommended and
why), every format shows it after the stage and relationships, the debrief asks about it, and
`--no-decisions` (or no decisions file) leaves all of it out.

Each test copies the shipped millbrook assessments to a tmp dir and writes decisions for the first one
with `isp-advisor decide` (for June's, whose plan `decide` sees without --previous, the YAML directly).
The items decided on are picked from the comparison without decisions (kept,
retired with a reason, ...), after checking that the shipped rules give such items, so a rule edit that
removes a scenario fails loudly here rather than passing quietly.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import CASES

from cli import main
from engine import load_case
from engine.assessments.compare import compare
from engine.io.decisionfile import decisions_path

OVER_TIME = CASES / "over-time"
FEB, JUN, OCT = "millbrook-2026-02-10.yaml", "millbrook-2026-06-09.yaml", "millbrook-2026-10-13.yaml"
HEAD = "Progress on the team's decisions"


def run(*args: str) -> Any:
    res = CliRunner().invoke(main, list(args), env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    return res


def decide(case: Path, key: str, *args: str) -> None:
    run("decide", str(case), key, *args, "--by", "ana", "--date", "2026-02-12")


def write_decisions(case: Path, *entries: dict[str, Any]) -> None:
    """A decisions file written by hand (for a later assessment, whose plan `decide` sees without --previous)."""
    data = {"case_id": "millbrook-frc", "items": list(entries)}
    decisions_path(case).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def compared(site: Path, *names: str, fmt: str = "json", extra: tuple[str, ...] = ()) -> Any:
    out = run("compare", *(str(site / n) for n in names), "-f", fmt, *extra).stdout
    return json.loads(out) if fmt == "json" else out


def rows(recs: dict[str, list[dict[str, Any]]], *parts: str) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for part in parts for r in recs[part]}


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    for path in OVER_TIME.glob("millbrook-*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.fixture(scope="module")
def plain() -> dict[str, Any]:
    """The shipped comparison without decisions: where the scenarios' items come from."""
    return compare(_engine(), [(str(OVER_TIME / n), load_case(OVER_TIME / n)) for n in (FEB, JUN, OCT)]).to_dict()


def _engine() -> Any:
    from engine import load_engine

    return load_engine()


def pick(plain: dict[str, Any], step: int, *parts: str, n: int = 1, want: Any = None) -> list[dict[str, Any]]:
    """`n` items of one step's lists (optionally those `want` accepts), after checking there are that many."""
    found = [
        r
        for part in parts
        for r in plain["steps"][step]["recommendations"][part]
        if r["key"] and (want is None or want(r))
    ]
    assert len(found) >= n, f"the shipped rules no longer give {n} {'/'.join(parts)} items in step {step}"
    return found[:n]


# ---------------------------------------------------------------- carried forward


def test_accepted_items_carry_their_decision_into_the_later_plans(site: Path, plain: dict[str, Any]) -> None:
    in_all = {r["key"] for part in ("kept", "moved") for r in plain["steps"][1]["recommendations"][part]}
    [item] = pick(plain, 0, "kept", "moved", want=lambda r: r["key"] in in_all)
    [other] = pick(plain, 0, "kept", "moved", want=lambda r: r["key"] != item["key"])
    decide(
        site / FEB, item["key"], "--accept", "--owner", "Maria Lopez", "--due", "2026-04-01", "--status", "under_way"
    )
    decide(site / FEB, other["key"], "--accept", "--owner", "Sam")
    data = compared(site, FEB, JUN, OCT)
    # the JSON rows of the later plans carry the decision, with the assessment whose file holds it
    june = rows(data["steps"][0]["recommendations"], "kept", "moved")[item["key"]]
    assert june["team"]["carried_from"] == "2026-02-10" and june["team"]["owner"] == "Maria Lopez"
    october = rows(data["steps"][1]["recommendations"], "kept", "moved")[item["key"]]
    assert october["team"]["carried_from"] == "2026-02-10", "carried through June to October, still naming February"
    # and so do the evaluated plans themselves (what `recommend NEW --previous OLD` shows)
    cases = [(str(site / n), load_case(site / n)) for n in (FEB, JUN)]
    later = compare(_engine(), cases, decisions=True).assessments[1].result
    [placed] = [p for r, p in later.placed() if r.key == item["key"]]
    assert placed.decision is not None and placed.decision.carried_from == "2026-02-10"
    assert placed.decision.status == "under_way"
    # the later assessment's own file wins for the keys it mentions
    decide(site / JUN, other["key"], "--status", "done")
    data = compared(site, FEB, JUN)
    own = rows(data["steps"][0]["recommendations"], "kept", "moved")[other["key"]]
    assert own["team"]["status"] == "done" and "carried_from" not in own["team"]
    assert rows(data["recommendations"], "kept", "moved")[item["key"]]["team"]["carried_from"] == "2026-02-10"


def test_decisions_never_change_the_compared_lists(site: Path, plain: dict[str, Any]) -> None:
    [kept] = pick(plain, 0, "kept", "moved")
    [retired] = pick(plain, 0, "retired")
    decide(site / FEB, kept["key"], "--set-aside", "the board decides in May")
    decide(site / FEB, retired["key"], "--accept")
    with_them, without = compared(site, FEB, JUN), compared(site, FEB, JUN, extra=("--no-decisions",))

    def bare(data: dict[str, Any]) -> dict[str, Any]:
        return {
            part: [{k: v for k, v in r.items() if k != "team"} for r in items]
            for part, items in data["recommendations"].items()
        }

    assert bare(with_them) == bare(without)  # a set-aside item is still compared: never "retired" by a decision


# ---------------------------------------------------------------- progress


def test_progress_counts_overdue_and_set_aside(site: Path, plain: dict[str, Any]) -> None:
    done, late, fresh, parked = (r["key"] for r in pick(plain, 0, "kept", "moved", "retired", n=4))
    decide(site / FEB, done, "--accept", "--owner", "Dana", "--status", "done", "--due", "2026-03-01")
    decide(site / FEB, late, "--accept", "--owner", "Maria Lopez", "--due", "2026-04-01", "--status", "under_way")
    decide(site / FEB, fresh, "--accept", "--due", "2026-12-01")  # accepted without a status: not started
    decide(site / FEB, parked, "--set-aside", "after the board retreat in May")
    data = compared(site, FEB, JUN)
    p = data["progress"]
    assert p["counts"] == {"accepted": 3, "done": 1, "under_way": 1, "not_started": 1, "overdue": 1, "set_aside": 1}
    assert p["decisions_of"] == ["2026-02-10"] and p["as_of"] == "2026-06-09"
    assert [e["key"] for e in p["done"]] == [done] and [e["key"] for e in p["not_started"]] == [fresh]
    [overdue] = p["overdue"]
    assert (overdue["key"], overdue["due"], overdue["status"], overdue["owner"]) == (
        late,
        "2026-04-01",
        "under_way",
        "Maria Lopez",
    )
    [aside] = p["set_aside"]
    assert (aside["key"], aside["reason"], aside["decided_at"]) == (
        parked,
        "after the board retreat in May",
        "2026-02-10",
    )
    assert {f["key"] for f in p["accepted_fate"]} == {done, late, fresh}
    assert data["steps"][0]["progress"] == p  # two assessments: the one step is the whole
    # the debrief asks about the overdue item, with its date and owner
    assert any("was due 1 April 2026 (owner Maria Lopez) and is still under way" in q for q in data["debrief"])


def test_overdue_is_counted_against_the_later_assessed_on_or_the_date(site: Path, plain: dict[str, Any]) -> None:
    [item] = pick(plain, 0, "kept", "moved")
    decide(site / FEB, item["key"], "--accept", "--due", "2026-04-01", "--status", "not_started")
    assert compared(site, FEB, JUN)["progress"]["counts"]["overdue"] == 1  # due before 9 June
    # without assessed_on, the later assessment is counted from --date
    later = yaml.safe_load((site / JUN).read_text())
    del later["assessed_on"]
    (site / "millbrook-undated.yaml").write_text(yaml.safe_dump(later, sort_keys=False), encoding="utf-8")
    before = compared(site, FEB, "millbrook-undated.yaml", extra=("--date", "2026-03-15"))["progress"]
    after = compared(site, FEB, "millbrook-undated.yaml", extra=("--date", "2026-05-01"))["progress"]
    assert (before["as_of"], before["counts"]["overdue"]) == ("2026-03-15", 0)
    assert (after["as_of"], after["counts"]["overdue"]) == ("2026-05-01", 1)
    # done is never overdue
    decide(site / FEB, item["key"], "--status", "done")
    assert compared(site, FEB, JUN)["progress"]["overdue"] == []


def test_an_accepted_item_no_longer_recommended_says_why(site: Path, plain: dict[str, Any]) -> None:
    [gone] = pick(plain, 0, "retired", want=lambda r: r["because"])
    [still] = pick(plain, 0, "kept", "moved")
    decide(site / FEB, gone["key"], "--accept", "--owner", "Dana", "--status", "under_way")
    decide(site / FEB, still["key"], "--accept")
    data = compared(site, FEB, JUN)
    fates = {f["key"]: f for f in data["progress"]["accepted_fate"]}
    assert fates[gone["key"]]["fate"] == "no_longer_recommended"
    assert fates[gone["key"]]["because"] == gone["because"] and fates[gone["key"]]["why"]
    assert fates[still["key"]]["fate"] == "still_recommended"
    row = rows(data["recommendations"], "kept", "moved")[still["key"]]
    assert fates[still["key"]]["horizon"] == (row["to"] if "to" in row else row["horizon"])
    assert fates[still["key"]]["carried_from"] == "2026-02-10"
    text = " ".join(compared(site, FEB, JUN, fmt="table").split())
    assert f"Accepted and no longer recommended: {gone['title']} — because {fates[gone['key']]['why']}." in text
    [question] = [q for q in data["debrief"] if gone["title"] in q and "no longer recommends it" in q]
    assert "(under way)" in question and fates[gone["key"]]["why"] in question


def test_trust_recovering_is_said_in_plain_words(site: Path, plain: dict[str, Any]) -> None:
    def on_trust(r: dict[str, Any]) -> bool:
        return [b["path"] for b in r["because"]] == ["relationships.trust"]

    [item] = pick(plain, 1, "retired", want=on_trust)
    write_decisions(site / JUN, {"key": item["key"], "decision": "accepted", "owner": "Sam", "due": "2026-09-01"})
    text = " ".join(compared(site, FEB, JUN, OCT, fmt="table").split())
    assert "Progress on the team's decisions (decided at 2026-06-09; as of 2026-10-13):" in text
    assert f"Accepted and no longer recommended: {item['title']} — because trust rose from low to high." in text
    assert "1 not started, 1 overdue (due 1 September 2026)" in text


def test_a_folded_accepted_item_says_where_it_went(site: Path, plain: dict[str, Any]) -> None:
    [item] = pick(plain, 1, "folded")
    write_decisions(site / JUN, {"key": item["key"], "decision": "accepted"})
    [fate] = compared(site, FEB, JUN, OCT)["progress"]["accepted_fate"]
    assert (fate["fate"], fate["into_key"], fate["into_horizon"]) == ("folded", item["into_key"], item["into_horizon"])


# ---------------------------------------------------------------- renderings


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_the_section_comes_after_the_relationships_and_before_the_items(
    site: Path, plain: dict[str, Any], fmt: str
) -> None:
    done, late = (r["key"] for r in pick(plain, 0, "kept", "moved", n=2))
    [parked] = pick(plain, 0, "retired")
    decide(site / FEB, done, "--accept", "--status", "done")
    decide(site / FEB, late, "--accept", "--status", "under_way", "--due", "2026-04-01")
    decide(site / FEB, parked["key"], "--set-aside", "the funder does not allow it this year")
    out = compared(site, FEB, JUN, fmt=fmt)
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", out)).split())
    assert HEAD in flat
    assert "1 done, 1 under way, 1 overdue (due 1 April 2026), 1 set aside." in flat
    assert f"Set aside: {parked['title']} — the funder does not allow it this year" in flat.replace("\\", "")
    relationships = flat.index("Relationships" if fmt == "table" else "Stage and relationships")
    items = flat.index("Recommendations")
    assert relationships < flat.index(HEAD) < items
    without = compared(site, FEB, JUN, fmt=fmt, extra=("--no-decisions",))
    assert HEAD not in without and "overdue" not in without


def test_without_decisions_nothing_is_said(site: Path) -> None:
    data = compared(site, FEB, JUN, OCT)
    assert data["progress"] is None and [s["progress"] for s in data["steps"]] == [None, None]
    assert not any("team accepted" in q or "was due" in q for q in data["debrief"])
    assert HEAD not in compared(site, FEB, JUN, OCT, fmt="table")
    assert all("team" not in r for part in data["recommendations"].values() for r in part)


def test_no_decisions_ignores_the_files(site: Path, plain: dict[str, Any]) -> None:
    [item] = pick(plain, 0, "kept", "moved")
    decide(site / FEB, item["key"], "--accept", "--status", "under_way")
    data = compared(site, FEB, JUN, extra=("--no-decisions",))
    assert data["progress"] is None
    assert "team" not in rows(data["recommendations"], "kept", "moved")[item["key"]]
    text = compared(site, FEB, JUN, fmt="table", extra=("--no-decisions",))
    assert HEAD not in text and "team's decisions" not in text


def test_a_glob_that_names_the_decisions_files_compares_the_cases_only(site: Path, plain: dict[str, Any]) -> None:
    [item] = pick(plain, 0, "kept", "moved")
    decide(site / FEB, item["key"], "--accept")
    assert decisions_path(site / FEB).is_file()
    names = sorted(p.name for p in site.glob("millbrook-*.yaml"))  # as the shell expands millbrook-*.yaml
    assert "millbrook-2026-02-10.plan.yaml" in names
    data = compared(site, *names)
    assert data["assessments"] == ["2026-02-10", "2026-06-09", "2026-10-13"]
    assert data["progress"]["counts"]["accepted"] == 1


def test_the_json_with_progress_matches_its_schema(site: Path, plain: dict[str, Any]) -> None:
    import jsonschema

    from engine.authoring.schema import json_schema

    picked = pick(plain, 0, "kept", "moved", "retired", n=3)
    decide(site / FEB, picked[0]["key"], "--accept", "--owner", "Dana", "--due", "2026-04-01")
    decide(site / FEB, picked[1]["key"], "--accept", "--status", "done")
    decide(site / FEB, picked[2]["key"], "--set-aside", "not this year")
    [folded] = pick(plain, 1, "folded")
    write_decisions(site / JUN, {"key": folded["key"], "decision": "accepted", "status": "under_way"})
    data = compared(site, FEB, JUN, OCT)
    assert data["progress"] is not None and all(s["progress"] for s in data["steps"])
    jsonschema.Draft202012Validator(json_schema("compare")).validate(data)
