"""Batch inputs: planning (paths, folders, CSV headers), streaming items, items -> cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import CaseError, UsageError
from engine.io import inputs
from engine.io.caseload import validate_case
from engine.io.documents import parse_json
from engine.model.case import Case


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def to_case(item: inputs.Item, text: str) -> Case:
    return validate_case(inputs.to_document(item, text))


def cases_of(sources: list[inputs.InputFile]) -> list[str]:
    out = []
    for item in inputs.items(sources):
        out.append(to_case(item, inputs.content(item)).case_id)
    return out


# ---------------------------------------------------------------- planning


def test_folders_are_walked_in_a_stable_order_skipping_hidden_and_other_files(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", "case_id: b\n")
    write(tmp_path / "a.json", '{"case_id": "a"}')
    write(tmp_path / "sub" / "c.yml", "case_id: c\n")
    write(tmp_path / ".hidden.yaml", "case_id: h\n")
    write(tmp_path / "notes.txt", "not a case")
    write(tmp_path / "more.jsonl", '{"case_id": "j"}\n')  # named files only
    sources = inputs.plan([tmp_path])
    assert [Path(s.path).name for s in sources] == ["a.json", "b.yaml", "c.yml"]
    assert cases_of(sources) == ["a", "b", "c"]


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("missing.yaml", None, "no such file or folder"),
        ("empty_dir", "DIR", "folder holds no case files"),
    ],
)
def test_unusable_inputs_are_refused_before_any_case_runs(
    tmp_path: Path, name: str, content: str | None, fragment: str
) -> None:
    if content == "DIR":
        (tmp_path / name).mkdir()
    with pytest.raises(UsageError) as err:
        inputs.plan([tmp_path / name])
    assert fragment in err.value.render()
    assert name in err.value.render()


def test_no_inputs_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no input"):
        inputs.plan([])


def test_jsonl_items_carry_their_line_and_skip_blank_lines(tmp_path: Path) -> None:
    f = write(tmp_path / "c.jsonl", '{"case_id": "a"}\n\n{"case_id": "b"}\n')
    items = list(inputs.items(inputs.plan([f])))
    assert [(i[2], i[3]) for i in items] == [(1, 1), (3, 2)]
    assert cases_of(inputs.plan([f])) == ["a", "b"]


def test_case_files_is_the_public_folder_listing(tmp_path: Path) -> None:
    write(tmp_path / "b.YAML", "case_id: b\n")
    write(tmp_path / "a" / "z.json", '{"case_id": "z"}')
    write(tmp_path / ".git" / "x.yaml", "case_id: x\n")
    write(tmp_path / "c.jsonl", '{"case_id": "c"}\n')
    assert inputs.CASE_SUFFIXES == (".yaml", ".yml", ".json")
    assert inputs.case_files(str(tmp_path)) == [tmp_path / "a" / "z.json", tmp_path / "b.YAML"]


def test_non_utf8_jsonl_line_is_reported_at_its_line_in_the_file(tmp_path: Path) -> None:
    f = write(tmp_path / "c.jsonl", b'{"case_id": "a"}\n\n{"case_id": "caf\xe9"}\n')
    items = list(inputs.items(inputs.plan([f])))
    assert to_case(items[0], inputs.content(items[0])).case_id == "a"
    with pytest.raises(CaseError) as err:
        inputs.content(items[1])
    [problem] = err.value.problems
    assert (problem.file, problem.line, problem.code) == (str(f), 3, "encoding")


def test_jsonl_syntax_errors_point_at_the_files_line(tmp_path: Path) -> None:
    f = write(tmp_path / "c.jsonl", '{"case_id": "a"}\n{"case_id": NaN}\n{"case_id": \n')
    items = list(inputs.items(inputs.plan([f])))
    assert inputs.to_document(items[0], inputs.content(items[0])).lines[()] == 1  # keys have lines too
    for item, line, message in ((items[1], 2, "NaN is not a JSON value"), (items[2], 3, "invalid JSON: Expecting")):
        with pytest.raises(CaseError) as err:
            inputs.to_document(item, inputs.content(item))
        assert err.value.problems[0].line == line and message in err.value.problems[0].message


def test_parse_json_is_shared_by_case_files_and_json_lines() -> None:
    with pytest.raises(CaseError) as err:
        parse_json('{\n"a": 1,\n"b" 2}', "c.json")  # a missing colon: every Python version says line 3
    assert err.value.problems[0].line == 3 and not err.value.problems[0].hint
    with pytest.raises(CaseError) as err:
        parse_json('{"a": 1,}', "c.jsonl", line=7)
    assert err.value.problems[0].line == 7 and "one complete JSON object" in err.value.problems[0].hint
    assert parse_json('{"a": 1}', "c.jsonl", line=7).lines == {(): 7, ("a",): 7}


# ---------------------------------------------------------------- CSV


HEADER = (
    "case_id,site,stage,engagement.level,engagement.target,cfir.innovation.complexity,"
    "equity.priority_populations,leadership.transition\n"
)


def test_csv_columns_are_case_paths_with_lists_split_on_semicolons(tmp_path: Path) -> None:
    f = write(
        tmp_path / "p.csv",
        HEADER + 'r1,"Riverside, north",installation,consult,collaborate,-2,uninsured adults; Spanish speakers,yes\n',
    )
    item = next(inputs.items(inputs.plan([f])))
    case = to_case(item, inputs.content(item))
    assert case.site == "Riverside, north"
    assert case.engagement is not None and case.engagement.level == "consult"
    assert case.cfir == {"innovation.complexity": -2}
    assert case.equity is not None and case.equity.priority_populations == ["uninsured adults", "Spanish speakers"]
    assert case.leadership is not None and case.leadership.transition is True


def test_csv_blank_cells_are_not_stated_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", HEADER + "r1,,,,,,,\n,,,,,,,\nr2,,exploration,,,mixed,,\n")
    items = list(inputs.items(inputs.plan([f])))
    assert [(i[2], i[3]) for i in items] == [(2, 1), (4, 2)]
    first = to_case(items[0], inputs.content(items[0]))
    assert first.facts() == {"case_id": "r1"}
    second = to_case(items[1], inputs.content(items[1]))
    assert second.cfir == {"innovation.complexity": "mixed"}


@pytest.mark.parametrize(
    "header, fragments",
    [
        ("case_id,engagement.levle\n", ["unknown column 'engagement.levle'", "did you mean 'engagement.level'?"]),
        ("case_id,innovation.complexity\n", ["did you mean 'cfir.innovation.complexity'?"]),
        ("case_id,colour\n", ["unknown column 'colour'", "see 'CSV input' in the README"]),
        ("site,stage\n", ["no case_id column"]),
        ("case_id,stage,stage\n", ["column 'stage' appears twice"]),
        ("case_id,,stage\n", ["column 2", "empty column name"]),
        ("", ["no header row"]),
    ],
)
def test_csv_header_problems_name_the_file_line_and_column(tmp_path: Path, header: str, fragments: list[str]) -> None:
    f = write(tmp_path / "bad.csv", header + "x\n" if header else "")
    with pytest.raises(UsageError) as err:
        inputs.plan([f])
    text = err.value.render()
    assert f"{f}:1" in text
    for fragment in fragments:
        assert fragment in text


def test_csv_row_with_wrong_cell_count_is_that_rows_error(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "case_id,stage\nr1,installation,extra\n")
    item = next(inputs.items(inputs.plan([f])))
    with pytest.raises(CaseError, match="row has 3 cells but the header has 2"):
        to_case(item, inputs.content(item))


def test_csv_row_value_errors_point_at_the_column(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", "case_id,engagement.level,cfir.innovation.complexity\nr1,consulted,5\n")
    item = next(inputs.items(inputs.plan([f])))
    with pytest.raises(CaseError) as err:
        to_case(item, inputs.content(item))
    fields = {p.field for p in err.value.problems}
    assert fields == {"engagement.level", "cfir.innovation.complexity"}
    assert all(p.line == 2 and p.file == str(f) for p in err.value.problems)


def test_non_utf8_csv_cell_is_reported_for_its_row(tmp_path: Path) -> None:
    f = write(tmp_path / "p.csv", b"case_id,site\nr1,caf\xe9\nr2,ok\n")
    items = list(inputs.items(inputs.plan([f])))
    with pytest.raises(CaseError, match="not UTF-8"):
        to_case(items[0], inputs.content(items[0]))
    assert to_case(items[1], inputs.content(items[1])).site == "ok"


def test_content_hash_changes_with_the_content_only(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", '{"case_id": "a"}\n{"case_id": "a"}\n{"case_id": "a", "stage": "installation"}\n')
    items = list(inputs.items(inputs.plan([a])))
    hashes = [inputs.content_hash(i, inputs.content(i)) for i in items]
    assert hashes[0] == hashes[1] != hashes[2]
