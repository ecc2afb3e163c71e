"""`batch --tables parquet` and `sweep --tables parquet` (issue 25): the tables' schemas and rows against
the same run's results.jsonl, the same bytes whatever the workers, the executor or --resume, the
manifest, the refusal without pyarrow, and the five questions of docs/analysts.md answered in DuckDB
(and in pandas where it is installed)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, ROOT

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

from cli import main  # noqa: E402
from engine import load_case  # noqa: E402
from engine.batch import tables  # noqa: E402
from engine.batch.batchrun import run_batch  # noqa: E402
from engine.batch.tablerows import CFIR_COLUMNS, case_tables, text_id, value_text  # noqa: E402
from engine.io.inputs import case_files  # noqa: E402
from engine.model.perspectives import effective_facts  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from generate import write_jsonl  # noqa: E402

DOC = ROOT / "docs" / "analysts.md"
TABLES = ("cases.parquet", "items.parquet", "proofs.parquet", "texts.parquet")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def rows(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return out


def table_bytes(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in TABLES if (out / n).exists()}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A batch of every shipped example case (three assessments of Millbrook among them), with tables."""
    out = tmp_path_factory.mktemp("tables") / "out"
    report = run_batch([str(CASES)], out, jobs=1, tables_format="parquet")
    assert report.failed == 0 and report.tables == TABLES
    return out


# ---------------------------------------------------------------- schemas and rows against the JSONL


def test_each_table_declares_its_columns_and_schema_version(shipped: Path) -> None:
    for name, columns in tables.COLUMNS.items():
        schema = pq.read_schema(shipped / name)
        assert tuple(schema.names) == columns == tuple(tables.schemas()[name].names)
        meta = schema.metadata
        assert meta[b"isp_advisor.schema_version"] == str(tables.SCHEMA_VERSION).encode()
        assert meta[b"isp_advisor.table"] == name.removesuffix(".parquet").encode()
        assert json.loads(meta[b"isp_advisor.engine"])["name"] == "isp-advisor"
        assert not any(b"time" in k.lower() for k in meta)  # nothing records when it was written
    cases = pq.read_schema(shipped / "cases.parquet")
    assert cases.field("assessed_on").type == pa.date32()
    assert cases.field("cfir_inner_setting_culture").type == pa.int8()
    assert len([c for c in cases.names if c.startswith("cfir_") and c != "cfir_mixed"]) == len(CFIR_COLUMNS) == 67
    assert pq.read_schema(shipped / "items.parquet").field("action_ids").type == pa.list_(pa.int64())


def test_one_case_row_per_results_line_with_the_case_facts(shipped: Path) -> None:
    results = lines(shipped / "results.jsonl")
    cases = rows(shipped / "cases.parquet")
    assert [(c["case_id"], str(c["assessed_on"]) if c["assessed_on"] else None) for c in cases] == [
        (r["case_id"], r.get("assessed_on")) for r in results
    ]
    for c, r in zip(cases, results, strict=True):
        assert c["items"] == len(r["recommendations"])
        for h in ("now", "next", "later"):
            assert c[f"{h}_items"] == len(r["plan"][h])
        assert c["held_back_items"] == len(r["plan"]["held_back"])
    riverside = next(c for c in cases if c["case_id"] == "riverside-fqhc")
    facts = effective_facts(load_case(CASES / "riverside-fqhc.yaml"))[0]
    assert (riverside["trust"], riverside["engagement_level"], riverside["stage"]) == (
        facts["relationships.trust"],
        facts["engagement.level"],
        facts["stage"],
    )
    for column, cid in CFIR_COLUMNS:
        assert riverside[column] == facts.get(f"cfir.{cid}")
    assert riverside["barriers"] == sorted(
        c for c, v in ((cid, facts.get(f"cfir.{cid}")) for _, cid in CFIR_COLUMNS) if isinstance(v, int) and v < 0
    )
    problem = load_case(CASES / "riverside-fqhc.yaml").problem
    assert problem is not None and riverside["problem_tags"] == list(problem.tags)


