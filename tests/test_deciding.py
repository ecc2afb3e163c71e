"""One decision on one plan item, one way through (engine/practitioner/deciding.py): `isp-advisor decide` and
the browser app's item form both check the key against the same plan keys (items, folded items, held-back
items), read a due date and a status the same way, require a set-aside reason, and write the same entry."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine import load_case, load_engine
from engine.errors import UsageError
from engine.practitioner.deciding import DecisionEdit, changes, plan_keys, record
from tests.conftest import CASES

RIVERSIDE = CASES / "riverside-fqhc.yaml"
FOLDED = "implementation_strategy:eric:promote_adaptability"  # folded into another of riverside's items
HELD = "facilitation:participatory-baseline"  # held back on riverside's plan
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def riverside_result():  # type: ignore[no-untyped-def]
    return load_engine().evaluate(load_case(RIVERSIDE))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "riverside-fqhc.yaml"
    shutil.copy(RIVERSIDE, path)
    return path


def entries(site: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load((site.parent / "riverside-fqhc.plan.yaml").read_text(encoding="utf-8"))
    return {e["key"]: e for e in data["items"]}


def test_the_plan_keys_are_its_items_folded_items_and_held_back_items(riverside_result) -> None:  # type: ignore[no-untyped-def]
    keys = plan_keys(riverside_result)
    assert {r.key for r in riverside_result.recommendations} < keys
    assert FOLDED in keys and FOLDED not in {r.key for r in riverside_result.recommendations}
    assert HELD in keys and HELD not in {r.key for r in riverside_result.recommendations}


def test_an_edit_changes_only_what_it_says(site: Path) -> None:
    assert changes(DecisionEdit("k", accept=True)) == {"decision": "accepted", "reason": None}
    assert changes(DecisionEdit("k", set_aside=" after the retreat ")) == {
        "decision": "set_aside",
        "reason": "after the retreat",
    }
    assert changes(DecisionEdit("k", undo=True)) == {"decision": None, "reason": None}
    # an empty text clears a field; a field left None is not touched
    assert changes(DecisionEdit("k", owner="", due="", status="", note=" x ")) == {
        "owner": None,
        "note": "x",
        "status": None,
        "due": None,
    }
    assert changes(DecisionEdit("k", due="2026-04-01", status="under_way")) == {
        "status": "under_way",
        "due": dt.date(2026, 4, 1),
    }


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        (DecisionEdit("k", set_aside="  "), "no_reason", "needs a reason"),
        (DecisionEdit("k", due="next week"), "bad_date", "is not a date"),
        (DecisionEdit("k", status="finished"), "unknown_status", "not a status"),
        (DecisionEdit("k", accept=True, set_aside="x"), "usage", "not both"),
        (DecisionEdit("k", undo=True, accept=True), "usage", "undo"),
        (DecisionEdit("k"), "usage", "nothing to change"),
    ],
)
def test_a_bad_edit_is_refused_with_its_code(edit: DecisionEdit, code: str, words: str) -> None:
    with pytest.raises(UsageError) as err:
        changes(edit)
    problem = err.value.problems[0]
    assert words in problem.message
    if code != "usage":
        assert problem.code == code and problem.hint


def test_record_checks_the_key_and_writes_nothing_when_a_check_fails(site: Path, riverside_result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError) as err:
        record(site, riverside_result, DecisionEdit("equity:structural-rasism", accept=True), today=TODAY)
    assert err.value.problems[0].code == "unknown_key" and "equity:structural-racism" in err.value.problems[0].hint
    with pytest.raises(UsageError):
        record(site, riverside_result, DecisionEdit(FOLDED, due="soon"), today=TODAY)
    assert not (site.parent / "riverside-fqhc.plan.yaml").exists()
    path, decisions = record(site, riverside_result, DecisionEdit(FOLDED, accept=True, owner="Ortiz"), today=TODAY)
    assert path.name == "riverside-fqhc.plan.yaml"
    assert decisions.by_key()[FOLDED].owner == "Ortiz"
    assert entries(site)[FOLDED] == {"key": FOLDED, "decision": "accepted", "owner": "Ortiz", "updated": TODAY}


def test_the_cli_and_the_browser_form_write_the_same_entry(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from webapp.app import Settings, create_app

    by_cli, by_web = tmp_path / "cli", tmp_path / "web"
    for d in (by_cli, by_web):
        d.mkdir()
        shutil.copy(RIVERSIDE, d / "riverside-fqhc.yaml")
    today = dt.date.today().isoformat()
    out = CliRunner().invoke(
        main,
        ["decide", str(by_cli / "riverside-fqhc.yaml"), HELD, "--set-aside", "after the retreat", "--due", "2026-05-01"]
        + ["--owner", "Ortiz", "--date", today, "--by", "ISP"],
    )
    assert out.exit_code == 0, out.output
    settings = Settings(workspace=str(by_web))
    client = TestClient(create_app(settings), base_url="http://127.0.0.1:8765")
    headers = {"X-CSRF-Token": settings.csrf}
    form = {"key": HELD, "action": "set_aside", "reason": "after the retreat", "due": "2026-05-01", "owner": "Ortiz"}
    res = client.post("/case/riverside-fqhc/decide", data=form, headers=headers, follow_redirects=False)
    assert res.status_code == 303, res.text
    cli_entry, web_entry = entries(by_cli / "riverside-fqhc.yaml")[HELD], entries(by_web / "riverside-fqhc.yaml")[HELD]
    assert cli_entry.pop("updated_by") == "ISP"
    assert (
        cli_entry
        == web_entry
        == {
            "key": HELD,
            "decision": "set_aside",
            "reason": "after the retreat",
            "owner": "Ortiz",
            "due": dt.date(2026, 5, 1),
            "updated": dt.date.today(),
        }
    )
    # the form's mistakes come back as the library's messages, in words a browser user can act on
    for bad, words in (
        ({"key": HELD, "action": "set_aside", "reason": ""}, "needs a reason"),
        ({"key": HELD, "action": "save", "due": "next week"}, "is not a date"),
        ({"key": HELD, "action": "save", "status": "finished"}, "not a status"),
        ({"key": "equity:nothing-like-it", "action": "accept"}, "no item of this plan has the key"),
    ):
        res = client.post("/case/riverside-fqhc/decide", data=bad, headers=headers, follow_redirects=False)
        assert res.status_code == 400 and words in res.text and "--set-aside" not in res.text, (bad, res.text[:300])
    assert entries(by_web / "riverside-fqhc.yaml")[HELD] == web_entry  # nothing half-written
