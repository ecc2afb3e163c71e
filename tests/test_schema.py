"""engine.authoring.schema: the JSON Schemas are valid, and real files and real output validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from engine import load_case, load_engine
from engine.authoring.schema import KINDS, json_schema
from tests.conftest import CASES, FIXTURES, ROOT


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json_schema(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_valid_json_schema(kind: str) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schemas_are_current(kind: str) -> None:
    committed = json.loads((ROOT / "docs" / "schemas" / f"{kind}.schema.json").read_text())
    fix = f"regenerate: isp-advisor schema {kind} -o docs/schemas/{kind}.schema.json --force"
    assert committed == json_schema(kind), fix


def _as_editors_read(data: object) -> object:
    """YAML data as an editor's schema check sees it: dates are the text written (YAML 1.2 has no date type)."""
    import datetime

    if isinstance(data, dict):
        return {("on" if k is True else k): _as_editors_read(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_editors_read(v) for v in data]
    return data.isoformat() if isinstance(data, datetime.date) else data


def test_shipped_cases_validate() -> None:
    v = validator("case")
    files = sorted(CASES.glob("*.yaml"))
    assert files
    for f in files:
        assert list(v.iter_errors(_as_editors_read(yaml.safe_load(f.read_text())))) == [], f


def test_shipped_packs_sources_and_rule_tests_validate() -> None:
    rules, sources, tests = validator("rules"), validator("sources"), validator("tests")
    for f in sorted((ROOT / "rules").glob("*.yaml")):
        v = sources if f.name == "sources.yaml" else rules
        assert list(v.iter_errors(yaml.safe_load(f.read_text()))) == [], f
    for f in sorted((ROOT / "rules" / "tests").glob("*.yaml")):
        assert list(tests.iter_errors(yaml.safe_load(f.read_text()))) == [], f
    assert list(rules.iter_errors(yaml.safe_load((FIXTURES / "basic" / "basic.yaml").read_text()))) == []


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"case_id": "x", "stage": "instalation"}, "instalation"),
        ({"case_id": "x", "powr": {}}, "powr"),
        ({"site": "no id"}, "case_id"),
    ],
)
def test_bad_cases_fail_the_case_schema(data: dict, fragment: str) -> None:  # type: ignore[type-arg]
    errors = list(validator("case").iter_errors(data))
    assert errors and any(fragment in e.message for e in errors)


@pytest.mark.parametrize(
    "rule",
    [
        {"id": "A", "when": {"fact": "power.diferential", "equals": "high"}, "derive": {"a": True}},
        {"id": "A", "when": {"fact": "stage", "equals": "exploration"}, "derive": {"a": True}, "priorty": "high"},
        {
            "id": "A",
            "title": "T",
            "category": "equity",
            "when": {"fact": "stage", "exists": True},
            "recommend": {"actions": ["x"], "tags": {"equity_element": ["not_an_element"]}},
            "rationale": "r",
            "sources": ["s"],
        },
    ],
)
def test_editor_schema_flags_typos_in_rules(rule: dict) -> None:  # type: ignore[type-arg]
    pack = {"ruleset": "p", "version": "1.0.0", "rules": [rule]}
    assert list(validator("rules").iter_errors(pack))


def test_real_output_validates_and_the_schema_is_strict(shipped_engine) -> None:  # type: ignore[no-untyped-def]
    v = validator("output")
    for f in sorted(CASES.glob("*.yaml")):
        data = json.loads(json.dumps(shipped_engine.evaluate(load_case(f)).to_dict()))
        assert list(v.iter_errors(data)) == [], f
    data["recommendations"][0]["surprise"] = 1
    assert list(v.iter_errors(data))


def test_output_with_an_override_validates(tmp_path: Path) -> None:
    from tests.helpers import rec, write_pack

    write_pack(tmp_path, [rec("EQ-SHARE-POWER", {"fact": "power.differential", "equals": "high"}, overrides=True)])
    engine = load_engine([FIXTURES / "basic", tmp_path], shipped=False)
    data = json.loads(json.dumps(engine.evaluate(load_case(FIXTURES / "cases" / "gap.yaml")).to_dict()))
    assert list(validator("output").iter_errors(data)) == []
    proof = next(r for r in data["recommendations"] if r["rule_id"] == "EQ-SHARE-POWER")["explanation"][0]
    assert proof["overrides"].startswith("basic (")


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown schema kind"):
        json_schema("nope")


def test_output_tags_follow_the_vocabulary_tag_keys() -> None:
    from engine.model.vocabulary import TAG_KEYS

    tags = json_schema("output")["$defs"]["TagsOut"]
    assert list(tags["properties"]) == list(TAG_KEYS)
    assert tags["required"] == list(TAG_KEYS) and tags["additionalProperties"] is False


def test_the_cli_offers_exactly_the_schema_kinds() -> None:
    from cli import main

    [kind] = [p for p in main.commands["schema"].params if p.name == "kind"]
    assert tuple(kind.type.choices) == KINDS  # type: ignore[attr-defined]


def _isp_advisor() -> list[str]:
    """The installed console script, else the same entry point (`cli:run`) in a fresh interpreter."""
    import shutil
    import sys

    script = shutil.which("isp-advisor") or str(Path(sys.executable).parent / "isp-advisor")
    if Path(script).exists():
        return [script]
    return [sys.executable, "-c", "import sys; from cli import run; sys.argv[0] = 'isp-advisor'; sys.exit(run())"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--help"], "Usage: isp-advisor"),
        (["--version"], "matcher: "),
        (["schema", "case"], '"$schema": "https://json-schema.org/draft/2020-12/schema"'),
    ],
)
def test_help_version_and_schema_load_neither_durable_rules_nor_the_runner(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    """The real command in a fresh process, the real `engine` package (nothing faked): Python's
    import-time report (PYTHONPROFILEIMPORTTIME) names every module it loaded."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    out = subprocess.run([*_isp_advisor(), *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout
    loaded = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert {"click", "engine", "engine.errors"} <= loaded  # the report was read (the check below can fail)
    assert (
        sorted(
            m
            for m in loaded
            if m in ("engine.evaluation.runner", "engine.evaluation.durablematcher")
            or m.split(".")[0] in ("durable", "durable_rules_engine")
        )
        == []
    )


def test_the_real_package_loads_durable_rules_only_to_match() -> None:
    """Through the real `engine` package (nothing faked): the schema, the runner and loading rules
    import no durable_rules; only building a durable matcher does."""
    import subprocess
    import sys

    code = (
        "import sys; import engine, engine.authoring.schema, engine.evaluation.runner; engine.load_rulebase(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('durable', 'durable_rules_engine')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
