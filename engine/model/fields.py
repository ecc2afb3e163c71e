"""The case fields, declared once: how each is asked, explained, labelled, read from CSV and documented.

Every field of the case file (apart from the CFIR ratings, the groups' perspectives and the plan's own
ratings and outcomes, which have their own declarations) is one `CaseField` here, in the order the
interview asks it and the report shows it. The interview's questions, the `?` help (the glossary),
the CSV reader's columns and did-you-mean, the report's "case in full", the case model's field
descriptions (and so its JSON Schema) and the docs' field table (docs/case-fields.md) are all made
from it; tests/test_fields.py walks it against each of them and fails on drift.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from engine.model import sitevocab as sv

FieldKind = Literal["id", "text", "choice", "bool", "list", "count", "date", "people", "tags", "events", "assets"]


class FieldSection(msgspec.Struct, frozen=True):
    key: str
    title: str
    intro: str = ""


class CaseField(msgspec.Struct, frozen=True):
    """One case field: its path in the case file and everything said about it."""

    path: str
    label: str
    """Its name in reports and CSV headers' did-you-mean (the report's "case in full")."""
    kind: FieldKind
    prompt: str
    """The interview's question ("" for a field the interview does not ask, e.g. case_id asked apart)."""
    help: str
    """What `?` prints and the glossary says: what the field means, in a practitioner's words."""
    section: str
    quick: bool = False
    """Whether `interview --quick` asks it."""
    csv: bool = True
    """Whether a CSV column may give it (records such as people are YAML/JSON only)."""


SECTIONS: tuple[FieldSection, ...] = (
    FieldSection("site", "Site and innovation"),
    FieldSection("challenge", "The challenge", "Is the main challenge technical or adaptive?"),
    FieldSection(
        "engagement",
        "Community engagement",
        "Where the community stands on the Spectrum of Community Engagement to Ownership:",
    ),
    FieldSection("power", "Power and trust"),
    FieldSection("capacity", "Capacity", "How strong each kind of capacity is (? explains each):"),
    FieldSection("leadership", "Leadership"),
    FieldSection("equity", "Equity"),
    FieldSection("cfir", "CFIR 2.0 ratings", "Domain by domain (the CFIR vocabulary declares the constructs)."),
    FieldSection(
        "people",
        "People, problem, events and strengths",
        "Who is involved, what the problem is, what happened or will happen, and what the site can build on:",
    ),
    FieldSection("scope", "Scope and levels", "How far the work reaches, and capacity at each level of the system:"),
    FieldSection("assessment", "This assessment", "When it was made and by whom:"),
    FieldSection("notes", "Notes"),
)

_LEVELS = "low/moderate/high"

