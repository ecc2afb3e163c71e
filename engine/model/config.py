"""How an engine is built, decided once and handed down.

The CLI builds one `EngineConfig` from its options (`--rules`, `--no-shipped`, `--matcher`, `-v`), the web
app builds its own, and a caller may build one directly; the library takes it as the `rules` argument
wherever a list of rule folders is accepted. It is plain, frozen and picklable, so batch workers (local
processes or Dask) receive it with their arguments: no option travels through environment variables or
module globals. The environment variables stay user settings ($ISP_ADVISOR_RULES, $ISP_ADVISOR_MATCHER),
read where the engine is built.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import msgspec


class EngineConfig(msgspec.Struct, frozen=True):
    rules: tuple[str, ...] = ()
    """Local rule folders, after the shipped packs and $ISP_ADVISOR_RULES (`--rules`, in order)."""
    shipped: bool = True
    """False with `--no-shipped`: only the local folders are loaded."""
    matcher: str | None = None
    """'durable' or 'python'; None: $ISP_ADVISOR_MATCHER, else durable_rules where installed."""
    verbose: bool = False
    """Say more on stderr (which matcher runs the rules and why)."""
    share: bool = True
    """Keep work shared across cases (engine/model/sharing.py); False computes every case afresh (the
    output is the same: a check, and a baseline for the benchmarks)."""


RulesArg = Sequence[str | os.PathLike[str]] | EngineConfig
"""What the library accepts as `rules`: rule folders, or a whole EngineConfig."""


def folders_of(rules: RulesArg, shipped: bool = True) -> tuple[tuple[str, ...], bool]:
    """The local rule folders and whether the shipped packs are loaded, from either form of `rules`."""
    if isinstance(rules, EngineConfig):
        return rules.rules, shipped and rules.shipped
    return tuple(os.fspath(r) for r in rules), shipped


def config_of(rules: RulesArg, shipped: bool = True, matcher: str | None = None) -> EngineConfig:
    """`rules` as an EngineConfig (`shipped` and `matcher` given here win over the config's defaults)."""
    if isinstance(rules, EngineConfig):
        return EngineConfig(
            rules.rules, shipped and rules.shipped, matcher or rules.matcher, rules.verbose, rules.share
        )
    return EngineConfig(tuple(os.fspath(r) for r in rules), shipped, matcher)
