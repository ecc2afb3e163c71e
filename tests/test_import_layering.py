"""Import layering: what a module loads when it is imported, measured in a fresh interpreter.

Issue 13 (section 6) wants renderers to import only the model and `errors`. That full rule waits
for the move into sub-packages (`model/`, `evaluation/`, `render/`, ...); today the flat renderers
still read plan, explain, vocabulary and friends, and three of them (render/whynot.py,
render/whatif.py, render/authoring.py) load the runner through what they import. So this file
encodes what already holds and must keep holding:

- `import engine` loads no submodule (the public API is exported lazily), and every exported name
  still resolves to the object its module defines;
- the renderers of the plain formats (table, markdown, html, json) and the `engine.render`
  dispatcher never load the runner, the durable adapter or durable_rules.

tests/test_schema.py checks the same for the installed `isp-advisor --help` and `schema` commands.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EVALUATION = ("engine.evaluation.runner", "engine.evaluation.durablematcher")
"""Modules that belong to evaluation; a renderer of plain formats has no business loading them."""


def loaded_after(statement: str) -> list[str]:
    """The modules loaded by `statement` in a fresh interpreter (run from the project's root)."""
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    modules: list[str] = json.loads(out.stdout.splitlines()[-1])
    return modules


def evaluation_modules(modules: list[str]) -> list[str]:
    """The runner, the durable adapter and anything of durable_rules among `modules`."""
    return [m for m in modules if m in EVALUATION or m.split(".")[0] in ("durable", "durable_rules_engine")]


@pytest.mark.parametrize("renderer", ["engine.render", "engine.render.table", "engine.render.markdown",
                                      "engine.render.html", "engine.render.jsonout"])
def test_plain_format_renderers_do_not_load_evaluation(renderer: str) -> None:
    modules = loaded_after(f"import {renderer}")
    assert renderer in modules  # the import happened (the check below could not pass vacuously)
    assert evaluation_modules(modules) == [], f"{renderer} loads the runner or durable_rules"


def test_importing_the_package_loads_no_submodule() -> None:
    modules = loaded_after("import engine; assert engine.__version__")
    assert "engine" in modules
    assert [m for m in modules if m.startswith("engine.")] == []


def test_the_lazy_api_resolves_every_name_to_its_defining_module() -> None:
    import engine
    from engine import Engine, load_case, load_engine
    from engine.evaluation.runner import Engine as RunnerEngine
    from engine.evaluation.runner import load_engine as runner_load_engine
    from engine.io.caseload import load_case as case_load_case

    assert (Engine, load_case, load_engine) == (RunnerEngine, case_load_case, runner_load_engine)
    assert set(engine.__all__) == {"__version__", *engine._EXPORTS}
    for name in engine.__all__:
        value = getattr(engine, name)
        if name != "__version__":
            assert getattr(sys.modules[f"engine.{engine._EXPORTS[name]}"], name) is value, name
    assert set(engine.__all__) <= set(dir(engine))


def test_an_unknown_name_is_an_attribute_error() -> None:
    import engine

    with pytest.raises(AttributeError, match="has no attribute 'load_cases'"):
        engine.load_cases  # noqa: B018
    with pytest.raises(ImportError, match="load_cases"):
        exec("from engine import load_cases", {})


def test_star_import_gives_the_public_api() -> None:
    namespace: dict[str, object] = {}
    exec("from engine import *", namespace)
    assert {"load_case", "load_engine", "Engine", "Result", "UsageError", "__version__"} <= set(namespace)
