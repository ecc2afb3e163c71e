"""`--redact people,events` on batch and sweep (issue 25): no person's name and no event summary in any
output (results.jsonl, errors.jsonl, recommendations.csv, the summaries, the resume index, the Parquet
tables, a sweep's report, --jsonl and table), tested on cases that name people and incidents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES

from cli import main
from engine import load_case
from engine.batch.batchrun import run_batch
from engine.errors import UsageError
from engine.model.redact import REDACT_CHOICES, redact, redact_choices, redact_events, redacted

NAME = "Ana María Ruiz"
SPONSOR = "Dr. Tomás Okafor"
EVENT = "A client was shot outside the clinic; Ana María Ruiz spoke to the press"
SECRET = "was shot outside the clinic"


def named_cases(folder: Path) -> list[Path]:
    """Riverside naming its champion and its leaving medical director, with an incident whose summary names
    the champion and holds words the cue lexicon reads (so the summary would reach the results' cues)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (CASES / "riverside-fqhc.yaml").read_text(encoding="utf-8")
    text = text.replace("people:\n", f"people:\n  - {{name: {NAME}, role: care manager lead, group: champion}}\n", 1)
    text = text.replace("  - role: medical director\n", f"  - name: {SPONSOR}\n    role: medical director\n", 1)
    text = text.replace("summary: Care managers", f"summary: {NAME} says care managers", 1)
    text += f'events:\n  - {{kind: public_controversy, "on": 2026-02-20, summary: "{EVENT}"}}\n'
    (folder / "riverside-named.yaml").write_text(text, encoding="utf-8")
    return [folder / "riverside-named.yaml"]


def everything(out: Path) -> str:
    """Every file of an output folder as text (Parquet tables read back row by row)."""
    parts = []
    for path in sorted(out.iterdir()):
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False))
        elif path.is_file():
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def tables() -> str | None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    return "parquet"


def test_the_cases_name_people_and_the_incident_without_redaction(tmp_path: Path) -> None:
    (case,) = named_cases(tmp_path / "in")
    run_batch([str(case)], tmp_path / "o", jobs=1, tables_format=tables())
    text = everything(tmp_path / "o")
    assert NAME in text and SPONSOR in text  # in the actions ({person:champion}) and the cues
    assert SECRET in json.dumps(load_case(case).model_dump(mode="json"))
    assert "events[0].summary" in (tmp_path / "o" / "results.jsonl").read_text(encoding="utf-8")


def test_batch_redacts_people_and_events_in_every_output(tmp_path: Path) -> None:
    (case,) = named_cases(tmp_path / "in")
    report = run_batch([str(case)], tmp_path / "o", jobs=1, tables_format=tables(), redacted=["people,events"])
    assert report.ok == 1
    text = everything(tmp_path / "o")
    index = (tmp_path / "o" / ".isp-batch-index.jsonl").read_text(encoding="utf-8")
    for secret in (NAME, "Ana Mar", SPONSOR, "Okafor", SECRET, "events[0].summary"):
        assert secret not in text and secret not in index, secret
    assert "care manager lead" in text and "medical director" in text  # named by their roles