def test_one_item_row_per_recommendation_with_its_texts_by_id(shipped: Path) -> None:
    results = lines(shipped / "results.jsonl")
    items = rows(shipped / "items.parquet")
    texts = {t["text_id"]: t["text"] for t in rows(shipped / "texts.parquet")}
    recs = [(r, rec) for r in results for rec in r["recommendations"]]
    assert len(items) == len(recs)
    for row, (r, rec) in zip(items, recs, strict=True):
        assert (row["case_id"], row["key"], row["rank"], row["horizon"], row["title"], row["rule_ids"]) == (
            r["case_id"],
            rec["key"],
            rec["rank"],
            rec["horizon"],
            rec["title"],
            rec["rule_ids"],
        )
        assert [texts[t] for t in row["action_ids"]] == rec["actions"]
        assert texts[row["first_action_id"]] == rec["actions"][0]
        assert texts[row["rationale_id"]] == rec["rationale"]
        assert row["eric_strategies"] == rec["tags"]["eric_strategy"]
        assert row["competencies"] == rec["tags"]["isp_competency"]
        assert row["folded_keys"] == [a["key"] for a in rec["also"]]
        assert row["evidence_level"] in ("1", "2", "published", "authors_judgement")
    distinct = {t for _, rec in recs for t in [*rec["actions"], rec["rationale"]]}
    assert sorted(texts.values()) == sorted(distinct)  # each text once, and only those
    assert all(text_id(t) == i for i, t in texts.items())
    # held back items are not rows (of their own case)
    held = {(r["case_id"], r.get("assessed_on"), h["rule_id"]) for r in results for h in r["plan"]["held_back"]}
    shown = {
        (row["case_id"], str(row["assessed_on"]) if row["assessed_on"] else None, rid)
        for row in items
        for rid in row["rule_ids"]
    }
    assert held and not held & shown


def _leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    if "children" in node:
        return [leaf for c in node["children"] for leaf in _leaves(c)]
    return [node] if "fact" in node else []


def test_one_proof_row_per_case_item_and_condition(shipped: Path) -> None:
    results = lines(shipped / "results.jsonl")
    expected = [
        (
            r["case_id"],
            rec["key"],
            trace["rule_id"],
            leaf["fact"],
            leaf["operator"],
            value_text(leaf, "expected"),
            value_text(leaf, "actual"),
            leaf["held"],
        )
        for r in results
        for rec in r["recommendations"]
        for host in (rec, *rec["also"])
        for trace in host["explanation"]
        for leaf in _leaves(trace["condition"])
    ]
    got = [
        (p["case_id"], p["key"], p["rule_id"], p["fact"], p["operator"], p["tested"], p["seen"], p["held"])
        for p in rows(shipped / "proofs.parquet")
    ]
    assert got == expected and len(got) > 100


def test_the_manifest_lists_every_table_with_its_hash(shipped: Path) -> None:
    import hashlib

    manifest = json.loads((shipped / "manifest.json").read_text(encoding="utf-8"))
    for name in TABLES:
        data = (shipped / name).read_bytes()
        assert manifest["files"][name] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_the_tables_are_a_tenth_of_the_jsonl_or_less(shipped: Path) -> None:
    total = sum(len(b) for b in table_bytes(shipped).values())
    assert total * 10 <= (shipped / "results.jsonl").stat().st_size


# ---------------------------------------------------------------- the same bytes


def test_the_same_bytes_for_any_jobs_and_after_resume(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "gen.jsonl", 120, seed=3)
    inputs = [str(CASES), str(big)]
    one, two = tmp_path / "one", tmp_path / "two"
    run_batch(inputs, one, jobs=1, tables_format="parquet")
    run_batch(inputs, two, jobs=2, tables_format="parquet")
    assert table_bytes(one) == table_bytes(two) and len(table_bytes(one)) == 4
    assert (one / "results.jsonl").read_bytes() == (two / "results.jsonl").read_bytes()
    before = table_bytes(one)
    report = run_batch(inputs, one, jobs=2, resume=True, tables_format="parquet")
    assert report.reused == report.ok > 0  # every line reused, every table row rebuilt from it
    assert table_bytes(one) == before


def test_resume_from_a_run_without_tables_evaluates_again(tmp_path: Path) -> None:
    plain, fresh = tmp_path / "plain", tmp_path / "fresh"
    run_batch([str(CASES / "riverside-fqhc.yaml")], plain, jobs=1)
    report = run_batch([str(CASES / "riverside-fqhc.yaml")], plain, jobs=1, resume=True, tables_format="parquet")
    assert report.reused == 0
    run_batch([str(CASES / "riverside-fqhc.yaml")], fresh, jobs=1, tables_format="parquet")
    assert table_bytes(plain) == table_bytes(fresh)


