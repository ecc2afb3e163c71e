"""Shared fixtures: the checkout on sys.path, a CliRunner, engines on the fixture packs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _private_rule_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's rule cache."""
    import os

    os.environ["ISP_ADVISOR_CACHE"] = str(tmp_path_factory.mktemp("rule-cache"))


CASES = ROOT / "cases"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def basic_engine():  # type: ignore[no-untyped-def]
    from engine import load_engine

    return load_engine([FIXTURES / "basic"], shipped=False)


@pytest.fixture(scope="session")
def shipped_engine():  # type: ignore[no-untyped-def]
    from engine import load_engine

    return load_engine()