def test_redacted_results_are_the_results_of_the_redacted_case(tmp_path: Path) -> None:
    from engine import load_engine

    (case,) = named_cases(tmp_path / "in")
    run_batch([str(case)], tmp_path / "o", jobs=1, redacted=["people", "events"])
    (line,) = (tmp_path / "o" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    got, want = json.loads(line), load_engine().evaluate(redact(load_case(case), ("people", "events"))).to_dict()
    got.pop("engine"), want.pop("engine")  # which matcher ran may differ between a worker and this process
    assert got == want


def test_a_redacted_run_never_reuses_unredacted_lines(tmp_path: Path) -> None:
    (case,) = named_cases(tmp_path / "in")
    out = tmp_path / "o"
    run_batch([str(case)], out, jobs=1)
    report = run_batch([str(case)], out, jobs=1, resume=True, redacted=["people,events"])
    assert report.reused == 0 and NAME not in (out / "results.jsonl").read_text(encoding="utf-8")
    assert run_batch([str(case)], out, jobs=1, resume=True, redacted=["events", "people"]).reused == 1


def test_sweep_redacts_its_report_jsonl_and_table(runner: Any, tmp_path: Path) -> None:
    (case,) = named_cases(tmp_path / "in")
    extra = ["--tables", "parquet", "--out", str(tmp_path / "t")] if tables() else []
    res = runner.invoke(
        main,
        [
            "sweep",
            str(case),
            "--vary",
            "relationships.trust",
            "-f",
            "json",
            "--jsonl",
            str(tmp_path / "v.jsonl"),
            "--redact",
            "people,events",
            *extra,
        ],
    )
    assert res.exit_code == 0, res.output
    text = res.output + (tmp_path / "v.jsonl").read_text(encoding="utf-8")
    if extra:
        text += everything(tmp_path / "t")
    plain = runner.invoke(main, ["sweep", str(case), "--vary", "relationships.trust", "-f", "json"])
    assert SPONSOR in plain.output  # the handover item's title names the leaving director without --redact
    for secret in (NAME, SPONSOR, SECRET):
        assert secret not in text, secret
    portfolio = runner.invoke(
        main,
        [
            "sweep",
            str(tmp_path / "in"),
            "--vary",
            "relationships.trust",
            "-f",
            "json",
            "--redact",
            "people",
            "--redact",
            "events",
        ],
    )
    assert portfolio.exit_code == 0 and NAME not in portfolio.output and SPONSOR not in portfolio.output


def test_cli_batch_redact_option(runner: Any, tmp_path: Path) -> None:
    named_cases(tmp_path / "in")
    res = runner.invoke(
        main, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--redact", "people,events", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert NAME not in everything(tmp_path / "o")


# ---------------------------------------------------------------- engine.model.redact


def test_redact_events_keeps_kind_and_date_and_scrubs_repeats() -> None:
    from engine import case_from_data

    case = case_from_data(
        {
            "case_id": "c",
            "notes": "After the flood at the depot, staff moved.",
            "events": [{"kind": "critical_incident", "on": "2026-01-05", "summary": "The flood at the depot"}],
        }
    )
    out = redact_events(case)
    assert out.events is not None and out.events[0].summary == "critical incident"
    assert (out.events[0].kind, str(out.events[0].on)) == ("critical_incident", "2026-01-05")
    assert out.notes == "After critical incident, staff moved."
    assert redact_events(out) == out and redact_events(case_from_data({"case_id": "d"})).case_id == "d"


def test_the_people_api_keeps_its_behaviour(tmp_path: Path) -> None:
    (case,) = named_cases(tmp_path / "in")
    the_case = load_case(case)
    only_people, _ = redacted(the_case, None, ("people",))
    assert NAME not in json.dumps(only_people.model_dump(mode="json"))
    assert SECRET in json.dumps(only_people.model_dump(mode="json"))  # events only when asked
    both = redact(the_case, ("people", "events"))
    assert SECRET not in json.dumps(both.model_dump(mode="json"))
    assert REDACT_CHOICES == ("people", "events")


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (["people,events"], ("people", "events")),
        (["events", "people"], ("people", "events")),
        ([" events "], ("events",)),
        ([], ()),
    ],
)
def test_redact_choices(given: list[str], want: tuple[str, ...]) -> None:
    assert redact_choices(given) == want


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (["peoples"], "did you mean 'people'?"),
        (["people,names"], "'names' cannot be redacted"),
    ],
)
def test_redact_choices_refuse_unknown_words(given: list[str], fragment: str) -> None:
    with pytest.raises(UsageError) as err:
        redact_choices(given)
    assert fragment in err.value.problems[0].render()
