"""The `isp-advisor` process's end: `cli.run` (the console script) freezes what is alive so the interpreter's
last garbage collection does not walk the rule base; `cli.main`, called from Python, never does."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import gc, sys\n"
    "sys.path.insert(0, {root!r})\n"
    "import cli\n"
    "sys.argv = ['isp-advisor', *{args!r}]\n"
    "try:\n"
    "    cli.run()\n"
    "except SystemExit as exc:\n"
    "    print('exit', exc.code, 'frozen', gc.get_freeze_count() > 10000, file=sys.stderr)\n"
)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = PROBE.format(root=str(ROOT), args=args)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_the_console_script_is_run() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["isp-advisor"] == "cli:run"


def test_run_ends_with_the_rule_base_frozen_and_its_outputs_whole(tmp_path: Path) -> None:
    done = _run(["batch", str(ROOT / "cases" / "riverside-fqhc.yaml"), "--out", str(tmp_path / "out"), "--quiet"], ROOT)
    assert "exit 0 frozen True" in done.stderr, done.stderr
    manifest = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert (
        '"results.jsonl"' in manifest
        and (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").count("\n") == 1
    )


def test_run_freezes_after_an_error_too(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("case_id: x\nstage: instalation\n", encoding="utf-8")
    done = _run(["recommend", str(tmp_path / "bad.yaml")], tmp_path)
    assert "exit 2 frozen True" in done.stderr and "stage" in done.stderr


def test_main_from_python_freezes_nothing() -> None:
    before = gc.get_freeze_count()
    result = CliRunner().invoke(cli.main, ["recommend", str(ROOT / "cases" / "riverside-fqhc.yaml"), "-f", "json"])
    assert result.exit_code == 0 and '"case_id"' in result.output
    assert gc.get_freeze_count() == before


LOADED = (
    "import sys\n"
    "sys.path.insert(0, {root!r})\n"
    "import cli\n"
    "sys.argv = ['isp-advisor', *{args!r}]\n"
    "try:\n"
    "    cli.main()\n"
    "except SystemExit as exc:\n"
    "    names = ('multiprocessing', 'concurrent.futures.process', 'engine.batch.localpool')\n"
    "    print('exit', exc.code, 'pool', [m for m in names if m in sys.modules], file=sys.stderr)\n"
)


def _pool_loaded(args: list[str], cwd: Path) -> str:
    code = LOADED.format(root=str(ROOT), args=args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=300)
    return done.stderr


def test_a_small_batch_never_loads_the_worker_pool_and_a_large_one_does(tmp_path: Path) -> None:
    """A run with work for one worker only stays in this process without importing multiprocessing (about
    10 ms of a one-case batch's start-up); a run with chunks for two workers starts the pool."""
    one = str(ROOT / "cases" / "riverside-fqhc.yaml")
    said = _pool_loaded(["batch", one, "--out", str(tmp_path / "a"), "--jobs", "2", "--quiet"], tmp_path)
    assert "exit 0 pool []" in said, said
    many = tmp_path / "many"
    many.mkdir()
    text = (ROOT / "cases" / "riverside-fqhc.yaml").read_text(encoding="utf-8")
    for i in range(70):  # three chunks of 32
        (many / f"c{i:02d}.yaml").write_text(text.replace("case_id: riverside-fqhc", f"case_id: c{i:02d}"), "utf-8")
    said = _pool_loaded(["batch", str(many), "--out", str(tmp_path / "b"), "--jobs", "2", "--quiet"], tmp_path)
    assert "exit 0 pool ['multiprocessing', 'concurrent.futures.process', 'engine.batch.localpool']" in said, said
    assert (tmp_path / "b" / "results.jsonl").read_text(encoding="utf-8").count("\n") == 70
