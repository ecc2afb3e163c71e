"""Hostile and broken input (issue 13, section 3): refused with one located line, exit 2 (or one
error line of a batch), no traceback, nothing else lost, nothing read without bound."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from engine.batch.batchrun import run_batch
from engine.errors import CaseError, IspAdvisorError, IspAdvisorWarning, Problem
from engine.io.caseload import case_from_text
from engine.io.documents import MAX_BYTES, MAX_DEPTH, parse, read_text
from engine.rulepacks.loader import scan_rulebase

BASIC = FIXTURES / "basic"
RULES = ["--rules", str(BASIC), "--no-shipped"]
GOOD = "case_id: good\nstage: installation\nchallenge: {type: adaptive}\n"


@contextlib.contextmanager
def deadline(seconds: int = 20) -> Iterator[None]:
    """Fail instead of hanging forever (a FIFO read would block the test run)."""

    def boom(*_: Any) -> None:
        raise TimeoutError("hung")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def recommend(runner: Any, path: Path | str, *extra: str) -> Any:
    with deadline():
        return runner.invoke(main, ["recommend", str(path), *RULES, *extra])


def refused(res: Any, *fragments: str) -> list[str]:
    """The result is exit 2 with located error lines and no traceback; returns the error lines."""
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert errors, res.output
    for fragment in fragments:
        assert fragment in res.output, res.output
    return errors


def batch(tmp_path: Path, *inputs: Path | str, **kw: Any) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
    out = tmp_path / "out"
    with deadline(60):
        report = run_batch([str(i) for i in inputs], out, rules=[BASIC], shipped=False, jobs=1, **kw)
    results = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    return report, results, errors


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "name,text",
    [
        ("deep.json", '{"case_id": "x", "notes": ' + "[" * 5000 + "]" * 5000 + "}"),
        ("deep.yaml", "case_id: x\nnotes:\n" + "- " * 900 + "x\n"),
        ("flow.yaml", "case_id: x\nnotes: " + "[" * 5000 + "]" * 5000 + "\n"),
    ],
)
def test_deep_nesting_is_refused_with_a_line(runner: Any, tmp_path: Path, name: str, text: str) -> None:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    errors = refused(recommend(runner, f), f"{f}:")
    assert len(errors) == 1 and ("nested more than" in errors[0] or "nesting depth" in errors[0])


def test_nesting_up_to_the_limit_parses() -> None:
    doc = parse('{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}", "ok.json")
    assert doc.data["a"] == [] or isinstance(doc.data["a"], list)


# ---------------------------------------------------------------- text that is not text


def test_lone_surrogate_in_json_is_refused_at_read_time(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text('{"case_id": "x",\n "site": "\\ud800"}', encoding="utf-8")
    for fmt in ("markdown", "html", "table"):
        errors = refused(recommend(runner, f, "--format", fmt), f"{f}:2: site", "lone surrogate")
        assert len(errors) == 1


def test_lone_surrogate_case_does_not_kill_a_batch(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "in" / "b.json").write_text('{"case_id": "bad", "site": "\\udfff"}', encoding="utf-8")
    report, results, errors = batch(tmp_path, tmp_path / "in")
    assert (report.ok, report.failed) == (1, 1)
    assert [r["case_id"] for r in results] == ["good"]
    assert errors[0]["code"] == "encoding" and errors[0]["field"] == "site"
    assert "lone surrogate" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- not regular files


def test_fifo_as_a_case_is_refused_without_hanging(runner: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    refused(recommend(runner, fifo), str(fifo), "named pipe")


def test_fifo_as_a_batch_input_is_refused_before_any_case_runs(tmp_path: Path) -> None:
    fifo = tmp_path / "cases.jsonl"
    os.mkfifo(fifo)
    with deadline(), pytest.raises(IspAdvisorError) as err:
        run_batch([str(fifo)], tmp_path / "out", rules=[BASIC], shipped=False, jobs=1)
    assert err.value.problems[0].code == "not_regular" and err.value.exit_code == 2


def test_fifo_inside_a_batch_folder_is_one_error_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "b.yaml")
    seen: list[int] = []
    report, results, errors = batch(tmp_path, folder, total=seen.append)  # total: the counting pass too
    assert seen == [2] and (report.ok, report.failed) == (1, 1)
    assert errors[0]["code"] == "not_regular" and errors[0]["source"].endswith("b.yaml")


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null"])
def test_devices_and_links_to_them_are_refused(runner: Any, tmp_path: Path, target: str) -> None:
    link = tmp_path / "case.yaml"
    link.symlink_to(target)
    for path in (target, link):
        refused(recommend(runner, path), "a device, not a regular file")
    with deadline(), pytest.raises(CaseError):
        read_text(link)


def test_device_as_jsonl_or_csv_is_refused(tmp_path: Path) -> None:
    for name in ("z.jsonl", "z.csv"):
        link = tmp_path / name
        link.symlink_to("/dev/zero")
        with deadline(), pytest.raises(IspAdvisorError) as err:
            run_batch([str(link)], tmp_path / "out", rules=[BASIC], shipped=False, jobs=1)
        assert err.value.problems[0].code == "not_regular"


def test_file_that_grows_past_the_limit_is_not_read_whole(tmp_path: Path, monkeypatch: Any) -> None:
    f = tmp_path / "c.yaml"
    f.write_bytes(b"case_id: x\nnotes: '" + b"x" * (MAX_BYTES + 100) + b"'\n")
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> Any:  # like /proc files: the size says 0, the content does not end
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 0, *st[7:]))

    monkeypatch.setattr(os, "fstat", lying_fstat)
    with pytest.raises(CaseError) as err:
        read_text(f)
    assert err.value.problems[0].code == "too_large"
    assert f"more than {MAX_BYTES:,} bytes" in err.value.problems[0].message


# ---------------------------------------------------------------- CSV and JSON Lines


HEADER = "case_id,stage,notes\n"


def test_csv_field_over_the_csv_module_limit_is_one_row_error(tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text(
        HEADER + "a,installation,short\nb,installation," + "x" * 140_000 + "\nc,installation,\n", encoding="utf-8"
    )
    report, results, errors = batch(tmp_path, f)
    assert [r["case_id"] for r in results] == ["a", "c"]
    assert len(errors) == 1 and errors[0]["line"] == 3 and errors[0]["code"] == "too_large"
    assert "131,072 characters" in errors[0]["message"]


def test_csv_line_over_the_size_limit_is_skipped_not_read_whole(tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text(
        HEADER + "a,installation,\nb,installation," + "x" * (MAX_BYTES + 5) + "\nc,installation,\n", encoding="utf-8"
    )
    report, results, errors = batch(tmp_path, f)
    assert [r["case_id"] for r in results] == ["a", "c"]
    assert errors[0]["line"] == 3 and errors[0]["code"] == "too_large"


def test_unterminated_csv_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text(
        HEADER + 'a,installation,fine\nb,installation,"never closed\nc,installation,\nd,installation,\n',
        encoding="utf-8",
    )
    report, results, errors = batch(tmp_path, f)
    assert [r["case_id"] for r in results] == ["a"]
    assert len(errors) == 1 and errors[0]["line"] == 3 and errors[0]["code"] == "csv_quote"
    assert "never closed" in errors[0]["message"] and "every following line" in errors[0]["message"]
    assert report.failed == 1


def test_jsonl_line_is_size_checked_while_reading(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    with open(f, "wb") as fh:
        fh.write(b'{"case_id": "a"}\n')
        fh.write(b'{"case_id": "big", "notes": "' + b"x" * (MAX_BYTES + 10))  # no newline for a while
        fh.write(b'"}\n{"case_id": "c"}\n')
    report, results, errors = batch(tmp_path, f)
    assert [r["case_id"] for r in results] == ["a", "c"]
    assert errors[0]["line"] == 2 and errors[0]["code"] == "too_large"


def test_jsonl_reading_is_bounded_in_memory(tmp_path: Path) -> None:
    import tracemalloc

    from engine.io import inputs

    f = tmp_path / "c.jsonl"
    with open(f, "wb") as fh:
        fh.write(b'{"notes": "' + b"x" * (40 * MAX_BYTES) + b'"}\n{"case_id": "c"}\n')
    tracemalloc.start()
    try:
        got = [(item[2], type(item[4]).__name__) for item in inputs.items(inputs.plan([f]))]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == [(1, "Unreadable"), (2, "bytes")]
    assert peak < 4 * MAX_BYTES  # the 40 MB line was never held whole


def test_bad_case_in_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD, encoding="utf-8")
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.yaml")
    with open(bad, "wb") as fh:
        fh.write(b"case_id: bad\nstge: installation\n")
    report, results, errors = batch(tmp_path, folder)
    assert (report.ok, report.failed) == (1, 1)
    assert errors[0]["source"].endswith("caf\\xe9.yaml") and errors[0]["line"] == 2


# ---------------------------------------------------------------- JSON like YAML


def test_duplicate_json_keys_are_refused_with_their_line(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text('{"case_id": "x",\n "stage": "installation",\n "stage": "exploration"}', encoding="utf-8")
    refused(recommend(runner, f), f"{f}:3: stage", "appears twice")


def test_json_validation_errors_carry_line_numbers(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(
        '{\n  "case_id": "x",\n  "engagement": {\n    "level": "partner"\n  },\n  "stge": 1\n}', encoding="utf-8"
    )
    refused(recommend(runner, f), f"{f}:4: engagement.level", f"{f}:6: stge")


def test_case_id_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(CaseError) as err:
        case_from_text('case_id: "x\\n"\n')
    assert err.value.problems[0].field == "case_id"


@pytest.mark.parametrize(
    "text",
    [
        "case_id: x\nequity: {priority_populations: !!set {a, b}}\n",
        "case_id: x\nnotes: !!binary aGVsbG8=\n",
        "case_id: x\nnotes: !!omap [{a: 1}]\n",
    ],
)
def test_set_binary_and_other_tags_are_refused(text: str) -> None:
    with pytest.raises(CaseError) as err:
        parse(text, "c.yaml")
    assert "YAML tag not allowed" in err.value.problems[0].message and err.value.problems[0].line == 2


@pytest.mark.parametrize("rating", ["٢", "２", "-１", "۲"])
def test_non_ascii_digits_are_not_ratings(rating: str) -> None:
    with pytest.raises(CaseError) as err:
        case_from_text(f"case_id: x\ncfir: {{innovation.complexity: '{rating}'}}\n")
    assert "out of range" in err.value.problems[0].message


def test_ascii_digit_strings_are_still_ratings() -> None:
    assert case_from_text("case_id: x\ncfir: {innovation.complexity: '-2'}\n").cfir == {"innovation.complexity": -2}


# ---------------------------------------------------------------- what reaches the terminal


def test_control_characters_in_keys_and_values_are_escaped(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(
        json.dumps(
            {
                "case_id": "x",
                "bad\nerror: forged line": 1,
                "\x1b]0;pwned\x07": 2,
                "stage": "\x1b[31mred\x1b]52;c;Y2xpcA==\x07",
            }
        ),
        encoding="utf-8",
    )
    res = recommend(runner, f)
    errors = refused(res)
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert len(errors) == 3 and any("bad\\nerror: forged line" in e for e in errors)
    assert "\\x1b" in res.output


def test_problem_render_never_emits_control_characters() -> None:
    p = Problem(file="a\nb", field="f\x1b", message="m\r\x9b", hint="h\u202e")
    assert p.render().isprintable()


def test_huge_value_is_not_echoed_whole(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"case_id": "x", "stage": "y" * 900_000, "k" * 90_000: 1}), encoding="utf-8")
    errors = refused(recommend(runner, f))
    assert len(errors) == 2 and all(len(e) < 500 for e in errors)
    assert "\u2026" in errors[0]


def test_one_huge_bad_case_prints_a_capped_list(runner: Any, tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("case_id: x\n" + "".join(f"bad{i}: 1\n" for i in range(3000)), encoding="utf-8")
    res = recommend(runner, f)
    errors = refused(res)
    assert len(errors) == 51 and errors[-1].endswith("... and 2,950 more problems (fix these first, then run it again)")


def test_batch_error_rows_cap_their_problems(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("case_id: x\n" + "".join(f"bad{i}: 1\n" for i in range(300)), encoding="utf-8")
    _, _, errors = batch(tmp_path, f)
    assert len(errors[0]["problems"]) == 51 and errors[0]["problems"][-1]["message"] == "... and 250 more problems"


# ---------------------------------------------------------------- folders


def test_symlinked_folders_are_followed_once_and_loops_reported(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.yaml").write_text(GOOD, encoding="utf-8")
    (root / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "b.yaml").write_text(GOOD.replace("good", "linked"), encoding="utf-8")
    (root / "real" / "loop").symlink_to(root, target_is_directory=True)
    with pytest.warns(IspAdvisorWarning, match="already searched"):
        report, results, errors = batch(tmp_path, root)
    assert sorted(r["case_id"] for r in results) == ["good", "linked"] and errors == []


def test_cli_prints_warnings_as_one_line(runner: Any, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.yaml").write_text(GOOD, encoding="utf-8")
    (root / "loop").symlink_to(root, target_is_directory=True)
    with deadline(60):
        res = runner.invoke(main, ["batch", str(root), "--out", str(tmp_path / "out"), "--jobs", "1", *RULES])
    assert res.exit_code == 0, res.output
    assert f"warning: {root / 'loop'}: skipped: the folder it links to is already searched" in res.output


# ---------------------------------------------------------------- the terminal's encoding and OS errors


def _cli(
    *args: str, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
    )


def test_latin1_terminal_gets_escapes_not_an_internal_error(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("case_id: x\nsite: Snow \u2603 \u65e5\nstage: installationn\n", encoding="utf-8")
    bad = _cli("recommend", str(f), *RULES, env={"PYTHONIOENCODING": "latin-1"})
    assert bad.returncode == 2 and b"internal error" not in bad.stderr
    f.write_text("case_id: x\nsite: Snow \u2603 \u65e5\nstage: installation\n", encoding="utf-8")
    good = _cli("recommend", str(f), "--format", "markdown", *RULES, env={"PYTHONIOENCODING": "latin-1"})
    assert good.returncode == 0, good.stderr
    assert b"Snow \\u2603 \\u65e5" in good.stdout


def test_stdout_on_dev_full_is_a_located_error(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(GOOD, encoding="utf-8")
    with open("/dev/full", "wb") as full:
        res = _cli("recommend", str(f), *RULES, stdout=full)
    assert res.returncode == 2
    assert res.stderr.decode().strip() == "error: <output>: No space left on device (ENOSPC)"


# ---------------------------------------------------------------- fuzzing the readers

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

yaml_ish = st.text(
    alphabet=st.sampled_from(list("case_id: x\n-[]{}!&*'\",#|>%@`?\t\ud800\x00\x1b\u00e9٢ 0123")), max_size=120
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(text=yaml_ish, suffix=st.sampled_from([".yaml", ".json"]))
def test_fuzz_case_reader_text(text: str, suffix: str) -> None:
    try:
        case_from_text(text, "fuzz" + suffix)
    except CaseError:
        pass


@FUZZ
@given(data=json_values, suffix=st.sampled_from([".yaml", ".json"]))
def test_fuzz_case_reader_structures(data: Any, suffix: str) -> None:
    if isinstance(data, dict):
        data.setdefault("case_id", "x")
    text = json.dumps(data) if suffix == ".json" else yaml.safe_dump(data)
    try:
        case_from_text(text, "fuzz" + suffix)
    except CaseError:
        pass


PACK = (BASIC / "basic.yaml").read_text(encoding="utf-8")


@FUZZ
@given(cut=st.integers(0, len(PACK)), junk=yaml_ish)
def test_fuzz_pack_reader(tmp_path_factory: pytest.TempPathFactory, cut: int, junk: str) -> None:
    folder = tmp_path_factory.mktemp("pack")
    (folder / "sources.yaml").write_bytes((BASIC / "sources.yaml").read_bytes())
    (folder / "pack.yaml").write_bytes((PACK[:cut] + junk + PACK[cut:]).encode("utf-8", "surrogatepass"))
    try:
        scan_rulebase([folder], shipped=False)
    except IspAdvisorError:
        pass