def test_dask_writes_the_same_tables(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import warnings

    big = write_jsonl(tmp_path / "gen.jsonl", 60, seed=5)
    inputs = [str(CASES), str(big)]
    run_batch(inputs, tmp_path / "local", jobs=2, tables_format="parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_batch(inputs, tmp_path / "dask", jobs=2, tables_format="parquet", executor="dask")
    assert table_bytes(tmp_path / "local") == table_bytes(tmp_path / "dask")


@pytest.mark.parametrize("full", [True, False])
def test_the_rows_from_the_objects_are_the_rows_of_the_line(shipped_engine: Any, full: bool) -> None:
    """A worker builds rows from its fresh result's objects, --resume from the line read back: the same rows."""
    from engine.batch.batchrun import lean_line
    from engine.batch.tablerows import case_fields, result_tables

    for path in case_files(CASES):
        case = load_case(path)
        result = shipped_engine.evaluate(case)
        line = result.to_json() if full else lean_line(result.to_dict())
        fields = json.loads(json.dumps(case_fields(case)))  # as the resume index keeps them
        assert result_tables(result, case_fields(case), proofs=full) == case_tables(
            json.loads(line), fields, proofs=full
        ), path.name


# ---------------------------------------------------------------- options


def test_without_tables_nothing_changes_and_earlier_tables_go(tmp_path: Path) -> None:
    case = str(CASES / "riverside-fqhc.yaml")
    run_batch([case], tmp_path / "with", jobs=1, tables_format="parquet")
    run_batch([case], tmp_path / "without", jobs=1)
    for name in ("results.jsonl", "recommendations.csv", "summary.md", "summary.html", "errors.jsonl"):
        assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes(), name
    assert not table_bytes(tmp_path / "without")
    run_batch([case], tmp_path / "with", jobs=1, force=True)  # the old tables are not this run's
    assert not table_bytes(tmp_path / "with")
    assert "items.parquet" not in json.loads((tmp_path / "with" / "manifest.json").read_text())["files"]


def test_explanations_none_writes_no_proofs_table(tmp_path: Path) -> None:
    report = run_batch(
        [str(CASES / "riverside-fqhc.yaml")], tmp_path / "o", jobs=1, explanations="none", tables_format="parquet"
    )
    assert report.tables == ("cases.parquet", "items.parquet", "texts.parquet")
    assert not (tmp_path / "o" / "proofs.parquet").exists()


def test_without_pyarrow_tables_stop_before_any_case(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    res = runner.invoke(
        main, ["batch", str(CASES / "riverside-fqhc.yaml"), "--out", str(tmp_path / "o"), "--tables", "parquet"]
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "--tables: pyarrow is not installed" in res.output and "pip install '.[analytics]'" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["batch", "--tables", "csv"], "'csv' is not 'parquet'"),
        (["batch", "--redact", "names"], "'names' cannot be redacted"),
        (["sweep", "--vary", "relationships.trust", "--tables", "parquet"], "--tables: writes DIR/variants.parquet"),
        (["sweep", "--vary", "relationships.trust", "--out", "DIR"], "--out: is the folder of --tables"),
    ],
)
def test_bad_options_exit_2_with_the_fix(runner: Any, tmp_path: Path, args: list[str], fragment: str) -> None:
    command, *rest = args
    out = ["--out", str(tmp_path / "o")] if command == "batch" else []
    rest = [str(tmp_path / "d") if a == "DIR" else a for a in rest]
    res = runner.invoke(main, [command, str(CASES / "riverside-fqhc.yaml"), *out, *rest])
    assert res.exit_code == 2 and fragment in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------- sweeps


def test_sweep_tables_one_row_per_variant_and_item(runner: Any, tmp_path: Path) -> None:
    case = str(CASES / "riverside-fqhc.yaml")
    jsonl = tmp_path / "v.jsonl"
    res = runner.invoke(
        main,
        [
            "sweep",
            case,
            "--vary",
            "relationships.trust",
            "--vary",
            "leadership.transition",
            "--tables",
            "parquet",
            "--out",
            str(tmp_path / "t"),
            "--jsonl",
            str(jsonl),
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    table = rows(tmp_path / "t" / "variants.parquet")
    variants = lines(jsonl)
    assert len(table) == sum(len([r for h in v["plan"].values() for r in h]) for v in variants)
    first = [r for r in table if r["variant"] == 0]
    assert {(r["relationships_trust"], r["leadership_transition"]) for r in first} == {("low", True)}
    assert [r["rule_id"] for r in first] == [rid for h in ("now", "next", "later") for rid in variants[0]["plan"][h]]
    assert all(r["key"] and ":" in r["key"] for r in table)
    schema = pq.read_schema(tmp_path / "t" / "variants.parquet")
    assert schema.field("leadership_transition").type == pa.bool_()
    again = runner.invoke(
        main, ["sweep", case, "--vary", "relationships.trust", "--tables", "parquet", "--out", str(tmp_path / "t")]
    )
    assert again.exit_code == 2 and "add --force" in again.output


def test_a_portfolio_sweep_table_is_the_same_bytes_each_run(tmp_path: Path) -> None:
    from engine.batch.sweep import parse_varies, sweep_portfolio

    varies = parse_varies(["relationships.trust"])
    for name in ("a", "b"):
        got = sweep_portfolio(
            [str(CASES / "over-time")], varies, tables_format="parquet", tables_out=str(tmp_path / name)
        )
        assert got.cases == 3
    data = (tmp_path / "a" / "variants.parquet").read_bytes()
    assert data == (tmp_path / "b" / "variants.parquet").read_bytes()
    table = rows(tmp_path / "a" / "variants.parquet")
    assert sorted({str(r["assessed_on"]) for r in table}) == ["2026-02-10", "2026-06-09", "2026-10-13"]
    assert {r["variant"] for r in table} == {0, 1, 2}


# ---------------------------------------------------------------- docs/analysts.md


def doc_lines(prefix: str) -> list[str]:
    """The doc's one-line commands starting with `prefix`, in order."""
    return [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith(prefix)]


def doc_sql(out: Path) -> list[str]:
    """The SQL of each `python -c "import duckdb; ..."` line, as the shell passes it, pointed at `out`."""
    found = []
    for line in doc_lines('python -c "import duckdb;'):
        m = re.search(r'duckdb\.sql\(\\"(.*)\\"\)\)"$', line)
        assert m, line
        found.append(m.group(1).replace("'out/", f"'{out}/"))
    return found


def test_the_doc_asks_five_questions_in_duckdb_and_pandas() -> None:
    assert len(doc_lines('python -c "import duckdb;')) == 5
    assert len(doc_lines('python -c "import pandas as pd;')) == 5


def test_the_doc_lines_run_as_written(shipped: Path) -> None:
    line = doc_lines('python -c "import duckdb;')[1]
    code = line.removeprefix('python -c "').removesuffix('"').replace('\\"', '"')
    got = subprocess.run([sys.executable, "-c", code], cwd=shipped.parent, capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    assert "sites" in got.stdout


def test_the_doc_queries_answer_the_questions(shipped: Path) -> None:
    q1, q2, q3, q4, q5 = (duckdb.sql(sql).fetchall() for sql in doc_sql(shipped))
    results = lines(shipped / "results.jsonl")
    sites = {
        (c["case_id"], str(c["assessed_on"]) if c["assessed_on"] else None): c for c in rows(shipped / "cases.parquet")
    }

    def where(r: dict[str, Any]) -> dict[str, Any]:
        return sites[(r["case_id"], r.get("assessed_on"))]

    # 1. sites with a trust item in Start here
    want1 = sorted(
        {
            (where(r)["site"], r.get("assessed_on") or "", rec["title"])
            for r in results
            for rec in r["recommendations"]
            if rec["horizon"] == "now" and "trust" in rec["key"]
        }
    )
    assert sorted((s, str(d) if d else "", t) for s, d, t in q1) == want1 and want1
    # 2. the most common Start-here items
    now = Counter(rec["key"] for r in results for rec in r["recommendations"] if rec["horizon"] == "now")
    assert q2 == sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    # 3. the most common barriers, from the case files themselves
    barriers: Counter[str] = Counter()
    for path in case_files(CASES):
        facts = effective_facts(load_case(path))[0]
        barriers.update(p[5:] for p, v in facts.items() if p.startswith("cfir.") and isinstance(v, int) and v < 0)
    assert q3 == sorted(barriers.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    # 4. Millbrook at each assessment
    assert [(c, str(d), t) for c, d, t, *_ in q4] == [
        ("millbrook-frc", "2026-02-10", "moderate"),
        ("millbrook-frc", "2026-06-09", "low"),
        ("millbrook-frc", "2026-10-13", "high"),
    ]
    assert [n for *_, n in q4] == [
        len(r["plan"]["now"])
        for r in sorted((r for r in results if r["case_id"] == "millbrook-frc"), key=lambda r: r["assessed_on"])
    ]
    # 5. the first action of each high-priority Start-here item where trust is low
    want5 = sorted(
        (where(r)["site"], rec["rank"], rec["title"], rec["actions"][0])
        for r in results
        for rec in r["recommendations"]
        if rec["horizon"] == "now" and rec["priority"] == "high" and where(r)["trust"] == "low"
    )
    assert [(s, t, a) for s, _, t, a in want5] == q5 and q5


def test_the_doc_pandas_lines_run(shipped: Path) -> None:
    pytest.importorskip("pandas")
    for line in doc_lines('python -c "import pandas as pd;'):
        code = line.removeprefix('python -c "').removesuffix('"')
        got = subprocess.run(
            [sys.executable, "-c", code], cwd=shipped.parent, capture_output=True, text=True, timeout=120
        )
        assert got.returncode == 0 and got.stdout.strip(), (line, got.stderr)
