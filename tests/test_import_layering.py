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
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([node.module] if node.module else []))
            if base.split(".")[0] == "engine":
                out.add(base)
    return out


def allowed(module: str, prefixes: tuple[str, ...]) -> bool:
    return module in ("engine", "engine.errors") or module.startswith(prefixes)


@pytest.mark.parametrize(
    ("layer", "may_import"),
    [
        ("model", ("engine.model",)),
        ("render", ("engine.model", "engine.render")),
    ],
)
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
    classes = Counter(
        node.name
        for p in files
        for node in ast.parse(p.read_text()).body
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
    )
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
    modules = loaded_after(
        "from click.testing import CliRunner; import cli; "
        "assert 'Usage' in CliRunner().invoke(cli.main, ['--help']).output"
    )
    assert "engine.render" in modules  # the format list was read (the check below could not pass vacuously)
    assert [m for m in modules if m.split(".")[0] == "pydantic" or m == "engine.model.case"] == []


# ------------------------------------------------------------------ the declared order (issue 24)

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "errorcodes"),
    ("model",),
    ("io",),
    ("rulepacks",),
    ("plan",),
    ("evaluation",),
    ("assessments",),
    ("render",),
    ("authoring", "batch", "practitioner"),
)
"""The sub-packages, lowest first (docs/architecture.md): a module imports only from its own layer or a
lower one, at module level, inside functions and under TYPE_CHECKING alike. cli.py and webapp/ sit on top."""

RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def all_imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Every engine module `path` imports (names imported from a package count as its modules);
    with `runtime_only`, imports under `if TYPE_CHECKING:` are left out."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(n) for b in node.body for n in ast.walk(b)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("engine.")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([node.module] if node.module else []))
            if base.startswith("engine."):
                out.add(base)
                out |= {f"{base}.{a.name}" for a in node.names}
    return out


def test_every_sub_package_is_in_the_declared_order() -> None:
    found = {p.name for p in ENGINE.iterdir() if (p / "__init__.py").is_file()}
    found |= {p.stem for p in ENGINE.glob("*.py") if p.stem != "__init__"}
    assert found == set(RANK), "a sub-package missing from LAYERS (or listed and gone)"


def test_no_module_imports_from_a_higher_layer() -> None:
    wrong = []
    for f in sorted(ENGINE.rglob("*.py")):
        me = _layer(module_name(f))
        if me not in RANK:  # engine/__init__.py: the lazy public API
            continue
        for m in sorted(all_imports(f)):
            them = _layer(m)
            if them in RANK and RANK[them] > RANK[me]:
                wrong.append(f"{module_name(f)} -> {m}")
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    """Runtime imports (module level or inside functions) form no cycle between modules."""
    modules = {module_name(f): f for f in ENGINE.rglob("*.py")}
    graph = {
        name: {m for m in all_imports(f, runtime_only=True) if m in modules and m not in (name, "engine")}
        for name, f in modules.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert cycles == []
