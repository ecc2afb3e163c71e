"""The site's own vocabularies: people groups, stances, statuses, problem tags, event and asset kinds.

Declared once, as data, in engine/data/site_vocabulary.yaml (ids with one-line definitions); the case
model, the fact schema, the placeholders, the cue lexicon and the docs all read them from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "site_vocabulary.yaml"


def _load() -> dict[str, Any]:
    with VOCABULARY_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


_DATA = _load()

PEOPLE_GROUPS: dict[str, str] = {k: v["definition"] for k, v in _DATA["people_groups"].items()}
"""People group id -> its definition."""

GROUP_PERSPECTIVE: dict[str, str] = {k: v["perspective"] for k, v in _DATA["people_groups"].items()}
"""People group id -> the perspective group (case.perspectives[].group) whose view it belongs to."""

STANCES: dict[str, str] = dict(_DATA["stances"])
STATUSES: dict[str, str] = dict(_DATA["statuses"])
PROBLEM_TAGS: dict[str, str] = dict(_DATA["problem_tags"])
EVENT_KINDS: dict[str, str] = dict(_DATA["event_kinds"])
ASSET_KINDS: dict[str, str] = dict(_DATA["asset_kinds"])

VOCABULARIES: dict[str, dict[str, str]] = {
    "people group": PEOPLE_GROUPS,
    "stance": STANCES,
    "status": STATUSES,
    "problem tag": PROBLEM_TAGS,
    "event kind": EVENT_KINDS,
    "asset kind": ASSET_KINDS,
}
"""Each vocabulary by the name used in messages and docs."""

LEADING_GROUPS: tuple[str, ...] = ("leadership", "sponsor", "champion")
"""The groups whose member leaving makes a leadership transition (the transition item fires)."""

MAX_PEOPLE = 500
"""People one case may list (more is refused at load: no site names more, and counts stay small)."""

MAX_EVENTS = 200
MAX_ASSETS = 200

MAX_DAYS = 3660
"""Day counts are capped at ten years: an event longer ago (or further ahead) reads as 3,660 days."""

PROTECTIVE_PATHS: tuple[str, ...] = ("equity.tribal_sovereignty", "events.critical_incident")
"""Facts whose absence is never read as "no": when a case leaves one unstated and its own words cue it,
the question is asked and the items that wait for it (`waits_for`) leave the plan until it is answered."""
