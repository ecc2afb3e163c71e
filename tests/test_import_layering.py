"""Import layering: the package's sub-packages depend on each other one way, and what a module
loads when imported stays small.

engine/ is laid out by concept (docs/architecture.md): `model/` holds plain data, `io/` reads and
writes files, `rulepacks/` loads the rule language, `evaluation/` matches and explains, `plan/`
places recommendations, `assessments/`, `batch/`, `authoring/` and `practitioner/` build the
commands' work, and `render/` draws model data. Two rules are checked on the source (every import
statement, at module level, inside functions and under TYPE_CHECKING alike):

- `model/` imports only `model/` and `errors`;
- `render/` imports only `model/`, `errors` and `render/` (renderers see data only);

and, in a fresh interpreter:

- `import engine` loads no submodule (the public API is exported lazily), and every exported name
  still resolves to the object its module defines;
- no renderer, nor the `engine.render` dispatcher, nor the rule strata lint uses, loads the runner,
  the durable adapter or durable_rules.

Module names and public class names are unique across the package, and every sub-package is
listed in pyproject.toml (the list is explicit: a missing one would not be installed).
tests/test_schema.py checks the installed `isp-advisor --help` and `schema` commands likewise.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

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


ENGINE = ROOT / "engine"
RENDERERS = sorted(f"engine.render.{p.stem}" for p in (ENGINE / "render").glob("*.py") if p.stem != "__init__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def engine_imports(path: Path) -> set[str]:
    """Every engine module `path` imports (absolute or relative, anywhere in the file)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "engine"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                base = ".".join(pkg[:len(pkg) - node.level + 1] + ([node.module] if node.module else []))
            if base.split(".")[0] == "engine":
                out.add(base)
    return out


def allowed(module: str, prefixes: tuple[str, ...]) -> bool:
    return module in ("engine", "engine.errors") or module.startswith(prefixes)


@pytest.mark.parametrize(("layer", "may_import"), [
    ("model", ("engine.model",)),
    ("render", ("engine.model", "engine.render")),
])
def test_a_layer_imports_only_what_it_may(layer: str, may_import: tuple[str, ...]) -> None:
    files = sorted((ENGINE / layer).glob("*.py"))
    assert len(files) > 5  # the layer exists (the check below could not pass vacuously)
    wrong = {module_name(f): sorted(m for m in engine_imports(f) if not allowed(m, may_import)) for f in files}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_import_check_reads_real_imports() -> None:
    assert "engine.model.results" in engine_imports(ENGINE / "render" / "table.py")
    # a module outside the layers does import evaluation: the check would see it in a renderer
    assert "engine.evaluation.runner" in engine_imports(ENGINE / "batch" / "batchrun.py")
    assert not allowed("engine.evaluation.runner", ("engine.model", "engine.render"))


def test_module_and_class_names_are_unique_across_the_package() -> None:
    files = [p for p in ENGINE.rglob("*.py") if p.name != "__init__.py"]
    stems = Counter(p.stem for p in files)
    packages = {p.name for p in ENGINE.iterdir() if (p / "__init__.py").is_file()}
    assert [s for s, n in stems.items() if n > 1 or s in packages] == []
    classes = Counter(node.name for p in files for node in ast.parse(p.read_text()).body
                      if isinstance(node, ast.ClassDef) and not node.name.startswith("_"))
    assert [c for c, n in classes.items() if n > 1] == []


def test_every_sub_package_is_installed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {module_name(p.parent) for p in ENGINE.rglob("__init__.py")}
    assert found - listed == set()


@pytest.mark.parametrize("renderer", ["engine.render", *RENDERERS, "engine.rulepacks.strata"])
def test_renderers_and_strata_do_not_load_evaluation(renderer: str) -> None:
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


def test_help_loads_neither_pydantic_nor_the_case_model() -> None:
    modules = loaded_after("from click.testing import CliRunner; import cli; "
                           "assert 'Usage' in CliRunner().invoke(cli.main, ['--help']).output")
    assert "engine.render" in modules  # the format list was read (the check below could not pass vacuously)
    assert [m for m in modules if m.split(".")[0] == "pydantic" or m == "engine.model.case"] == []