FIELDS: tuple[CaseField, ...] = (
    CaseField(
        "case_id",
        "Case id",
        "id",
        "",
        "A short name for this case, used for the file name and in reports: "
        "letters, digits, '-' and '_' (e.g. riverside-fqhc).",
        "site",
    ),
    CaseField(
        "site",
        "Site",
        "text",
        "Site (organisation or team)",
        "The organisation, team or community where the work happens, as you would name it in a report.",
        "site",
        quick=True,
    ),
    CaseField(
        "innovation",
        "Innovation",
        "text",
        "Innovation (what is being implemented)",
        "What is being put in place: the program, practice, policy or tool, in a few words.",
        "site",
        quick=True,
    ),
    CaseField(
        "setting",
        "Setting",
        "choice",
        "Setting",
        "The kind of organisation or community the site is. Some rules apply only to one kind.",
        "site",
    ),
    CaseField(
        "stage",
        "Stage",
        "choice",
        "Implementation stage",
        "Where the site is in putting the innovation in place (the implementation stages):",
        "site",
        quick=True,
    ),
    CaseField(
        "challenge.type",
        "Challenge type",
        "choice",
        "Challenge type",
        "Whether the main challenge has a known fix (technical) or asks people to change how they work "
        "together, their values or power (adaptive):",
        "challenge",
        quick=True,
    ),
    CaseField(
        "challenge.summary",
        "Challenge",
        "text",
        "In a sentence, the challenge",
        "The main challenge in your own words, one sentence. It is shown in the plan and its words may "
        "raise questions about facts the case does not state (the problem tags, below, are what rules read).",
        "challenge",
    ),
    CaseField(
        "engagement.level",
        "Community engagement now",
        "choice",
        "Engagement now",
        "How far the community is engaged today, on the Spectrum of Community Engagement to Ownership:",
        "engagement",
        quick=True,
    ),
    CaseField(
        "engagement.target",
        "Community engagement wanted",
        "choice",
        "Engagement wanted",
        "How far the site wants (or has agreed) to go on the same spectrum:",
        "engagement",
        quick=True,
    ),
    CaseField(
        "power.differential",
        "Power differential",
        "choice",
        f"Power differential between decision makers and the community ({_LEVELS})",
        "How unequal power is between the people who decide and the people affected: low, moderate or high.",
        "power",
        quick=True,
    ),
    CaseField(
        "power.decision_making",
        "Decision making",
        "choice",
        "Who makes the decisions",
        "Who actually makes the decisions about the work:",
        "power",
        quick=True,
    ),
    CaseField(
        "relationships.trust",
        "Trust",
        "choice",
        f"Trust between the site, partners and community ({_LEVELS})",
        "How much the site, its partners and the community trust each other today: low, moderate or high.",
        "power",
        quick=True,
    ),
    CaseField(
        "capacity.intervention_specific",
        "Intervention-specific capacity",
        "choice",
        f"Intervention/approach-specific capacity ({_LEVELS})",
        "Skills, knowledge and resources for this particular innovation.",
        "capacity",
        quick=True,
    ),
    CaseField(
        "capacity.general",
        "General capacity",
        "choice",
        f"General capacity ({_LEVELS})",
        "The organisation's overall functioning: leadership, staffing, infrastructure, climate.",
        "capacity",
        quick=True,
    ),
    CaseField(
        "capacity.analytic",
        "Analytic capacity",
        "choice",
        f"Analytic capacity ({_LEVELS})",
        "Using data: collecting, making sense of and acting on it.",
        "capacity",
        quick=True,
    ),
    CaseField(
        "capacity.adaptive",
        "Adaptive capacity",
        "choice",
        f"Adaptive capacity ({_LEVELS})",
        "Learning and adjusting when things change.",
        "capacity",
        quick=True,
    ),
    CaseField(
        "leadership.transition",
        "Leadership transition under way",
        "bool",
        "Is a leadership transition under way? (y/n)",
        "Whether a key leader is leaving, arriving or changing role, now or soon. Name the person under "
        "People, with status leaving and their last day, and the plan will name them.",
        "leadership",
    ),
    CaseField(
        "leadership.emerging_leaders",
        "Emerging leaders cultivated",
        "bool",
        "Are emerging leaders being cultivated? (y/n)",
        "Whether new leaders (staff or community members) are being developed on purpose.",
        "leadership",
    ),
    CaseField(
        "equity.priority_populations",
        "Priority populations",
        "list",
        "Priority populations (separate with ;)",
        "The groups the work must reach or serve well, for example 'Spanish-speaking patients; uninsured "
        "adults'. Separate them with ';'.",
        "equity",
        quick=True,
    ),
    CaseField(
        "equity.disparities_identified",
        "Disparities identified",
        "bool",
        "Have disparities been identified? (y/n)",
        "Whether differences in access, experience or outcomes between groups have been found (in data or "
        "by the people affected).",
        "equity",
        quick=True,
    ),
    CaseField(
        "equity.structural_racism_acknowledged",
        "Structural racism acknowledged",
        "bool",
        "Is structural racism acknowledged? (y/n)",
        "Whether the site's leaders name structural racism as part of what produces the differences, openly "
        "and in the work.",
        "equity",
        quick=True,
    ),
    CaseField(
        "equity.community_defined_evidence",
        "Community-defined evidence used",
        "bool",
        "Is community-defined evidence used? (y/n)",
        "Whether practices the community itself knows to work, with or without formal studies, count as "
        "evidence in the work.",
        "equity",
    ),
    CaseField(
        "equity.cultural_adaptation",
        "Cultural adaptation",
        "choice",
        "Cultural adaptation",
        "Whether the innovation has been adapted to the cultures of the people it serves:",
        "equity",
    ),
    CaseField(
        "equity.tribal_sovereignty",
        "Under a Tribal Nation's authority",
        "bool",
        "Does the work fall under a Tribal Nation's authority (its approvals and data governance)? (y/n)",
        "Whether the work happens under the authority of a sovereign Tribal Nation's government, so that its "
        "approvals and data governance apply. Left blank, it is asked about, never read as no.",
        "equity",
    ),
    CaseField(
        "people",
        "People",
        "people",
        "Who is involved? (role: group, separated by ;  e.g. 'medical director: leadership; care managers: "
        "frontline_staff')",
        "The people involved, each as 'role: group' (a name may go first: 'Dr. Ortiz, medical director: "
        "leadership'). Groups: " + ", ".join(sv.PEOPLE_GROUPS) + ". Stance, status (leaving) and dates are "
        "kept in the case file: edit it to add them. The plan names the people listed here.",
        "people",
        csv=False,
    ),
    CaseField(
        "problem.tags",
        "Problem",
        "tags",
        "What is the problem about? (tags, separated by ;  ? lists them)",
        "What the stated problem is about, as tags: " + ", ".join(sv.PROBLEM_TAGS) + ". Each tag stated gets "
        "an item that works on it.",
        "people",
    ),
    CaseField(
        "events",
        "Events",
        "events",
        "What happened or will happen? (kind YYYY-MM-DD, separated by ;  e.g. 'launch 2026-04-01')",
        "Dated events, each as 'kind YYYY-MM-DD'. Kinds: " + ", ".join(sv.EVENT_KINDS) + ". A critical "
        "incident in the last 30 days puts care for the people first.",
        "people",
        csv=False,
    ),
    CaseField(
        "assets",
        "Strengths",
        "assets",
        "What can the work build on? (kind: words, separated by ;  e.g. 'existing_meeting: Monday huddle')",
        "Strengths to build on, each as 'kind: the site's words'. Kinds: " + ", ".join(sv.ASSET_KINDS) + ".",
        "people",
        csv=False,
    ),
    CaseField(
        "scope.sites",
        "Number of sites",
        "count",
        "How many sites does the work span? (a number, 1 = one site)",
        "How many sites the work spans; two or more call for support to the sites together as well.",
        "scope",
    ),
    *(
        CaseField(
            f"capacity_levels.{lvl}",
            f"Capacity at the {lvl} level",
            "choice",
            f"Capacity at the {lvl} level ({_LEVELS})",
            f"How strong capacity is at the {lvl} level of the system (the ISP Profile asks for all types of "
            "capacity at all levels: individual, organization, network, system).",
            "scope",
        )
        for lvl in ("individual", "organization", "network", "system")
    ),
    CaseField(
        "assessed_on",
        "Assessed on",
        "date",
        "Date of this assessment (YYYY-MM-DD)",
        "When the facts in this case were gathered. Days since events and until people leave are counted "
        "from it; a later assessment of the same site is compared with it.",
        "assessment",
    ),
    CaseField(
        "assessed_by",
        "Assessed by",
        "list",
        "Who made the assessment (roles or groups; separate with ;)",
        "The people or groups whose view this case records, e.g. 'ISP; clinic manager'.",
        "assessment",
    ),
    CaseField(
        "notes",
        "Notes",
        "text",
        "Anything else to note",
        "Anything else worth keeping with the case: who you met, when, what to check next. Its words may "
        "raise questions about facts the case does not state.",
        "notes",
    ),
)

BY_PATH: dict[str, CaseField] = {f.path: f for f in FIELDS}

OWN_DECLARATIONS: tuple[str, ...] = ("cfir", "perspectives", "ratings", "outcomes")
"""Case keys declared elsewhere: CFIR ratings (the CFIR vocabulary), perspectives (the groups' views), the
plan's go-zone ratings and outcomes (docs/plan-spec.md)."""


def describe(path: str) -> str:
    """A field's help text (the case model's descriptions, so the JSON Schema says the same)."""
    return BY_PATH[path].help


def csv_columns() -> tuple[str, ...]:
    """The case paths a CSV column may name (besides `cfir.<id>`), in the registry's order."""
    return tuple(f.path for f in FIELDS if f.csv)
