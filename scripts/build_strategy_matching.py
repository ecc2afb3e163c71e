"""Generate rules/strategy_matching.yaml: CFIR 2.0 barriers -> ERIC strategies.

    python scripts/build_strategy_matching.py                  # rewrite rules/strategy_matching.yaml
    python scripts/build_strategy_matching.py --found FILE     # also use sourced figures from a research YAML
                                                               # (pairs: [{barrier, strategy, pct, source}])

Inputs, all in this file:
- PUBLISHED: CFIR-ERIC endorsement figures (% of experts, Waltz et al. 2019, Implementation Science 14:42; the
  CFIR-ERIC Matching Tool output reproduced in Allen et al. 2023, Implementation Science Communications 4:122,
  Table 3). Only figures >= 20% (Level 1 and 2) with a named source. Never add a figure without a source.
- XWALK: which CFIR 2.0 ids each CFIR 1.0 barrier's figures are applied to (our crosswalk).
- J: reasoned matches for CFIR 2.0 ids with no recovered figure (the ISP Advisor authors' judgement).
- S: each ERIC strategy's display name, this-month actions and ISP competencies.
The YAML is what ships; review `git diff rules/strategy_matching.yaml` after regenerating, then run
scripts/update_golden.py if outputs changed on purpose.
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "rules" / "strategy_matching.yaml"

from engine import vocabulary as v  # noqa: E402

# CFIR 1.0 barrier, ERIC strategy, % of experts, where the figure was read
PUBLISHED = [
    (
        "Reflecting & Evaluating",
        "develop_and_implement_tools_for_quality_monitoring",
        60,
        "Waltz 2019 Table 1 (W19-T1)",
    ),
    ("Reflecting & Evaluating", "audit_and_provide_feedback", 56, "Waltz 2019 Table 1 (W19-T1)"),
    ("Adaptability", "promote_adaptability", 73, "Allen 2023 s43058-023-00500-9 Table 3 (A23-T3), tool output"),
    ("Patient Needs & Resources", "involve_patients_consumers_and_family_members", 71, "A23-T3"),
    (
        "Planning",
        "develop_a_formal_implementation_blueprint",
        73,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Planning",
        "conduct_local_needs_assessment",
        50,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Formally Appointed Internal Implementation Leaders",
        "identify_and_prepare_champions",
        64,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Key Stakeholders",
        "identify_and_prepare_champions",
        63,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Organizational Incentives & Rewards",
        "alter_incentive_allowance_structures",
        71,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Networks & Communications",
        "promote_network_weaving",
        57,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    (
        "Networks & Communications",
        "organize_clinician_implementation_team_meetings",
        52,
        "Waltz 2019 Table 5 (as recorded in shared/reference/cfir_eric.yaml)",
    ),
    ("Reflecting & Evaluating", "develop_and_organize_quality_monitoring_systems", 40, "W19-T1"),
    ("Reflecting & Evaluating", "facilitate_relay_of_clinical_data_to_providers", 36, "W19-T1"),
    ("Reflecting & Evaluating", "obtain_and_use_patients_consumers_and_family_feedback", 28, "W19-T1"),
    ("Reflecting & Evaluating", "organize_clinician_implementation_team_meetings", 28, "W19-T1"),
    ("Reflecting & Evaluating", "purposely_reexamine_the_implementation", 28, "W19-T1"),
    ("Reflecting & Evaluating", "use_data_experts", 28, "W19-T1"),
    ("Reflecting & Evaluating", "capture_and_share_local_knowledge", 24, "W19-T1"),
    ("Reflecting & Evaluating", "facilitation", 20, "W19-T1"),
    ("Adaptability", "tailor_strategies", 35, "A23-T3"),
    ("Adaptability", "capture_and_share_local_knowledge", 35, "A23-T3"),
    ("Adaptability", "conduct_local_consensus_discussions", 31, "A23-T3"),
    ("Adaptability", "identify_early_adopters", 27, "A23-T3"),
    ("Adaptability", "facilitation", 27, "A23-T3"),
    ("Adaptability", "identify_and_prepare_champions", 23, "A23-T3"),
    ("Complexity", "promote_adaptability", 40, "A23-T3"),
    ("Complexity", "identify_and_prepare_champions", 30, "A23-T3"),
    ("Complexity", "tailor_strategies", 27, "A23-T3"),
    ("Complexity", "capture_and_share_local_knowledge", 27, "A23-T3"),
    ("Complexity", "model_and_simulate_change", 27, "A23-T3"),
    ("Complexity", "identify_early_adopters", 20, "A23-T3"),
    ("Complexity", "organize_clinician_implementation_team_meetings", 20, "A23-T3"),
    ("Complexity", "facilitation", 20, "A23-T3"),
    ("Patient Needs & Resources", "prepare_patients_consumers_to_be_active_participants", 48, "A23-T3"),
    ("Patient Needs & Resources", "conduct_local_consensus_discussions", 29, "A23-T3"),
    ("Patient Needs & Resources", "use_advisory_boards_and_workgroups", 29, "A23-T3"),
    ("Patient Needs & Resources", "intervene_with_patients_consumers_to_enhance_uptake_and_adherence", 24, "A23-T3"),
    ("Compatibility", "promote_adaptability", 45, "A23-T3"),
    ("Compatibility", "conduct_local_consensus_discussions", 41, "A23-T3"),
    ("Compatibility", "tailor_strategies", 38, "A23-T3"),
    ("Compatibility", "facilitation", 24, "A23-T3"),
    ("Compatibility", "identify_and_prepare_champions", 21, "A23-T3"),
    ("Compatibility", "build_a_coalition", 21, "A23-T3"),
    ("Self-efficacy", "model_and_simulate_change", 33, "A23-T3"),
    ("Self-efficacy", "identify_and_prepare_champions", 30, "A23-T3"),
    ("Self-efficacy", "facilitation", 22, "A23-T3"),
    ("Self-efficacy", "provide_local_technical_assistance", 22, "A23-T3"),
]

# ERIC strategy -> (display name, actions this month, ISP competencies)
S = {
    "develop_and_implement_tools_for_quality_monitoring": (
        "Develop and implement tools for quality monitoring",
        [
            "Agree three to five quality indicators for the innovation with the team and build a one-page monthly tracking sheet.",
            "Pilot the sheet for one month and fix what is hard to fill in.",
        ],
        ["improvement_cycles"],
    ),
    "audit_and_provide_feedback": (
        "Audit and provide feedback",
        [
            "Pull one month of performance data on a key practice and share it with the people delivering it, by team or clinic.",
            "Pair every feedback report with a short discussion of one thing to try next month.",
        ],
        ["improvement_cycles"],
    ),
    "develop_and_organize_quality_monitoring_systems": (
        "Develop and organize quality monitoring systems",
        [
            "Map where the data the team needs are collected, who owns them and how often they are reported.",
            "Set a regular reporting cycle and a named owner for the quality data.",
        ],
        ["improvement_cycles", "build_capacity"],
    ),
    "facilitate_relay_of_clinical_data_to_providers": (
        "Facilitate relay of data to the people delivering the innovation",
        [
            "Get the data that matter (for example who missed follow-up) to front-line staff within days, in the tool they already use."
        ],
        ["improvement_cycles", "brokering"],
    ),
    "obtain_and_use_patients_consumers_and_family_feedback": (
        "Obtain and use feedback from recipients and families",
        [
            "Ask a small group of recipients and family members for feedback on their experience this month, in their language and setting.",
            "Report back what was changed as a result.",
        ],
        ["co_design", "improvement_cycles"],
    ),
    "organize_clinician_implementation_team_meetings": (
        "Organize implementation team meetings",
        [
            "Set a protected 30-45 minute implementation team meeting every two weeks with a fixed agenda: data, problems, decisions, owners."
        ],
        ["facilitation"],
    ),
    "purposely_reexamine_the_implementation": (
        "Purposely reexamine the implementation",
        [
            "Schedule a review point in the next month to compare the plan with what is actually happening, and decide what to change."
        ],
        ["improvement_cycles"],
    ),
    "use_data_experts": (
        "Use data experts",
        [
            "Bring in a data analyst (internal or from a partner) for a few hours to set up the key reports with the team."
        ],
        ["improvement_cycles", "brokering"],
    ),
    "capture_and_share_local_knowledge": (
        "Capture and share local knowledge",
        [
            "Interview two people or teams for whom the innovation is working and share how they made it work, in their words."
        ],
        ["co_learning", "brokering"],
    ),
    "facilitation": (
        "Facilitation",
        [
            "Agree with the team a regular, structured problem-solving session led by a trained facilitator (internal or external)."
        ],
        ["facilitation", "tailored_support"],
    ),
    "develop_a_formal_implementation_blueprint": (
        "Develop a formal implementation blueprint",
        [
            "Write a short blueprint with the team: aims, scope, timeline and milestones, roles, and how progress will be measured.",
            "Review it with leaders and partners and set a date to update it.",
        ],
        ["apply_implementation_science"],
    ),
    "conduct_local_needs_assessment": (
        "Conduct a local needs assessment",
        [
            "Gather existing data and talk with recipients and staff to confirm the need the innovation is meant to meet, and for whom."
        ],
        ["assess_need_and_context"],
    ),
    "identify_and_prepare_champions": (
        "Identify and prepare champions",
        [
            "Ask the team who is already enthusiastic and respected, invite one or two of them to champion the work, and agree what that means in hours and tasks.",
            "Give champions a short preparation session and a regular check-in.",
        ],
        ["cultivate_leadership"],
    ),
    "alter_incentive_allowance_structures": (
        "Alter incentive and allowance structures",
        [
            "Work with leaders to identify one incentive (recognition, protected time, performance targets, pay) that can reward doing the innovation well, and change it."
        ],
        ["build_capacity"],
    ),
    "promote_network_weaving": (
        "Promote network weaving",
        [
            "Map who works with whom on the innovation and broker at least two new working connections across groups this month."
        ],
        ["brokering", "grow_relationships"],
    ),
    "promote_adaptability": (
        "Promote adaptability",
        [
            "Separate the innovation's core components from the parts that can be adapted, in writing, with the developer's guidance if available.",
            "Agree with the team how local adaptations are proposed, tested and recorded.",
        ],
        ["co_design"],
    ),
    "tailor_strategies": (
        "Tailor strategies",
        [
            "Review the current implementation strategies against this site's main barriers and change at least one that does not fit."
        ],
        ["tailored_support", "apply_implementation_science"],
    ),
    "conduct_local_consensus_discussions": (
        "Conduct local consensus discussions",
        [
            "Hold a facilitated discussion with staff and partners on whether the problem matters here and whether this innovation is the right response."
        ],
        ["facilitation", "co_learning"],
    ),
    "identify_early_adopters": (
        "Identify early adopters",
        ["Find the staff or units who want to start first, support them closely, and let others see what they learn."],
        ["cultivate_leadership"],
    ),
    "model_and_simulate_change": (
        "Model and simulate change",
        [
            "Run a walk-through or role-play of the new way of working before it goes live, and fix what the simulation exposes."
        ],
        ["build_capacity", "co_design"],
    ),
    "involve_patients_consumers_and_family_members": (
        "Involve recipients and family members",
        [
            "Recruit recipients and family members (paid for their time) to help shape the innovation and its implementation, with a real role in decisions."
        ],
        ["address_power_differentials", "co_design"],
    ),
    "prepare_patients_consumers_to_be_active_participants": (
        "Prepare recipients to be active participants",
        [
            "Give recipients short, accessible information on what the innovation offers and what questions to ask, through channels they trust."
        ],
        ["co_design"],
    ),
    "use_advisory_boards_and_workgroups": (
        "Use advisory boards and workgroups",
        [
            "Set up or refresh a workgroup that includes recipients and front-line staff, with a clear remit and a link to decision-makers."
        ],
        ["address_power_differentials", "facilitation"],
    ),
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": (
        "Intervene with recipients to enhance uptake and adherence",
        [
            "Find out with recipients why some do not start or drop out, and add one practical support (reminders, transport, flexible times)."
        ],
        ["co_design"],
    ),
    "build_a_coalition": (
        "Build a coalition",
        [
            "Bring together the organizations affected by the same barrier and agree one shared goal and one joint action."
        ],
        ["brokering", "grow_relationships"],
    ),
    "provide_local_technical_assistance": (
        "Provide local technical assistance",
        [
            "Offer hands-on, on-site technical help on the specific task people are stuck on, scheduled around their work."
        ],
        ["tailored_support"],
    ),
    "inform_local_opinion_leaders": (
        "Inform local opinion leaders",
        [
            "Identify the two or three people others listen to and brief them personally on the innovation and what it asks of people."
        ],
        ["brokering"],
    ),
    "visit_other_sites": (
        "Visit other sites",
        [
            "Arrange a visit (in person or online) to a site that has implemented the innovation well, with a list of questions prepared by the team."
        ],
        ["co_learning"],
    ),
    "conduct_educational_meetings": (
        "Conduct educational meetings",
        [
            "Hold a short meeting for the people concerned on the evidence for the innovation and what it means for their work, with time for questions."
        ],
        ["build_capacity"],
    ),
    "conduct_cyclical_small_tests_of_change": (
        "Conduct cyclical small tests of change",
        [
            "Choose one piece of the innovation to try with a few people for two weeks, study the result, and adjust (plan-do-study-act)."
        ],
        ["improvement_cycles"],
    ),
    "stage_implementation_scale_up": (
        "Stage implementation scale-up",
        ["Start with one unit or group, set criteria for moving on, and expand in planned steps."],
        ["apply_implementation_science"],
    ),
    "develop_educational_materials": (
        "Develop educational materials",
        ["Produce short, plain guides and job aids for the innovation with the people who will use them."],
        ["build_capacity"],
    ),
    "access_new_funding": (
        "Access new funding",
        [
            "List funding sources that match the innovation (grants, contracts, reimbursement) and assign someone to pursue the best two this quarter."
        ],
        ["brokering"],
    ),
    "make_billing_easier": (
        "Make billing easier",
        ["Work with finance staff to simplify how the innovation's services are recorded and billed."],
        ["build_capacity"],
    ),
    "use_other_payment_schemes": (
        "Use other payment schemes",
        [
            "Explore with funders alternative payment arrangements (bundled, value-based, braided funding) that would cover the innovation."
        ],
        ["brokering"],
    ),
    "fund_and_contract_for_the_clinical_innovation": (
        "Fund and contract for the innovation",
        ["Ask the funder or purchaser to write the innovation into contracts or funding agreements."],
        ["brokering"],
    ),
    "develop_resource_sharing_agreements": (
        "Develop resource-sharing agreements",
        ["Agree with a partner organization to share staff, space, equipment or data, in writing."],
        ["brokering"],
    ),
    "change_service_sites": (
        "Change service sites",
        [
            "Consider delivering the innovation where people already are (community centres, schools, homes) and test one new site."
        ],
        ["co_design"],
    ),
    "obtain_formal_commitments": (
        "Obtain formal commitments",
        ["Ask leaders and partners for a written commitment of time, staff or resources for the next year."],
        ["grow_relationships"],
    ),
    "involve_executive_boards": (
        "Involve executive boards",
        ["Put the innovation on the board's agenda with a short briefing and a specific request."],
        ["cultivate_leadership"],
    ),
    "use_mass_media": (
        "Use mass media",
        ["Work with local media or community channels to share stories of the innovation's benefits."],
        ["brokering"],
    ),
    "increase_demand": (
        "Increase demand",
        ["Tell potential recipients, through trusted messengers, what the innovation offers and how to get it."],
        ["brokering"],
    ),
    "revise_professional_roles": (
        "Revise professional roles",
        [
            "Review job descriptions and workloads so the innovation's tasks sit with a named role and fit in the working day."
        ],
        ["build_capacity"],
    ),
    "create_new_clinical_teams": (
        "Create new teams",
        ["Form a small team with the mix of roles the innovation needs and give it protected time."],
        ["build_capacity"],
    ),
    "change_physical_structure_and_equipment": (
        "Change physical structure and equipment",
        ["List the space and equipment the innovation needs, compare with what exists, and fix the most limiting gap."],
        ["build_capacity"],
    ),
    "change_record_systems": (
        "Change record systems",
        [
            "Adjust the record system (forms, fields, templates) so the innovation can be documented and reported without duplicate entry."
        ],
        ["build_capacity"],
    ),
    "use_data_warehousing_techniques": (
        "Use data warehousing techniques",
        ["Link the separate data sources the innovation depends on into one place the team can query."],
        ["improvement_cycles"],
    ),
    "provide_clinical_supervision": (
        "Provide supervision",
        [
            "Set up regular supervision for the people delivering the innovation, focused on the innovation's core components."
        ],
        ["build_capacity"],
    ),
    "create_a_learning_collaborative": (
        "Create a learning collaborative",
        ["Bring teams (or sites) working on the same innovation together regularly to share data and solutions."],
        ["co_learning", "brokering"],
    ),
    "distribute_educational_materials": (
        "Distribute educational materials",
        [
            "Put guides, protocols and answers to common questions where staff can find them in the moment they need them."
        ],
        ["build_capacity"],
    ),
    "provide_ongoing_consultation": (
        "Provide ongoing consultation",
        ["Arrange regular consultation with an expert in the innovation for the people delivering it."],
        ["build_capacity"],
    ),
    "use_an_implementation_advisor": (
        "Use an implementation advisor",
        ["Engage an experienced implementation adviser to review the plan and meet the team regularly."],
        ["tailored_support"],
    ),
    "centralize_technical_assistance": (
        "Centralize technical assistance",
        ["Set up one point of contact or help desk for technical questions about the innovation."],
        ["tailored_support"],
    ),
    "conduct_educational_outreach_visits": (
        "Conduct educational outreach visits",
        ["Visit staff in their own work setting to discuss the innovation one-to-one and answer their concerns."],
        ["build_capacity"],
    ),
    "assess_for_readiness_and_identify_barriers_and_facilitators": (
        "Assess for readiness and identify barriers and facilitators",
        ["Run a short readiness and barrier assessment with the people involved and rate what helps and what hinders."],
        ["assess_need_and_context"],
    ),
    "develop_academic_partnerships": (
        "Develop academic partnerships",
        [
            "Approach a university or research partner that can bring evaluation or content expertise, and agree one joint piece of work."
        ],
        ["brokering"],
    ),
    "recruit_designate_and_train_for_leadership": (
        "Recruit, designate and train for leadership",
        ["Name who leads the implementation at each level and give them preparation for the role."],
        ["cultivate_leadership"],
    ),
}


def _pairs():
    """The embedded figures plus, with --found FILE, any further sourced figures of a research file."""
    out = [{"barrier": b, "strategy": s, "pct": pct, "source": src} for b, s, pct, src in PUBLISHED]
    if "--found" in sys.argv:
        extra = yaml.safe_load(open(sys.argv[sys.argv.index("--found") + 1], encoding="utf-8"))
        out += [p for p in extra.get("pairs", []) if p.get("pct") is not None and p.get("source")]
    return out


# CFIR 1.0 barrier (tool name) -> CFIR 2.0 ids this pack applies the figure to (our crosswalk, after
# Damschroder et al. 2022's mapping of 1.0 constructs to 2.0).
XWALK = {
    "Reflecting & Evaluating": [
        "process.reflecting_evaluating",
        "process.reflecting_evaluating.implementation",
        "process.reflecting_evaluating.innovation",
    ],
    "Planning": ["process.planning"],
    "Formally Appointed Internal Implementation Leaders": [
        "individuals.implementation_leads",
        "individuals.implementation_team_members",
    ],
    "Key Stakeholders": ["process.engaging.deliverers"],
    "Organizational Incentives & Rewards": ["inner_setting.incentive_systems"],
    "Networks & Communications": ["inner_setting.relational_connections", "inner_setting.communications"],
    "Adaptability": ["innovation.adaptability"],
    "Complexity": ["innovation.complexity"],
    "Patient Needs & Resources": [
        "process.assessing_needs.recipients",
        "inner_setting.culture.recipient_centeredness",
        "individuals.innovation_recipients",
    ],
    "Compatibility": ["inner_setting.compatibility"],
    "Self-efficacy": ["individuals.capability"],
}


def provenance(src):
    if "A23" in src or "Allen" in src:
        return (
            "CFIR-ERIC Matching Tool output in Allen et al. 2023, Table 3",
            ["waltz-2019", "allen-2023-iscomms"],
        )
    if "Table 1" in src or "W19-T1" in src:
        return ("Waltz et al. 2019, Table 1", ["waltz-2019"])
    if "Table 5" in src:
        return ("Waltz et al. 2019 (Level-1 pairs table)", ["waltz-2019"])
    return ("Waltz et al. 2019", ["waltz-2019"])


published = {}  # construct -> list of (strategy, pct, level, v1, prov, sources)
seen = set()
for p in _pairs():
    if p.get("pct") is None or p["pct"] < 20 or not p.get("source"):
        continue
    b = p["barrier"]
    if b not in XWALK:
        print("WARNING: no crosswalk for barrier", b, file=sys.stderr)
        continue
    if p["strategy"] not in S:
        print("WARNING: no actions for strategy", p["strategy"], file=sys.stderr)
        continue
    if (b, p["strategy"]) in seen:
        continue
    seen.add((b, p["strategy"]))
    prov, srcs = provenance(p["source"])
    lvl = 1 if p["pct"] >= 50 else 2
    for c in XWALK[b]:
        published.setdefault(c, []).append((p["strategy"], p["pct"], lvl, b, prov, srcs))

# Authors' judgement: construct -> (CFIR 1.0 provenance note, [strategies], reason, extra tags)
J = {
    "innovation.source": (
        "Intervention Source (no figure recovered)",
        ["inform_local_opinion_leaders", "capture_and_share_local_knowledge"],
        "doubts about who developed an innovation are eased when trusted local people vouch for it and local experience with it is shared",
        {},
    ),
    "innovation.evidence_base": (
        "Evidence Strength & Quality (no figure recovered; no strategy reached Level 1)",
        ["conduct_educational_meetings", "visit_other_sites"],
        "doubts about the evidence are best met by discussing the evidence openly and by seeing it work elsewhere",
        {},
    ),
    "innovation.relative_advantage": (
        "Relative Advantage (no figure recovered; no strategy reached Level 1)",
        ["conduct_local_consensus_discussions", "visit_other_sites"],
        "people need to weigh the innovation against the current way of working themselves, and to see its advantage in practice",
        {},
    ),
    "innovation.trialability": (
        "Trialability (no figure recovered; no strategy reached Level 1)",
        ["conduct_cyclical_small_tests_of_change", "stage_implementation_scale_up"],
        "when an innovation seems impossible to try on a small scale, designing small tests and a staged roll-out makes it trialable",
        {},
    ),
    "innovation.design": (
        "Design Quality & Packaging (no figure recovered; no strategy reached Level 1)",
        ["develop_educational_materials", "promote_adaptability"],
        "poor packaging is addressed by better materials made with users and by freedom to adapt the presentation",
        {},
    ),
    "innovation.cost": (
        "Cost (one Level-1 strategy exists; its figure was not recovered)",
        ["access_new_funding", "make_billing_easier"],
        "cost barriers call for new money or for recovering the money already earned",
        {},
    ),
    "outer_setting.critical_incidents": (
        "none: new in CFIR 2.0",
        ["purposely_reexamine_the_implementation", "tailor_strategies"],
        "an incident changes the context, so the plan and strategies must be re-examined and re-tailored",
        {},
    ),
    "outer_setting.local_attitudes": (
        "none: new in CFIR 2.0",
        ["inform_local_opinion_leaders", "build_a_coalition"],
        "community attitudes shift through the people the community listens to and through visible alliances",
        {},
    ),
    "outer_setting.local_conditions": (
        "none: new in CFIR 2.0",
        ["develop_resource_sharing_agreements", "change_service_sites"],
        "local conditions such as transport or housing are met by partnering with those who address them and by moving services closer to people",
        {"equity_element": ["critical_perspectives"]},
    ),
    "outer_setting.partnerships_connections": (
        "Cosmopolitanism (three Level-1 strategies exist; figures not recovered)",
        ["promote_network_weaving", "build_a_coalition", "develop_academic_partnerships"],
        "an organization that is poorly networked needs new ties, coalitions and knowledge partners",
        {},
    ),
    "outer_setting.policies_laws": (
        "External Policy & Incentives (no figure recovered)",
        ["build_a_coalition", "obtain_formal_commitments"],
        "policy barriers sit outside the organization and are moved by organized, committed partners",
        {"equity_element": ["critical_perspectives"]},
    ),
    "outer_setting.financing": (
        "External Policy & Incentives (no figure recovered)",
        ["access_new_funding", "use_other_payment_schemes"],
        "financing barriers call for new sources of funds or different payment arrangements",
        {"equity_element": ["critical_perspectives"]},
    ),
    "outer_setting.external_pressure": (
        "Peer Pressure / External Policy & Incentives (no figure recovered)",
        ["visit_other_sites", "involve_executive_boards"],
        "when outside pressure is missing or pulls the wrong way, peers' example and board attention supply direction",
        {},
    ),
    "outer_setting.external_pressure.societal": (
        "none: new in CFIR 2.0",
        ["build_a_coalition", "use_mass_media"],
        "societal pressure is shaped by coalitions and public communication",
        {},
    ),
    "outer_setting.external_pressure.market": (
        "Peer Pressure (no figure recovered; no strategy reached Level 1)",
        ["visit_other_sites", "increase_demand"],
        "market pressure grows when peers' results are seen and demand from recipients rises",
        {},
    ),
    "outer_setting.external_pressure.performance_measurement": (
        "External Policy & Incentives (no figure recovered)",
        ["develop_and_organize_quality_monitoring_systems", "audit_and_provide_feedback"],
        "external performance measures that work against the innovation are best answered with the site's own monitoring and feedback",
        {},
    ),
    "inner_setting.structural_characteristics": (
        "Structural Characteristics (no figure recovered)",
        ["assess_for_readiness_and_identify_barriers_and_facilitators", "revise_professional_roles"],
        "structural barriers must first be located, and often sit in how roles are organized",
        {},
    ),
    "inner_setting.structural_characteristics.physical_infrastructure": (
        "Structural Characteristics (no figure recovered)",
        ["change_physical_structure_and_equipment", "change_service_sites"],
        "physical barriers are removed by changing the space or the place of delivery",
        {},
    ),
    "inner_setting.structural_characteristics.it_infrastructure": (
        "Structural Characteristics (no figure recovered)",
        ["change_record_systems", "use_data_warehousing_techniques"],
        "information systems that do not support the innovation need changing or linking",
        {},
    ),
    "inner_setting.structural_characteristics.work_infrastructure": (
        "Structural Characteristics (no figure recovered)",
        ["revise_professional_roles", "create_new_clinical_teams"],
        "work that is not organized for the innovation needs revised roles or a team built for it",
        {},
    ),
    "inner_setting.culture": (
        "Culture (no figure recovered)",
        ["identify_and_prepare_champions", "conduct_local_consensus_discussions"],
        "culture shifts through respected insiders and open discussion of what the organization values",
        {},
    ),
    "inner_setting.culture.human_equality_centeredness": (
        "none: new in CFIR 2.0",
        ["involve_patients_consumers_and_family_members", "use_advisory_boards_and_workgroups"],
        "a culture that does not value equality changes when people who are marginalized hold real roles in the work",
        {
            "equity_element": ["dismantle_power_structures", "critical_perspectives"],
            "isp_competency": ["address_power_differentials"],
        },
    ),
    "inner_setting.culture.deliverer_centeredness": (
        "none: new in CFIR 2.0",
        ["revise_professional_roles", "provide_clinical_supervision"],
        "a culture that neglects the people delivering the innovation is answered by workable roles and supportive supervision",
        {},
    ),
    "inner_setting.culture.learning_centeredness": (
        "Learning Climate (no figure recovered)",
        ["conduct_cyclical_small_tests_of_change", "create_a_learning_collaborative"],
        "a weak learning climate is built by practising small tests of change and learning with peers",
        {},
    ),
    "inner_setting.tension_for_change": (
        "Tension for Change (no figure recovered)",
        ["audit_and_provide_feedback", "obtain_and_use_patients_consumers_and_family_feedback"],
        "people feel the need for change when they see their own results and hear from those they serve",
        {},
    ),
    "inner_setting.relative_priority": (
        "Relative Priority (no figure recovered)",
        ["obtain_formal_commitments", "involve_executive_boards"],
        "an innovation that loses out to other priorities needs commitments from those who set priorities",
        {},
    ),
    "inner_setting.mission_alignment": (
        "Goals & Feedback / Individual Identification with Organization (no figure recovered)",
        ["conduct_local_consensus_discussions", "involve_executive_boards"],
        "misalignment with the mission is settled by discussing how the innovation serves it, with leaders in the room",
        {},
    ),
    "inner_setting.available_resources": (
        "Available Resources (no figure recovered)",
        ["access_new_funding", "develop_resource_sharing_agreements"],
        "missing resources are found by new funding or by sharing with partners",
        {},
    ),
    "inner_setting.available_resources.funding": (
        "Available Resources (no figure recovered)",
        ["access_new_funding", "fund_and_contract_for_the_clinical_innovation"],
        "a funding gap needs new sources or a funder who writes the innovation into contracts",
        {},
    ),
    "inner_setting.available_resources.space": (
        "Available Resources (no figure recovered)",
        ["change_physical_structure_and_equipment", "develop_resource_sharing_agreements"],
        "space shortages are solved by reconfiguring space or borrowing it from partners",
        {},
    ),
    "inner_setting.available_resources.materials_equipment": (
        "Available Resources (no figure recovered)",
        ["change_physical_structure_and_equipment", "develop_resource_sharing_agreements"],
        "missing materials or equipment are bought, reconfigured or shared",
        {},
    ),
    "inner_setting.access_to_knowledge": (
        "Access to Knowledge & Information (no figure recovered)",
        ["develop_educational_materials", "provide_ongoing_consultation"],
        "people need usable guidance at hand and someone expert to ask",
        {},
    ),
    "individuals.high_level_leaders": (
        "Leadership Engagement (no figure recovered)",
        ["involve_executive_boards", "obtain_formal_commitments"],
        "senior leaders engage when the board asks them to and when they commit in writing",
        {"isp_competency": ["cultivate_leadership"]},
    ),
    "individuals.mid_level_leaders": (
        "Leadership Engagement (no figure recovered)",
        ["recruit_designate_and_train_for_leadership", "identify_and_prepare_champions"],
        "middle managers need a defined role in the implementation and preparation for it",
        {"isp_competency": ["cultivate_leadership"]},
    ),
    "individuals.opinion_leaders": (
        "Opinion Leaders (no figure recovered)",
        ["inform_local_opinion_leaders", "identify_early_adopters"],
        "opinion leaders who are doubtful should be informed personally, and early adopters can provide an alternative example",
        {},
    ),
    "individuals.implementation_facilitators": (
        "External Change Agents (no figure recovered)",
        ["use_an_implementation_advisor", "facilitation"],
        "when facilitation is missing or weak, an experienced adviser and a structured facilitation role fill the gap",
        {},
    ),
    "individuals.other_implementation_support": (
        "none: new in CFIR 2.0",
        ["centralize_technical_assistance", "provide_local_technical_assistance"],
        "gaps in other implementation support are filled by organized technical assistance",
        {},
    ),
    "individuals.innovation_deliverers": (
        "Knowledge & Beliefs / Key Stakeholders (no deliverer-specific figure)",
        ["conduct_educational_outreach_visits", "provide_clinical_supervision"],
        "the people delivering the innovation need one-to-one engagement in their setting and ongoing support",
        {},
    ),
    "individuals.need": (
        "Patient Needs & Resources / Individual Stage of Change (no figure for the 2.0 construct)",
        ["conduct_local_needs_assessment", "obtain_and_use_patients_consumers_and_family_feedback"],
        "if those involved do not see a need the innovation meets, the need has to be established with them",
        {},
    ),
    "individuals.opportunity": (
        "Available Resources (no figure recovered)",
        ["revise_professional_roles", "create_new_clinical_teams"],
        "people without the time, scope or authority to act need their roles and teams rearranged",
        {},
    ),
    "individuals.motivation": (
        "Knowledge & Beliefs / Individual Stage of Change (no figure recovered)",
        ["conduct_educational_outreach_visits", "identify_early_adopters"],
        "motivation follows personal conversations about concerns and the example of respected peers",
        {},
    ),
    "process.teaming": (
        "none: new in CFIR 2.0",
        ["organize_clinician_implementation_team_meetings", "create_new_clinical_teams"],
        "weak teaming is helped by regular team meetings and a team built for the work",
        {},
    ),
    "process.assessing_needs": (
        "Patient Needs & Resources (figures applied to the recipients subconstruct)",
        ["conduct_local_needs_assessment", "obtain_and_use_patients_consumers_and_family_feedback"],
        "unassessed needs call for a needs assessment and recipients' own account",
        {},
    ),
    "process.assessing_needs.deliverers": (
        "none: new in CFIR 2.0",
        ["conduct_local_needs_assessment", "assess_for_readiness_and_identify_barriers_and_facilitators"],
        "deliverers' needs must be asked about before their work is changed",
        {},
    ),
    "process.assessing_context": (
        "none: new in CFIR 2.0",
        ["assess_for_readiness_and_identify_barriers_and_facilitators", "tailor_strategies"],
        "an unassessed context needs a barrier assessment and strategies tailored to it",
        {"isp_competency": ["assess_need_and_context"]},
    ),
    "process.tailoring_strategies": (
        "none: new in CFIR 2.0",
        ["tailor_strategies", "use_an_implementation_advisor"],
        "strategies chosen without regard to local barriers need re-tailoring, ideally with experienced help",
        {},
    ),
    "process.engaging": (
        "Engaging (no figure recovered for the parent construct)",
        ["involve_patients_consumers_and_family_members", "identify_and_prepare_champions"],
        "weak engagement overall calls for bringing recipients in and for insiders who draw colleagues in",
        {},
    ),
    "process.engaging.recipients": (
        "Innovation Participants (no figure recovered)",
        ["involve_patients_consumers_and_family_members", "prepare_patients_consumers_to_be_active_participants"],
        "recipients engage when they have a role and the information to take part",
        {"isp_competency": ["address_power_differentials"]},
    ),
    "process.doing": (
        "Executing (no figure recovered)",
        ["stage_implementation_scale_up", "provide_local_technical_assistance"],
        "when carrying out the plan falters, scale back to manageable steps and add hands-on help",
        {},
    ),
    "process.adapting": (
        "none: new in CFIR 2.0",
        ["promote_adaptability", "purposely_reexamine_the_implementation"],
        "poor adaptation needs clear rules on what may change and planned moments to reconsider",
        {},
    ),
}

ids = list(v.CFIR_IDS)
name = v.CFIR_IDS
ABBR = {e: "_".join(e.split("_")[:3]) for e in v.ERIC_STRATEGIES}
assert len(set(ABBR.values())) == len(ABBR), "abbreviation clash"
uncovered = [c for c in ids if c not in published and c not in J]
both = [c for c in ids if c in published and c in J]
assert not uncovered, uncovered
assert not both, both


def q(s):  # YAML double-quoted
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tags_yaml(d, indent):
    out = []
    for k, vals in d.items():
        if vals:
            out.append(f"{indent}{k}: [{', '.join(vals)}]")
    return out


def row(rid, construct, strategy, score, priority, rationale, sources, extra):
    sname, actions, comps = S[strategy]
    comps = list(dict.fromkeys(comps + extra.get("isp_competency", [])))
    tags = {"eric_strategy": [strategy], "cfir": [construct], "isp_competency": comps}
    if extra.get("equity_element"):
        tags["equity_element"] = extra["equity_element"]
    assert len(rid) <= 100, rid
    L = [
        f"      - id: {rid}",
        f"        construct: {construct}",
        f"        title: {q('ERIC strategy: ' + sname)}",
        f"        key: eric:{strategy}",
        f"        priority: {priority}",
        f"        score: {score}",
        "        actions:",
    ]
    L += [f"          - {q(a)}" for a in actions]
    L.append("        tags:")
    L += tags_yaml(tags, "          ")
    L.append(f"        rationale: {q(rationale)}")
    L.append(f"        sources: [{', '.join(sources)}]")
    return L


def table(tname, when, rows, desc):
    L = [
        f"  # {desc}",
        f"  - table: {tname}",
        "    vars: [construct]",
        "    category: implementation_strategy",
        "    when:",
    ]
    L += ["      " + w for w in when]
    L.append("    rows:")
    for r in rows:
        L += r
    return L


WHEN_STRONG = ['{fact: "cfir.$construct", equals: -2}']
WHEN_BARRIER = ["any:", '  - {fact: "cfir.$construct", equals: -1}', '  - {fact: "cfir.$construct", equals: mixed}']


def pub_rows(strong):
    rows = []
    for c in ids:
        for s, pct, lvl, v1, prov, srcs in sorted(published.get(c, []), key=lambda t: (-t[1], t[0])):
            lvltxt = "Level 1, at least 50%" if lvl == 1 else "Level 2, 20-49%"
            where = "a strong barrier (-2)" if strong else "a barrier (-1) or mixed"
            rat = (
                f"{pct}% of the experts who rated the CFIR 1.0 barrier '{v1}' chose '{S[s][0]}' ({lvltxt}; "
                f"{prov}). Applied to CFIR 2.0 '{name[c]}' ({c}), rated here as {where}."
            )
            if strong:
                prio = "high" if lvl == 1 else "medium"
            else:
                prio = "medium" if lvl == 1 else "low"
            rid = f"SM-{c}-{ABBR[s]}" + ("-2" if strong else "")
            rows.append(row(rid, c, s, pct, prio, rat, srcs, {}))
    return rows


def judge_rows(strong):
    rows = []
    for c in ids:
        if c not in J:
            continue
        v1, strats, reason, extra = J[c]
        for s in strats:
            where = "a strong barrier (-2)" if strong else "a barrier (-1) or mixed"
            rat = (
                f"No published CFIR-ERIC endorsement figure is available for '{name[c]}' ({c}; CFIR 1.0 source: {v1}). "
                f"This match of '{S[s][0]}' is the ISP Advisor authors' judgement, not an expert-panel figure: {reason}. "
                f"The site rates this as {where}."
            )
            prio = "medium" if strong else "low"
            rid = f"SM-{c}-{ABBR[s]}" + ("-2" if strong else "")
            rows.append(
                row(
                    rid, c, s, 0, prio, rat, ["isp-advisor-authors-judgement", "powell-2015", "damschroder-2022"], extra
                )
            )
    return rows


def asset_rows():
    rows = []
    for c in ids:
        L = [
            f"      - id: SM-ASSET-{c}",
            f"        construct: {c}",
            "        actions:",
            f"          - {q('Name how ' + name[c] + ' (' + c + ') helps today and ask its owners to use it deliberately for the weakest part of the plan.')}",
            "        tags:",
            f"          cfir: [{c}]",
            "          isp_competency: [assess_need_and_context]",
            f"        rationale: {q(name[c] + ' (' + c + ') is rated a facilitator. Strengths already present are the cheapest lever for the barriers that remain; they are noted here as assets, not problems.')}",
        ]
        rows.append(L)
    return rows


out = [
    "# GENERATED by scripts/build_strategy_matching.py from the published CFIR-ERIC figures and the authors'",
    "# matches held in that script. Edit the script and regenerate rather than editing rows by hand.",
    "# See docs/knowledge-base.md for sources, the CFIR 1.0 -> 2.0 crosswalk and what is authors' judgement.",
    "ruleset: strategy_matching",
    "version: 1.0.0",
    "description: >-",
    "  CFIR 2.0 barriers matched to ERIC strategies. Published CFIR-ERIC endorsement figures (Waltz et al. 2019;",
    "  tool output in Allen et al. 2023) rank the strategies: the score is the percentage of experts, Level 1 >= 50%,",
    "  Level 2 = 20-49%. Figures were given for CFIR 1.0 constructs and are applied to the CFIR 2.0 ids named in each",
    "  rationale. Constructs with no recovered figure get reasoned matches labelled as the authors' judgement (score 0).",
    "  Facilitators (rated +1 or +2) are noted as assets to build on.",
    "tables:",
]
out += table(
    "cfir-eric-published-strong",
    WHEN_STRONG,
    pub_rows(True),
    "Published figures, construct rated -2: Level 1 high, Level 2 medium.",
)
out += table(
    "cfir-eric-published",
    WHEN_BARRIER,
    pub_rows(False),
    "Published figures, construct rated -1 or mixed: Level 1 medium, Level 2 low.",
)
out += table(
    "cfir-eric-judgement-strong",
    WHEN_STRONG,
    judge_rows(True),
    "Authors' judgement (no published figure), construct rated -2: medium.",
)
out += table(
    "cfir-eric-judgement",
    WHEN_BARRIER,
    judge_rows(False),
    "Authors' judgement (no published figure), construct rated -1 or mixed: low.",
)
assets = [
    "  # Facilitators: every construct rated +1 or +2 joins one low-priority 'assets' recommendation.",
    "  - table: cfir-assets",
    "    vars: [construct]",
    "    category: implementation_strategy",
    "    priority: low",
    "    sources: [damschroder-2022]",
    '    when: {fact: "cfir.$construct", gte: 1}',
    "    rows:",
]
for r in asset_rows():
    r.insert(2, "        title: Build on the strengths already in place")
    r.insert(3, "        key: cfir-assets")
    assets += r
out += assets
open(OUT, "w", encoding="utf-8").write("\n".join(out) + "\n")
print(
    "wrote",
    OUT.relative_to(ROOT),
    "- published constructs:",
    len(published),
    "judgement constructs:",
    len(J),
    "rows:",
    sum(len(x) for x in published.values()) * 2 + sum(len(j[1]) for j in J.values()) * 2 + len(ids),
    file=sys.stderr,
)
