"""Generate rules/strategy_matching.yaml: CFIR 2.0 barriers -> ERIC strategies.

    python scripts/build_strategy_matching.py                  # rewrite rules/strategy_matching.yaml
    python scripts/build_strategy_matching.py --found FILE     # also use sourced figures from a research YAML
                                                               # (pairs: [{barrier, strategy, pct, source}])
    python scripts/build_strategy_matching.py --out FILE       # write elsewhere (the tests compare the two)

Inputs, all in this file:
- PUBLISHED: CFIR-ERIC endorsement figures (% of experts, Waltz et al. 2019, Implementation Science 14:42; the
  CFIR-ERIC Matching Tool output reproduced in Allen et al. 2023, Implementation Science Communications 4:122,
  Table 3). Only figures >= 20% (Level 1 and 2) with a named source. Never add a figure without a source.
- LEVEL_ONLY: Level 1 or 2 memberships published without a figure (PMC11446052 Table 4): score 0, the rationale
  says "at least 20% of experts (Level 1 or 2)" and never a number.
- TOOL_TOP: the tool read in reverse (Yakovchenko et al. 2023, Table 2): the barrier a strategy is expected to
  address, no figure and no level.
- TABLE1_BELOW_20, LEVEL_COUNTS: Waltz 2019 Table 1 below 20% and Table 2's Level-1/2 counts, used as checks.
- XWALK: which CFIR 2.0 ids each CFIR 1.0 barrier's memberships are applied to (our crosswalk).
- J: reasoned matches for CFIR 2.0 ids with nothing published (the ISP Advisor authors' judgement).
- S: each ERIC strategy's display name, this-month actions and ISP competencies; STAGE_FIT, OUTCOME and
  SPECTRUM: the stages it suits (rows are gated on them), the implementation outcomes it serves (Proctor et al.
  2011) and, for community engagement, its level on the Spectrum of Community Engagement to Ownership.
- ASSET: what to do with each construct when it is rated a facilitator.
- SITE_TEXTS, EARLY_SITE_TEXTS, ASSET_SITE_TEXTS, FALLBACKS: how a row's actions name the people and assets the
  case lists (`texts:` variants, `fallbacks:`), where they are the strategy's natural actors or targets.
The YAML is what ships; review `git diff rules/strategy_matching.yaml` after regenerating, then run
scripts/update_golden.py if outputs changed on purpose.
"""

import sys
from itertools import combinations
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "rules" / "strategy_matching.yaml"

from engine.model import sitevocab as sv  # noqa: E402
from engine.model import vocabulary as v  # noqa: E402

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

# ERIC strategy -> (display name, first actions, ISP competencies)
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
            "Set a regular reporting cycle, and agree a named owner for the quality data with {people:leadership}.",
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
            "Within a month of starting this work, ask a small group of recipients and family members for feedback on their experience, in their language and setting.",
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
            "Ask the team who is already enthusiastic and respected among {people:frontline_staff}; invite one or two of them to champion the work, and agree what that means in hours and tasks.",
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
            "Map who works with whom on the innovation and broker at least two new working connections across groups within a month of starting this work."
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
            "List funding sources that match the innovation (grants, contracts, reimbursement) and agree who pursues the best two, within three months, with {people:leadership}."
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
        [
            "Agree with a partner organization to share staff, space, equipment or data, in writing, signed for the site by {people:leadership}."
        ],
        ["brokering"],
    ),
    "change_service_sites": (
        "Change service sites",
        [
            "Consider delivering the innovation where people already are (community centres, schools, drop-in and outreach settings) and test one new site."
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
        [
            "List the space and equipment the innovation needs and compare them with what exists; take the most limiting gap, with a costed fix, to {people:leadership}, and agree who fixes it and by when."
        ],
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


# ---------------------------------------------------------------- stage fit, outcomes, spectrum (data)
# NIRN stages (Fixsen et al. 2005) plus sustainment. Each strategy lists the stages it suits; a case with no
# stage keeps every row (the plan layer ranks stage fit). A reason is given where it is not obvious.
EX, INS, INI, FULL, SUS = "exploration", "installation", "initial_implementation", "full_implementation", "sustainment"
ALL = (EX, INS, INI, FULL, SUS)
AFTER_DECISION = (INS, INI, FULL, SUS)  # needs a decision to adopt (nothing to build, staff or fund before it)
IN_USE = (INI, FULL, SUS)  # needs the innovation in use (data, recipients or deliverers to work with)
STAGE_FIT = {
    "develop_and_implement_tools_for_quality_monitoring": (AFTER_DECISION, "tools are built once adoption is decided"),
    "audit_and_provide_feedback": (IN_USE, "needs performance data from use, so not exploration or installation"),
    "develop_and_organize_quality_monitoring_systems": (AFTER_DECISION, "built before launch, used after"),
    "facilitate_relay_of_clinical_data_to_providers": (IN_USE, "needs data from delivery"),
    "obtain_and_use_patients_consumers_and_family_feedback": (ALL, "early, feedback is on the proposal"),
    "organize_clinician_implementation_team_meetings": (ALL, "an exploration team meets too"),
    "purposely_reexamine_the_implementation": (IN_USE, "there must be an implementation to reexamine"),
    "use_data_experts": (AFTER_DECISION, "data set-up starts at installation"),
    "capture_and_share_local_knowledge": (ALL, ""),
    # Issue 21: facilitation starts before launch (Ritchie et al. 2020; Kirchner et al. 2014); at installation the
    # support-level items (TS-INSTALLATION, TS-INSTALLATION-UNSTATED, TS-INTENSIVE-EARLY) carry it, so these rows
    # fold into the item placed by the support level rather than waiting on their own Level-2 figure.
    "facilitation": (ALL, "from exploration on; carried at installation by the support-level item"),
    "develop_a_formal_implementation_blueprint": ((EX, INS, INI, FULL), "a sustainment plan replaces it later"),
    "conduct_local_needs_assessment": ((EX, INS), "needs are established before delivery; later, reexamine"),
    # Issue 21: champions are found before delivery (Powell et al. 2015; Miech et al. 2018; Kilbourne et al. 2019):
    # at exploration and installation CB-CHAMPIONS-BEFORE-DELIVERY (due by Next) holds these rows back and carries
    # their actions; ranked on their own figure they fell behind the two ERIC items allowed per barrier.
    "identify_and_prepare_champions": (ALL, "found before delivery; held by CB-CHAMPIONS-BEFORE-DELIVERY then"),
    "alter_incentive_allowance_structures": (AFTER_DECISION, "nothing to reward before adoption is decided"),
    "promote_network_weaving": (ALL, ""),
    "promote_adaptability": (ALL, ""),
    "tailor_strategies": (AFTER_DECISION, "strategies exist from installation on"),
    "conduct_local_consensus_discussions": ((EX, INS, INI), "agreement on whether and how is settled early"),
    # Issue 21: not exploration (nothing is adopted yet, so there is no one to start first; Rogers 2003); at
    # installation CB-FIRST-ADOPTERS (due by Next) holds these rows back, after launch CB-LEARN-FROM-EARLY-USERS.
    "identify_early_adopters": ((INS, INI, FULL), "someone must be able to start; not before adoption is decided"),
    "model_and_simulate_change": ((INS, INI), "rehearses the new way of working before and at go-live"),
    "involve_patients_consumers_and_family_members": (ALL, ""),
    "prepare_patients_consumers_to_be_active_participants": (AFTER_DECISION, "there must be something to take part in"),
    "use_advisory_boards_and_workgroups": (ALL, ""),
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": (
        IN_USE,
        "needs recipients who are offered the innovation, so not exploration or installation",
    ),
    "build_a_coalition": (ALL, ""),
    "provide_local_technical_assistance": (AFTER_DECISION, "help with a task people are doing"),
    "inform_local_opinion_leaders": ((EX, INS, INI), "opinions form around the decision and the launch"),
    "visit_other_sites": ((EX, INS, INI), "most useful while deciding and preparing"),
    "conduct_educational_meetings": ((EX, INS, INI), "information on the evidence, not skills training"),
    "conduct_cyclical_small_tests_of_change": ((INS, INI, FULL), "needs something to try"),
    "stage_implementation_scale_up": ((INS, INI, FULL), "staging is planned at installation and done at launch"),
    "develop_educational_materials": (AFTER_DECISION, "materials for an innovation the site has chosen"),
    "access_new_funding": (ALL, ""),
    "make_billing_easier": (AFTER_DECISION, "billing starts with delivery"),
    "use_other_payment_schemes": (ALL, ""),
    "fund_and_contract_for_the_clinical_innovation": (ALL, ""),
    "develop_resource_sharing_agreements": (ALL, ""),
    "change_service_sites": (AFTER_DECISION, "tests a delivery site"),
    "obtain_formal_commitments": (ALL, ""),
    "involve_executive_boards": (ALL, ""),
    "use_mass_media": (IN_USE, "promotes a service people can already get"),
    "increase_demand": (IN_USE, "promotes a service people can already get"),
    "revise_professional_roles": (AFTER_DECISION, "roles change for an innovation the site has chosen"),
    "create_new_clinical_teams": ((INS, INI, FULL), "teams are formed to deliver"),
    "change_physical_structure_and_equipment": (AFTER_DECISION, "space is changed for a chosen innovation"),
    "change_record_systems": (AFTER_DECISION, "records change for a chosen innovation"),
    "use_data_warehousing_techniques": (AFTER_DECISION, "data are linked for a chosen innovation"),
    "provide_clinical_supervision": (IN_USE, "supervises delivery"),
    "create_a_learning_collaborative": (AFTER_DECISION, "peers share how they do the work"),
    "distribute_educational_materials": (AFTER_DECISION, "guidance for people doing the work"),
    "provide_ongoing_consultation": (IN_USE, "consultation on delivery, like training, does not suit exploration"),
    "use_an_implementation_advisor": (ALL, ""),
    "centralize_technical_assistance": (AFTER_DECISION, "help with a task people are doing"),
    "conduct_educational_outreach_visits": ((INS, INI, FULL), "one-to-one preparation of the people who will deliver"),
    "assess_for_readiness_and_identify_barriers_and_facilitators": ((EX, INS, INI), "done before and at launch"),
    "develop_academic_partnerships": (ALL, ""),
    "recruit_designate_and_train_for_leadership": (ALL, ""),
}

# Which implementation outcome (Proctor et al. 2011) each strategy mainly serves: the authors' reading of the
# ERIC definitions (Powell et al. 2015), not a published mapping.
OUTCOME = {
    "develop_and_implement_tools_for_quality_monitoring": ["fidelity", "reach"],
    "audit_and_provide_feedback": ["fidelity", "adoption"],
    "develop_and_organize_quality_monitoring_systems": ["fidelity", "sustainability"],
    "facilitate_relay_of_clinical_data_to_providers": ["fidelity"],
    "obtain_and_use_patients_consumers_and_family_feedback": ["acceptability", "appropriateness"],
    "organize_clinician_implementation_team_meetings": ["feasibility", "fidelity"],
    "purposely_reexamine_the_implementation": ["appropriateness", "fidelity"],
    "use_data_experts": ["fidelity", "reach"],
    "capture_and_share_local_knowledge": ["acceptability", "adoption"],
    "facilitation": ["adoption", "feasibility"],
    "develop_a_formal_implementation_blueprint": ["feasibility", "adoption"],
    "conduct_local_needs_assessment": ["appropriateness"],
    "identify_and_prepare_champions": ["adoption", "acceptability"],
    "alter_incentive_allowance_structures": ["adoption", "sustainability"],
    "promote_network_weaving": ["adoption", "sustainability"],
    "promote_adaptability": ["appropriateness", "feasibility"],
    "tailor_strategies": ["appropriateness", "feasibility"],
    "conduct_local_consensus_discussions": ["acceptability", "appropriateness"],
    "identify_early_adopters": ["adoption"],
    "model_and_simulate_change": ["feasibility", "fidelity"],
    "involve_patients_consumers_and_family_members": ["acceptability", "appropriateness"],
    "prepare_patients_consumers_to_be_active_participants": ["reach", "acceptability"],
    "use_advisory_boards_and_workgroups": ["acceptability", "appropriateness"],
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": ["reach"],
    "build_a_coalition": ["adoption", "sustainability"],
    "provide_local_technical_assistance": ["feasibility", "fidelity"],
    "inform_local_opinion_leaders": ["acceptability", "adoption"],
    "visit_other_sites": ["acceptability", "feasibility"],
    "conduct_educational_meetings": ["acceptability", "adoption"],
    "conduct_cyclical_small_tests_of_change": ["feasibility", "appropriateness"],
    "stage_implementation_scale_up": ["reach", "feasibility"],
    "develop_educational_materials": ["fidelity", "feasibility"],
    "access_new_funding": ["cost", "sustainability"],
    "make_billing_easier": ["cost", "sustainability"],
    "use_other_payment_schemes": ["cost", "sustainability"],
    "fund_and_contract_for_the_clinical_innovation": ["cost", "sustainability"],
    "develop_resource_sharing_agreements": ["cost", "feasibility"],
    "change_service_sites": ["reach"],
    "obtain_formal_commitments": ["adoption", "sustainability"],
    "involve_executive_boards": ["adoption", "sustainability"],
    "use_mass_media": ["reach"],
    "increase_demand": ["reach"],
    "revise_professional_roles": ["feasibility", "sustainability"],
    "create_new_clinical_teams": ["feasibility"],
    "change_physical_structure_and_equipment": ["feasibility"],
    "change_record_systems": ["feasibility", "fidelity"],
    "use_data_warehousing_techniques": ["feasibility", "fidelity"],
    "provide_clinical_supervision": ["fidelity"],
    "create_a_learning_collaborative": ["fidelity", "sustainability"],
    "distribute_educational_materials": ["fidelity", "adoption"],
    "provide_ongoing_consultation": ["fidelity"],
    "use_an_implementation_advisor": ["feasibility"],
    "centralize_technical_assistance": ["feasibility"],
    "conduct_educational_outreach_visits": ["adoption", "fidelity"],
    "assess_for_readiness_and_identify_barriers_and_facilitators": ["appropriateness", "feasibility"],
    "develop_academic_partnerships": ["appropriateness", "fidelity"],
    "recruit_designate_and_train_for_leadership": ["adoption", "sustainability"],
}

# Strategies whose actions work on community engagement: the level of the Spectrum of Community Engagement to
# Ownership (Gonzalez 2019) their actions work at, read from the actions written in S.

# Strategy specification (Proctor, Powell & McMillen 2013): only what the row's own actions above state
# (who acts, on whom or what, how often, for how long); anything not stated is left out, and `isp-advisor plan`
# shows it as "to agree with the team".
SPEC = {
    "develop_and_implement_tools_for_quality_monitoring": {
        "target": "the innovation's three to five quality indicators, on a one-page tracking sheet",
        "frequency": "monthly",
        "duration": "a one-month pilot of the sheet first",
    },
    "audit_and_provide_feedback": {
        "target": "the people delivering the innovation, by team or clinic",
        "frequency": "monthly (one month of data per report)",
    },
    "develop_and_organize_quality_monitoring_systems": {"actor": "a named owner for the quality data"},
    "facilitate_relay_of_clinical_data_to_providers": {
        "target": "front-line staff, in the tool they already use",
        "frequency": "within days of the data",
    },
    "obtain_and_use_patients_consumers_and_family_feedback": {
        "target": "a small group of recipients and family members, in their language and setting"
    },
    "organize_clinician_implementation_team_meetings": {
        "actor": "the implementation team",
        "frequency": "every two weeks",
        "duration": "30-45 minutes per meeting",
    },
    "purposely_reexamine_the_implementation": {"frequency": "a review point within the next month"},
    "use_data_experts": {"actor": "a data analyst (internal or from a partner)", "duration": "a few hours"},
    "capture_and_share_local_knowledge": {"target": "two people or teams for whom the innovation is working"},
    "facilitation": {"actor": "a trained facilitator (internal or external)", "target": "the team"},
    "conduct_local_needs_assessment": {"target": "recipients and staff"},
    "identify_and_prepare_champions": {"target": "one or two enthusiastic, respected team members (the champions)"},
    "promote_network_weaving": {
        "target": "who works with whom on the innovation, across groups",
        "duration": "the first month of this work (at least two new working connections)",
    },
    "promote_adaptability": {"target": "the innovation's core components and the parts that can be adapted"},
    "tailor_strategies": {"target": "the current implementation strategies, against the site's main barriers"},
    "conduct_local_consensus_discussions": {"target": "staff and partners"},
    "identify_early_adopters": {"target": "the staff or units who want to start first"},
    "involve_patients_consumers_and_family_members": {
        "actor": "recipients and family members, paid for their time",
        "target": "the innovation and its implementation",
    },
    "prepare_patients_consumers_to_be_active_participants": {"target": "recipients, through channels they trust"},
    "use_advisory_boards_and_workgroups": {"actor": "a workgroup of recipients and front-line staff"},
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": {
        "target": "recipients who do not start or who drop out"
    },
    "build_a_coalition": {"target": "the organizations affected by the same barrier"},
    "provide_local_technical_assistance": {"target": "the specific task people are stuck on, on site"},
    "inform_local_opinion_leaders": {"target": "the two or three people others listen to"},
    "visit_other_sites": {"actor": "the team", "target": "a site that has implemented the innovation well"},
    "conduct_educational_meetings": {"target": "the people concerned"},
    "conduct_cyclical_small_tests_of_change": {
        "target": "one piece of the innovation, with a few people",
        "duration": "two weeks per cycle",
    },
    "stage_implementation_scale_up": {"target": "one unit or group first, then planned steps"},
    "develop_educational_materials": {"target": "the people who will use the guides and job aids"},
    "access_new_funding": {"duration": "this quarter (the best two sources)"},
    "make_billing_easier": {"target": "how the innovation's services are recorded and billed"},
    "use_other_payment_schemes": {"target": "funders"},
    "fund_and_contract_for_the_clinical_innovation": {"target": "the funder or purchaser"},
    "develop_resource_sharing_agreements": {"target": "a partner organization"},
    "change_service_sites": {
        "target": "places people already are (community centres, schools, drop-in and outreach settings)"
    },
    "obtain_formal_commitments": {"target": "leaders and partners", "duration": "for the next year"},
    "involve_executive_boards": {"target": "the board"},
    "use_mass_media": {"target": "local media or community channels"},
    "increase_demand": {"target": "potential recipients, through trusted messengers"},
    "revise_professional_roles": {"target": "job descriptions and workloads"},
    "change_record_systems": {"target": "the record system (forms, fields, templates)"},
    "use_data_warehousing_techniques": {"target": "the separate data sources the innovation depends on"},
    "provide_clinical_supervision": {"target": "the people delivering the innovation"},
    "create_a_learning_collaborative": {"target": "teams or sites working on the same innovation"},
    "distribute_educational_materials": {"target": "staff, where they need the material"},
    "provide_ongoing_consultation": {"actor": "an expert in the innovation", "target": "the people delivering it"},
    "use_an_implementation_advisor": {
        "actor": "an experienced implementation adviser",
        "target": "the plan and the team",
    },
    "conduct_educational_outreach_visits": {"target": "staff, one to one in their own work setting"},
    "assess_for_readiness_and_identify_barriers_and_facilitators": {"target": "the people involved"},
    "develop_academic_partnerships": {"target": "a university or research partner"},
    "recruit_designate_and_train_for_leadership": {"target": "who leads the implementation at each level"},
}

SPECTRUM = {
    "prepare_patients_consumers_to_be_active_participants": ["inform"],
    "increase_demand": ["inform"],
    "use_mass_media": ["inform"],
    "obtain_and_use_patients_consumers_and_family_feedback": ["consult"],
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": ["consult"],
    "conduct_local_needs_assessment": ["consult"],
    "use_advisory_boards_and_workgroups": ["involve"],
    "involve_patients_consumers_and_family_members": ["involve"],
    "build_a_coalition": ["collaborate"],
}

# ---------------------------------------------------------------- more sourced memberships
# Waltz 2019 Table 1 (Reflecting & Evaluating, n = 25) below the Level-2 line: sourced, but below 20%, so no row
# recommends them; kept to check that no other row recommends them for this barrier and for the docs.
TABLE1_BELOW_20 = {
    "change_record_systems": 16,
    "conduct_ongoing_training": 16,
    "develop_a_formal_implementation_blueprint": 16,
    "provide_local_technical_assistance": 16,
    "assess_for_readiness_and_identify_barriers_and_facilitators": 12,
    "conduct_cyclical_small_tests_of_change": 12,
    "tailor_strategies": 12,
    "use_an_implementation_advisor": 12,
    "use_data_warehousing_techniques": 12,
    "use_train_the_trainer_strategies": 12,
    "build_a_coalition": 8,
    "conduct_local_consensus_discussions": 8,
    "create_a_learning_collaborative": 8,
    "identify_and_prepare_champions": 8,
    "inform_local_opinion_leaders": 8,
    "involve_executive_boards": 8,
    "prepare_patients_consumers_to_be_active_participants": 8,
    "provide_ongoing_consultation": 8,
    "recruit_designate_and_train_for_leadership": 8,
    "conduct_educational_meetings": 4,
    "conduct_educational_outreach_visits": 4,
    "conduct_local_needs_assessment": 4,
    "develop_academic_partnerships": 4,
    "develop_disincentives": 4,
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": 4,
    "involve_patients_consumers_and_family_members": 4,
    "place_innovation_on_fee_for_service_lists_formularies": 4,
    "provide_clinical_supervision": 4,
    "revise_professional_roles": 4,
}

# Level 1 or 2 (>= 20%) memberships with no figure: PMC11446052 Table 4 (barrier labels as the tool names them,
# normalized to the CFIR 1.0 names of XWALK). Where a figure is known for the same pair the figure row is used.
LEVEL_ONLY_SOURCE = "PMC11446052 Table 4"
LEVEL_ONLY = {
    "identify_and_prepare_champions": [
        "Evidence Strength & Quality",
        "Relative Advantage",
        "Adaptability",
        "Complexity",
        "Structural Characteristics",
        "Compatibility",
        "Knowledge & Beliefs about the Intervention",
        "Opinion Leaders",
        "Key Stakeholders",
        "Innovation Participants",
    ],
    "build_a_coalition": [
        "Cosmopolitanism",
        "Structural Characteristics",
        "Compatibility",
        "Opinion Leaders",
        "Key Stakeholders",
    ],
    "conduct_local_consensus_discussions": [
        "Evidence Strength & Quality",
        "Relative Advantage",
        "Adaptability",
        "Patient Needs & Resources",
        "Compatibility",
        "Relative Priority",
        "Opinion Leaders",
        "Key Stakeholders",
    ],
    "inform_local_opinion_leaders": [
        "Evidence Strength & Quality",
        "Relative Advantage",
        "Knowledge & Beliefs about the Intervention",
        "Opinion Leaders",
        "Key Stakeholders",
    ],
    "capture_and_share_local_knowledge": [
        "Evidence Strength & Quality",
        "Adaptability",
        "Complexity",
        "Cosmopolitanism",
        "Structural Characteristics",
        "Available Resources",
        "Knowledge & Beliefs about the Intervention",
    ],
    "identify_early_adopters": [
        "Evidence Strength & Quality",
        "Adaptability",
        "Complexity",
        "Structural Characteristics",
        "Knowledge & Beliefs about the Intervention",
        "Opinion Leaders",
    ],
    "use_advisory_boards_and_workgroups": [
        "Patient Needs & Resources",
        "Cosmopolitanism",
        "Key Stakeholders",
        "Innovation Participants",
    ],
    "promote_network_weaving": ["Cosmopolitanism", "Structural Characteristics"],
    "visit_other_sites": ["Relative Advantage", "Cosmopolitanism"],
    "involve_executive_boards": ["Cosmopolitanism", "Key Stakeholders"],
    "develop_academic_partnerships": ["Evidence Strength & Quality", "Cosmopolitanism"],
    "recruit_designate_and_train_for_leadership": ["Opinion Leaders"],
    "model_and_simulate_change": ["Complexity"],
    "organize_clinician_implementation_team_meetings": ["Complexity"],
}

# The CFIR-ERIC Matching Tool applied in reverse (Yakovchenko et al. 2023, Implementation Science 18:49,
# Table 2): the CFIR 1.0 barrier the tool expects a strategy to address. No figure, and not a Level-2 claim: for
# two of these pairs (data warehousing 12%, record systems 16%, Waltz 2019 Table 1) the figure is below 20%, so
# pairs whose known figure is below 20% are dropped, and pairs already covered by a figure are not repeated.
TOOL_TOP_SOURCE = "Yakovchenko et al. (2023, Table 2)"
TOOL_TOP = [
    ("use_data_warehousing_techniques", "Reflecting & Evaluating"),
    ("change_physical_structure_and_equipment", "Available Resources"),
    ("change_record_systems", "Reflecting & Evaluating"),
    ("use_data_experts", "Reflecting & Evaluating"),
    ("promote_network_weaving", "Networks & Communications"),
    ("facilitate_relay_of_clinical_data_to_providers", "Reflecting & Evaluating"),
    ("tailor_strategies", "Compatibility"),
    ("identify_and_prepare_champions", "Champions"),
    ("promote_adaptability", "Adaptability"),
    ("provide_ongoing_consultation", "Self-efficacy"),
    ("distribute_educational_materials", "Access to Knowledge & Information"),
    ("purposely_reexamine_the_implementation", "Executing"),
    ("capture_and_share_local_knowledge", "Adaptability"),
    ("conduct_educational_meetings", "Access to Knowledge & Information"),
]

# Waltz 2019 Table 2: (Level-1, Level-2) strategy counts per barrier, for the rows that could be read. Used to
# check the table (never more Level-1 or Level-2 rows than the paper has) and in the docs.
LEVEL_COUNTS = {
    "Intervention Source": (0, 9),
    "Evidence Strength & Quality": (0, 10),
    "Relative Advantage": (0, 11),
    "Adaptability": (1, 10),
    "Trialability": (0, 10),
    "Complexity": (0, 15),
    "Design Quality & Packaging": (0, 7),
    "Cost": (1, 9),
    "Patient Needs & Resources": (3, 5),
    "Cosmopolitanism": (3, 7),
    "Peer Pressure": (0, 8),
}


# Facilitators: construct -> (action, why it is an asset). Written for each construct (defect 11 of issue 10).
ASSET = {
    "innovation.source": (
        "Let the developer or sponsor people already trust introduce the innovation to the staff who still doubt it.",
        "people trust where the innovation comes from, so that credibility can carry its introduction",
    ),
    "innovation.evidence_base": (
        "Put the evidence people already accept into the briefings and job aids for the innovation, in one plain paragraph.",
        "the evidence is already believed, so it can answer doubts about the change rather than start a debate",
    ),
    "innovation.relative_advantage": (
        "Ask staff who see the innovation's advantage to say in their own words what it does better than the current way.",
        "a visible advantage is the strongest argument for adoption when it comes from peers",
    ),
    "innovation.adaptability": (
        "Use the room to adapt: agree which parts can be fitted to this site and record each adaptation as it is made.",
        "an innovation that can be adapted lets the site solve its other barriers without losing the core",
    ),
    "innovation.trialability": (
        "Try each new part of the innovation first as a small, reversible trial in one unit, and share what it shows before it spreads.",
        "a small trial lowers the risk people feel and gives early local evidence",
    ),
    "innovation.complexity": (
        "Keep the innovation simple as it spreads: protect the steps that make it easy and do not add extras.",
        "simplicity eases every later stage; it is easy to lose as pieces are added",
    ),
    "innovation.design": (
        "Reuse the innovation's well-designed materials as they are for training, reminders and recipients' information.",
        "good packaging saves the site from writing its own materials",
    ),
    "innovation.cost": (
        "Show leaders and funders the affordable cost early, with what it buys, to secure the budget line.",
        "an affordable innovation is easier to keep funded once its cost is known",
    ),
    "outer_setting.critical_incidents": (
        "Use the momentum of the recent event to explain why the innovation matters now, without exploiting harm.",
        "an outside event that favours the change gives it urgency and attention",
    ),
    "outer_setting.local_attitudes": (
        "Invite the community voices that support the innovation to help explain it to those who are unsure.",
        "supportive local attitudes make community partners natural messengers",
    ),
    "outer_setting.local_conditions": (
        "Connect the innovation to the local conditions that help it (transport, services, community assets) and name them in the plan.",
        "favourable local conditions can be built into how the innovation reaches people",
    ),
    "outer_setting.partnerships_connections": (
        "Ask existing partners to share referrals, data or staff for the innovation, starting with the strongest tie.",
        "established partnerships are a ready channel for resources and recipients",
    ),
    "outer_setting.policies_laws": (
        "Cite the policy or law that supports the innovation in the business case and the staff briefing.",
        "supportive policy gives the change legitimacy and sometimes funding",
    ),
    "outer_setting.financing": (
        "Map the external funding that can pay for the innovation and plan to draw on it before current money ends.",
        "available financing is the base of a sustainability plan",
    ),
    "outer_setting.external_pressure": (
        "Link the innovation to the outside expectations the site already has to meet, so the work counts twice.",
        "outside pressure that favours the change keeps it on leaders' agendas",
    ),
    "outer_setting.external_pressure.societal": (
        "Draw on the public concern behind the innovation when talking with leaders and partners, with the community's consent.",
        "societal pressure in its favour gives the innovation standing beyond the organization",
    ),
    "outer_setting.external_pressure.market": (
        "Point to peer organizations that already offer the innovation when asking for commitment and resources.",
        "competition from peers is a reason leaders accept",
    ),
    "outer_setting.external_pressure.performance_measurement": (
        "Align the innovation's measures with the external performance measures the site already reports.",
        "measures that reward the change make monitoring it part of existing work",
    ),
    "inner_setting.structural_characteristics": (
        "Use the structures that already work (teams, meetings, reporting lines) to host the innovation rather than building new ones.",
        "good existing structures save the cost and delay of new ones",
    ),
    "inner_setting.structural_characteristics.physical_infrastructure": (
        "Book the suitable space and equipment the site already has for the innovation's sessions.",
        "ready space and equipment remove a common delay",
    ),
    "inner_setting.structural_characteristics.it_infrastructure": (
        "Build the innovation's records, prompts and reports into the information systems staff already use.",
        "working IT lets the innovation be documented and monitored without extra entry",
    ),
    "inner_setting.structural_characteristics.work_infrastructure": (
        "Assign the innovation's tasks within the existing, well-staffed workflow and name who does each.",
        "a sound organization of work can absorb the new tasks",
    ),
    "inner_setting.relational_connections": (
        "Ask people with strong working relationships across teams to carry news of the innovation and bring problems back.",
        "good relationships spread the change and surface problems early",
    ),
    "inner_setting.communications": (
        "Use the channels that already reach everyone (huddles, newsletters, team meetings) for the innovation's updates.",
        "working communication channels carry the change at no extra cost",
    ),
    "inner_setting.culture": (
        "Name the values of the organization the innovation expresses and use them when explaining it.",
        "a culture that fits the change makes it feel like the organization's own",
    ),
    "inner_setting.culture.human_equality_centeredness": (
        "Ask those who lead the organization's equity work to review the innovation's reach and adaptations.",
        "a culture that values equality supports the equity work the innovation needs",
    ),
    "inner_setting.culture.recipient_centeredness": (
        "Ask staff known for putting recipients first to shape how recipients are told about the innovation.",
        "a recipient-centred culture makes recipients' experience the measure of the change",
    ),
    "inner_setting.culture.deliverer_centeredness": (
        "Use the organization's care for its staff to protect time and support for those who will deliver the innovation.",
        "a culture that looks after deliverers helps them take on new work",
    ),
    "inner_setting.culture.learning_centeredness": (
        "Treat the innovation's early problems as learning: review them openly in the site's existing learning forums.",
        "a learning culture turns early problems into improvement rather than blame",
    ),
    "inner_setting.tension_for_change": (
        "Use the shared sense that the current situation cannot continue to agree the next concrete step, and its date, with leaders.",
        "felt need for change is energy for adoption that fades if unused",
    ),
    "inner_setting.compatibility": (
        "Show how the innovation fits the existing workflow step by step, so staff see it as part of their work.",
        "a good fit with current work lowers the effort of adoption",
    ),
    "inner_setting.relative_priority": (
        "Keep the innovation on the priority list it already holds: report its progress where priorities are reviewed.",
        "a high priority secures attention and resources while it is kept visible",
    ),
    "inner_setting.incentive_systems": (
        "Connect doing the innovation well to the recognition and rewards the organization already gives.",
        "existing incentives can reward the new practice at no extra cost",
    ),
    "inner_setting.mission_alignment": (
        "Show in the plan how the innovation serves the organization's mission, in the mission's own words.",
        "alignment with the mission makes the change easier to defend",
    ),
    "inner_setting.available_resources": (
        "List the resources already available for the innovation and commit them in the plan before they are used elsewhere.",
        "resources at hand are only an asset when they are claimed for the work",
    ),
    "inner_setting.available_resources.funding": (
        "Ring-fence the funding already available for the innovation and plan how it will be replaced when it ends.",
        "current funding is the base of a sustainability plan",
    ),
    "inner_setting.available_resources.space": (
        "Reserve the available space for the innovation's sessions on a regular schedule.",
        "available space removes a common scheduling barrier",
    ),
    "inner_setting.available_resources.materials_equipment": (
        "Check the available materials and equipment against the innovation's needs and assign someone to keep them stocked.",
        "ready materials prevent delays when delivery starts",
    ),
    "inner_setting.access_to_knowledge": (
        "Point staff to the guidance and experts they can already reach, from the first day of the innovation.",
        "good access to knowledge lets people solve problems themselves",
    ),
    "individuals.high_level_leaders": (
        "Ask the supportive senior leader to say in public why the innovation matters and to review its progress quarterly.",
        "visible senior support gives the change authority and resources",
    ),
    "individuals.mid_level_leaders": (
        "Ask supportive middle managers to protect their staff's time for the innovation and report blocks upward.",
        "middle managers who support the change turn decisions into daily practice",
    ),
    "individuals.opinion_leaders": (
        "Invite the respected colleagues who already support the innovation to share their view at team meetings.",
        "people follow the opinion leaders they respect",
    ),
    "individuals.implementation_facilitators": (
        "Schedule the available facilitators for the hardest parts of the plan (conflict, decisions, tests of change).",
        "skilled facilitation is most useful where the work is hardest",
    ),
    "individuals.implementation_leads": (
        "Give the capable implementation lead the authority and time the plan needs, in writing.",
        "a strong lead is an asset only with the authority to act",
    ),
    "individuals.implementation_team_members": (
        "Give the committed team members clear roles in the plan and time to meet.",
        "a capable team carries the work between the lead's decisions",
    ),
    "individuals.other_implementation_support": (
        "Agree with the available support staff (administrative, data, IT) what they will do for the innovation and when.",
        "support staff speed up the practical work when asked early",
    ),
    "individuals.innovation_deliverers": (
        "Ask the deliverers most at ease with the innovation to show colleagues how they work.",
        "confident deliverers are the proof, to their colleagues, that the innovation works here",
    ),
    "individuals.innovation_recipients": (
        "Invite recipients who welcome the innovation to advise on how it is offered to others like them.",
        "recipients who welcome the change can say what will make it work for their peers",
    ),
    "individuals.need": (
        "State the need people feel in the innovation's first message and show how it answers that need.",
        "a felt need is the strongest motive to take up the change",
    ),
    "individuals.capability": (
        "Ask the people who already have the skills to coach others during the first weeks of delivery.",
        "existing capability can be shared through peers",
    ),
    "individuals.opportunity": (
        "Protect the time, access and authority people already have for the innovation when schedules are set.",
        "opportunity to act is easily lost to other demands",
    ),
    "individuals.motivation": (
        "Give motivated staff visible roles in the work, and thank them in public for it.",
        "motivation spreads when it is seen and recognized",
    ),
    "process.teaming": (
        "Keep the team's working habits (regular meetings, shared decisions) as the innovation's main coordination point.",
        "a team that already works together can take on the change without new structures",
    ),
    "process.assessing_needs": (
        "Use the needs already assessed to set the innovation's first targets and who it should reach.",
        "a good needs assessment tells the plan where to start",
    ),
    "process.assessing_needs.deliverers": (
        "Use what deliverers said they need to plan their training, time and support.",
        "deliverers' stated needs make support fit their work",
    ),
    "process.assessing_needs.recipients": (
        "Use what recipients said they need to decide how, where and when the innovation is offered.",
        "recipients' stated needs make the service fit their lives",
    ),
    "process.assessing_context": (
        "Use the context assessment to choose strategies for the barriers it found, and share it with partners.",
        "a completed assessment is the base for tailoring",
    ),
    "process.planning": (
        "Keep the plan that works as the shared reference: review it at team meetings and update it on a fixed date.",
        "a good plan helps only when people keep using it",
    ),
    "process.tailoring_strategies": (
        "Continue to match strategies to barriers as they change, using the method the team already uses.",
        "tailoring is a habit worth keeping as the context shifts",
    ),
    "process.engaging": (
        "Ask the people already engaged to invite others and to say what brought them in.",
        "engaged people are the best recruiters",
    ),
    "process.engaging.deliverers": (
        "Ask engaged deliverers to pair with colleagues who have not yet started.",
        "peer pairing extends deliverers' engagement to others",
    ),
    "process.engaging.recipients": (
        "Keep recipients' engagement going: report back what changed because of their input.",
        "engagement lasts when people see their influence",
    ),
    "process.doing": (
        "Record what makes delivery go well so it can be taught to the next unit or site.",
        "smooth delivery is knowledge worth writing down",
    ),
    "process.reflecting_evaluating": (
        "Use the site's review habit to check the innovation's results at each review point.",
        "a reflection routine already in place makes monitoring cheap",
    ),
    "process.reflecting_evaluating.implementation": (
        "Add the implementation's own measures (reach, fidelity) to the reviews the site already holds.",
        "reviews already in place can carry implementation measures",
    ),
    "process.reflecting_evaluating.innovation": (
        "Share the innovation's outcome data with staff and recipients at the existing review points.",
        "seeing results keeps people committed",
    ),
    "process.adapting": (
        "Keep the adaptation routine: every change is proposed, tested, recorded and checked against the core.",
        "a good adaptation routine protects fidelity while the innovation fits in",
    ),
}
ASSET_OUTCOME = {  # by domain: the outcome a strength mostly carries (authors' reading)
    "innovation": ["acceptability", "appropriateness"],
    "outer_setting": ["sustainability"],
    "inner_setting": ["feasibility"],
    "individuals": ["adoption"],
    "process": ["fidelity"],
}


def _pairs():
    """The embedded figures plus, with --found FILE, any further sourced figures of a research file."""
    out = [{"barrier": b, "strategy": s, "pct": pct, "source": src} for b, s, pct, src in PUBLISHED]
    if "--found" in sys.argv:
        extra = yaml.safe_load(open(sys.argv[sys.argv.index("--found") + 1], encoding="utf-8"))
        out += [p for p in extra.get("pairs", []) if p.get("pct") is not None and p.get("source")]
    return out


# CFIR 1.0 barrier (tool name) -> CFIR 2.0 ids this pack applies the barrier's memberships to (our crosswalk,
# after Damschroder et al. 2022's mapping of 1.0 constructs to 2.0; reasons in docs/knowledge-base.md).
XWALK = {
    "Reflecting & Evaluating": [
        "process.reflecting_evaluating",
        "process.reflecting_evaluating.implementation",
        "process.reflecting_evaluating.innovation",
    ],
    "Planning": ["process.planning"],
    # leaders formally appointed to lead the implementation are CFIR 2.0's implementation leads, not team members
    "Formally Appointed Internal Implementation Leaders": ["individuals.implementation_leads"],
    "Key Stakeholders": ["process.engaging.deliverers"],
    "Organizational Incentives & Rewards": ["inner_setting.incentive_systems"],
    "Networks & Communications": ["inner_setting.relational_connections", "inner_setting.communications"],
    "Adaptability": ["innovation.adaptability"],
    "Complexity": ["innovation.complexity"],
    # recipients' needs, not the recipients' role: CFIR 2.0 asks whether needs are assessed and put first
    "Patient Needs & Resources": [
        "process.assessing_needs.recipients",
        "inner_setting.culture.recipient_centeredness",
    ],
    "Compatibility": ["inner_setting.compatibility"],
    # belief in one's ability to act: COM-B capability and (reflective) motivation
    "Self-efficacy": ["individuals.capability", "individuals.motivation"],
    "Evidence Strength & Quality": ["innovation.evidence_base"],
    "Relative Advantage": ["innovation.relative_advantage"],
    # 1.0's "social architecture, age, maturity and size" is 2.0's work infrastructure; physical and IT
    # infrastructure are new in 2.0 and keep the authors' judgement
    "Structural Characteristics": [
        "inner_setting.structural_characteristics",
        "inner_setting.structural_characteristics.work_infrastructure",
    ],
    # knowledge is capability, beliefs about the innovation are motivation
    "Knowledge & Beliefs about the Intervention": ["individuals.capability", "individuals.motivation"],
    "Opinion Leaders": ["individuals.opinion_leaders"],
    "Innovation Participants": ["process.engaging.recipients"],  # the tool's "Patients/consumers"
    "Cosmopolitanism": ["outer_setting.partnerships_connections"],
    # 1.0 lists money, training, education, space and time; the sourced strategies do not address money, so the
    # funding subconstruct keeps the financial strategies of the authors' judgement (see the docs)
    "Available Resources": [
        "inner_setting.available_resources",
        "inner_setting.available_resources.space",
        "inner_setting.available_resources.materials_equipment",
    ],
    "Relative Priority": ["inner_setting.relative_priority"],
    "Access to Knowledge & Information": ["inner_setting.access_to_knowledge"],
    "Executing": ["process.doing"],
}
NO_2_0_HOME = {"Champions": "CFIR 2.0 has no champion role; champions are described within the roles"}


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


KIND_RANK = {"figure": 0, "level_only": 1, "tool_top": 2}
memberships = {}  # construct -> {strategy: membership dict}; the strongest evidence wins per construct
figures = {}  # (CFIR 1.0 barrier, strategy) -> pct, for the consistency checks
skipped = []  # (strategy, barrier, why) for the docs


def _add(c, m):
    old = memberships.setdefault(c, {}).get(m["strategy"])
    if old is None or (KIND_RANK[m["kind"]], -(m["pct"] or 0)) < (KIND_RANK[old["kind"]], -(old["pct"] or 0)):
        memberships[c][m["strategy"]] = m


for p in _pairs():
    if p.get("pct") is None or p["pct"] < 20 or not p.get("source"):
        continue
    b, s = p["barrier"], p["strategy"]
    if b not in XWALK:
        print("WARNING: no crosswalk for barrier", b, file=sys.stderr)
        continue
    if s not in S:
        print("WARNING: no actions for strategy", s, file=sys.stderr)
        continue
    if (b, s) in figures:
        continue
    figures[(b, s)] = p["pct"]
    prov, srcs = provenance(p["source"])
    for c in XWALK[b]:
        _add(
            c,
            {
                "strategy": s,
                "kind": "figure",
                "pct": p["pct"],
                "level": 1 if p["pct"] >= 50 else 2,
                "v1": b,
                "prov": prov,
                "sources": srcs,
            },
        )

level_only_pairs = set()
for s, barriers in LEVEL_ONLY.items():
    assert s in S, s
    for b in barriers:
        assert b in XWALK, b
        level_only_pairs.add((b, s))
        if (b, s) in figures:  # the figure row says more; the two sources agree (>= 20%)
            continue
        for c in XWALK[b]:
            _add(
                c,
                {
                    "strategy": s,
                    "kind": "level_only",
                    "pct": None,
                    "level": 2,
                    "v1": b,
                    "prov": LEVEL_ONLY_SOURCE,
                    "sources": ["pmc11446052"],
                },
            )

for s, b in TOOL_TOP:
    below = TABLE1_BELOW_20.get(s) if b == "Reflecting & Evaluating" else None
    if b in NO_2_0_HOME:
        skipped.append((s, b, NO_2_0_HOME[b]))
    elif below is not None:
        skipped.append((s, b, f"Waltz 2019 Table 1 gives {below}%, below the Level-2 line"))
    elif (b, s) in figures or (b, s) in level_only_pairs:
        continue  # already a row with better evidence
    else:
        for c in XWALK[b]:
            _add(
                c,
                {
                    "strategy": s,
                    "kind": "tool_top",
                    "pct": None,
                    "level": None,
                    "v1": b,
                    "prov": TOOL_TOP_SOURCE,
                    "sources": ["yakovchenko-2023"],
                },
            )

# Checks against the published counts and Table 1: the table never claims more than the papers do.
for b, (n1, n2) in LEVEL_COUNTS.items():
    got1 = sum(1 for (bb, _), pct in figures.items() if bb == b and pct >= 50)
    got2 = sum(1 for (bb, _), pct in figures.items() if bb == b and 20 <= pct < 50)
    assert got1 <= n1 and got2 <= n2, (b, got1, n1, got2, n2)
for s in TABLE1_BELOW_20:
    assert ("Reflecting & Evaluating", s) not in figures and ("Reflecting & Evaluating", s) not in level_only_pairs, s
assert set(STAGE_FIT) == set(S) == set(OUTCOME), (set(S) ^ set(STAGE_FIT), set(S) ^ set(OUTCOME))
for s, (stages, _why) in STAGE_FIT.items():
    assert stages and all(x in v.STAGES for x in stages), s
for s, outs in OUTCOME.items():
    assert outs and all(o in v.TAG_VOCABULARIES["implementation_outcome"] for o in outs), s
for s, lv in SPECTRUM.items():
    assert s in S and all(x in v.TAG_VOCABULARIES["spectrum_level"] for x in lv), s
# Authors' judgement: construct -> (CFIR 1.0 provenance note, [strategies], reason, extra tags)
J = {
    "innovation.source": (
        "Intervention Source (no figure recovered)",
        ["inform_local_opinion_leaders", "capture_and_share_local_knowledge"],
        "doubts about who developed an innovation are eased when trusted local people vouch for it and local experience with it is shared",
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
    "inner_setting.mission_alignment": (
        "Goals & Feedback / Individual Identification with Organization (no figure recovered)",
        ["conduct_local_consensus_discussions", "involve_executive_boards"],
        "misalignment with the mission is settled by discussing how the innovation serves it, with leaders in the room",
        {},
    ),
    # kept beside the published memberships: those cover no financial strategy (see BESIDE_SOURCED)
    "inner_setting.available_resources": (
        "Available Resources (published memberships, PMC11446052 and Yakovchenko 2023, include no financial strategy)",
        ["access_new_funding", "develop_resource_sharing_agreements"],
        "missing resources are found by new funding or by sharing with partners, which the published lists do not cover",
        {},
    ),
    "inner_setting.available_resources.funding": (
        "Available Resources (no figure recovered)",
        ["access_new_funding", "fund_and_contract_for_the_clinical_innovation"],
        "a funding gap needs new sources or a funder who writes the innovation into contracts",
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
    "individuals.implementation_team_members": (
        "Formally Appointed Internal Implementation Leaders (figure applied to implementation leads only)",
        ["organize_clinician_implementation_team_meetings", "revise_professional_roles"],
        "team members who cannot carry the work need a regular place to solve problems together and the time written into their roles",
        {},
    ),
    "individuals.innovation_recipients": (
        "Innovation Participants (no figure recovered; Patient Needs & Resources figures go to recipients' needs, not this role)",
        ["involve_patients_consumers_and_family_members", "prepare_patients_consumers_to_be_active_participants"],
        "when the people the innovation serves are themselves the difficulty (not reached, not taking part, not convinced), they need a real role in shaping it and plain information on what it offers",
        {},
    ),
    "individuals.innovation_deliverers": (
        "Knowledge & Beliefs / Key Stakeholders (no deliverer-specific figure)",
        ["conduct_educational_outreach_visits", "provide_clinical_supervision"],
        "the people delivering the innovation need one-to-one engagement in their setting and ongoing support",
        {},
    ),
    "individuals.need": (
        "Individual Stage of Change (no figure recovered; Patient Needs & Resources figures go to recipients' needs)",
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
    "process.teaming": (
        "none: new in CFIR 2.0",
        ["organize_clinician_implementation_team_meetings", "create_new_clinical_teams"],
        "weak teaming is helped by regular team meetings and a team built for the work",
        {},
    ),
    "process.assessing_needs": (
        "Patient Needs & Resources (figures applied to the recipients subconstruct only)",
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
uncovered = [c for c in ids if c not in memberships and c not in J]
# Constructs whose published memberships leave out a whole kind of answer a practitioner needs keep those
# judgement rows beside them (documented in docs/knowledge-base.md); everywhere else a source replaces them.
BESIDE_SOURCED = {"inner_setting.available_resources"}
both = [c for c in ids if c in memberships and c in J and c not in BESIDE_SOURCED]
assert not uncovered, uncovered
assert not both, both  # a sourced membership replaces the authors' judgement for that construct
assert set(ASSET) == set(ids), set(ids) ^ set(ASSET)

try:  # optional rule fields the plan layer adds; emitted only when the engine knows them
    from engine.rulepacks.rulemodel import RuleModel

    HAS_STAGES = "stages" in RuleModel.model_fields
    HAS_EVIDENCE_LEVEL = "evidence_level" in RuleModel.model_fields
except Exception:  # pragma: no cover - the engine is importable wherever this script runs
    HAS_STAGES = HAS_EVIDENCE_LEVEL = False


WAITS_FOR_SOVEREIGNTY = frozenset(
    {
        "conduct_local_needs_assessment",
        "audit_and_provide_feedback",
        "obtain_and_use_patients_consumers_and_family_feedback",
        "assess_for_readiness_and_identify_barriers_and_facilitators",
        "develop_and_organize_quality_monitoring_systems",
        "develop_and_implement_tools_for_quality_monitoring",
        "inform_local_opinion_leaders",
        "identify_and_prepare_champions",
        "identify_early_adopters",
    }
)
"""Strategies that gather data or reach community members through outside channels: while a case leaves
`equity.tribal_sovereignty` unstated but its own words suggest a Tribal Nation, or leaves a critical incident
unstated that its words suggest (a cue each), they wait for the answer (the Nation's approvals and data
governance come first; after a shooting or a death, people before surveys)."""

KEY_SHORT = {
    "assess_for_readiness_and_identify_barriers_and_facilitators": "assess_readiness_and_barriers",
    "purposely_reexamine_the_implementation": "purposely_reexamine_implementation",
    "develop_and_implement_tools_for_quality_monitoring": "quality_monitoring_tools",
    "develop_and_organize_quality_monitoring_systems": "quality_monitoring_systems",
    "develop_a_formal_implementation_blueprint": "formal_implementation_blueprint",
    "obtain_and_use_patients_consumers_and_family_feedback": "use_patient_and_family_feedback",
    "conduct_cyclical_small_tests_of_change": "cyclical_small_tests_of_change",
    "organize_clinician_implementation_team_meetings": "implementation_team_meetings",
    "recruit_designate_and_train_for_leadership": "recruit_and_train_for_leadership",
    "facilitate_relay_of_clinical_data_to_providers": "relay_clinical_data_to_providers",
    "involve_patients_consumers_and_family_members": "involve_patients_and_families",
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": "intervene_for_uptake_and_adherence",
    "prepare_patients_consumers_to_be_active_participants": "prepare_patients_to_participate",
    "fund_and_contract_for_the_clinical_innovation": "fund_and_contract_for_innovation",
    "place_innovation_on_fee_for_service_lists_formularies": "fee_for_service_lists_formularies",
    "alter_incentive_allowance_structures": "alter_incentive_structures",
    "change_physical_structure_and_equipment": "change_physical_structure",
    "create_or_change_credentialing_and_or_licensure_standards": "credentialing_licensure_standards",
    "change_accreditation_or_membership_requirements": "accreditation_membership_rules",
}
"""ERIC ids too long for an item key (`implementation_strategy:eric:<id>`, at most 64 characters), shortened once,
by hand, so they read: keys never change."""


def item_key(strategy):
    return "eric:" + KEY_SHORT.get(strategy, strategy)


def q(s):  # YAML double-quoted
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tags_yaml(d, indent):
    out = []
    for k, vals in d.items():
        if vals:
            out.append(f"{indent}{k}: [{', '.join(vals)}]")
    return out


FOLLOWS = {
    # two answers to one records problem: the record change comes first, the warehouse builds on it
    "use_data_warehousing_techniques": ("change_record_systems",),
}
"""Strategy -> strategies whose items it follows when both are in the plan (near-duplicates: one waits)."""

TRIBAL_FIRST = ("EQ-TRIBAL-DATA-GOVERNANCE", "EQ-TRIBAL-SOVEREIGNTY")
"""Equity rules every ERIC row follows when they fire (issue 10: sovereignty before any data collection)."""


# Strategies whose usual action presumes the innovation is already in use here: before initial implementation
# (exploration, installation) their rows carry an early action instead (nobody here delivers it yet). Each
# entry: the early actions and the specification target. The in-use row keeps S's action and also fires when
# the stage is not stated.
EARLY = {
    "capture_and_share_local_knowledge": (
        [
            "Ask two comparable sites or communities that already use {innovation} what made it work and what they "
            "would do differently, and note what staff and the people it is meant for here already know about the "
            "problem and about fit; share both with the team and with {people:leadership}, in their words."
        ],
        "two comparable sites or communities already using the innovation, and local staff and recipients",
    ),
}
EARLY_STAGES = (EX, INS)


# ---------------------------------------------------------------- naming the site's people (text variants)
# A row's actions name the people, and the assets, the case lists where they are the strategy's natural actors or
# targets (docs/rule-language.md, "Naming the site's people, events and assets"). Each entry: one list per action
# slot, of alternatives `(needs, text)`, the first whose needs the case states wins; the last alternative needs
# nothing and is the row's own action (None: no action in that slot). A need is a people group (the case lists
# someone of it: `people.<group>.count >= 1`) or `asset:<kind>` (`assets.<kind>`). A text may name only what its
# own needs guarantee (the loader refuses anything else). Every distinct choice of alternatives becomes one `texts:`
# variant, ordered so that the first variant whose condition holds is the one the case's people choose (see
# `site_variants`). Placeholders stand where a role phrase with its own clause ("the nurses, who start the
# orders") still reads: at the end of a sentence or between commas. The wording is the ISP Advisor authors'.
FRONT = "frontline_staff"
TEAM = "implementation_team"
LEAD = "leadership"
CHAMP = "champion"
ADVISORY = "advisory_group"
COMMUNITY = "community_members"
FUNDER = "funder"
SPONSOR = "sponsor"
NATION = "tribal_government"
PARTNER_ORG = "community_organization"

SITE_TEXTS = {
    "capture_and_share_local_knowledge": [
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: where does {innovation} already work for you, and what made it work?",
            ),
            (
                (),
                "Interview two people or teams for whom the innovation is working and share how they made it work, in "
                "their words.",
            ),
        ],
        [
            (
                (FRONT,),
                "Interview two of them, people or teams, for whom it works best, and share how they made it work "
                "with the others, in their words.",
            ),
            ((), None),
        ],
    ],
    "facilitation": [
        [
            (
                (NATION,),
                "Before setting up a regular, structured problem-solving session with the team, agree who "
                "facilitates it, and on what terms, with {person:tribal_government}.",
            ),
            (
                (FRONT,),
                "Agree with the team, and with {people:frontline_staff}, a regular, structured problem-solving "
                "session led by a trained facilitator (internal or external).",
            ),
            (
                (COMMUNITY,),
                "Agree with the team a regular, structured problem-solving session led by a trained "
                "facilitator (internal or external), and ask {people:community_members}: will you join it, "
                "or would you rather hold sessions of your own?",
            ),
            (
                (),
                "Agree with the team a regular, structured problem-solving session led by a trained facilitator "
                "(internal or external).",
            ),
        ],
    ],
    "tailor_strategies": [
        [
            (
                (FRONT,),
                "Review the current implementation strategies against this site's main barriers with "
                "{people:frontline_staff}, and change at least one that does not fit.",
            ),
            (
                (),
                "Review the current implementation strategies against this site's main barriers and change at least "
                "one that does not fit.",
            ),
        ],
        [((ADVISORY,), "Before the change is made, ask for the view of {people:advisory_group}."), ((), None)],
    ],
    "organize_clinician_implementation_team_meetings": [
        [
            (
                (FRONT,),
                "Set a protected 30-45 minute implementation team meeting every two weeks with a fixed agenda "
                "(data, problems, decisions, owners), and include on the team at least one of each kind of staff "
                "who deliver the innovation: {people:frontline_staff}.",
            ),
            (
                (),
                "Set a protected 30-45 minute implementation team meeting every two weeks with a fixed agenda: data, "
                "problems, decisions, owners.",
            ),
        ],
    ],
    "use_advisory_boards_and_workgroups": [
        [
            (
                (ADVISORY,),
                "Rather than forming a new board, ask the advisory body the site already has, "
                "{people:advisory_group}, whether they will advise on {innovation}, and agree with them a "
                "clear remit and a link to decision-makers.",
            ),
            (
                (FRONT,),
                "Set up or refresh a workgroup that includes recipients and front-line staff, with a clear remit "
                "and a link to decision-makers; invite the staff members from among {people:frontline_staff}.",
            ),
            (
                (),
                "Set up or refresh a workgroup that includes recipients and front-line staff, with a clear remit and a "
                "link to decision-makers.",
            ),
        ],
        [
            (
                (ADVISORY, FRONT),
                "For the practical work, form a small workgroup of members the advisory group chooses "
                "and staff drawn from {people:frontline_staff}.",
            ),
            ((), None),
        ],
    ],
    "develop_academic_partnerships": [
        [
            (
                (NATION,),
                "Before any joint work with a university or research partner starts, settle who owns, approves "
                "and publishes its data and findings, on terms set by {person:tribal_government}.",
            ),
            (
                (COMMUNITY,),
                "Ask {people:community_members}: which questions should a research partnership answer? Make "
                "them partners in the research rather than its subjects.",
            ),
            ((), None),
        ],
        [
            (
                (TEAM,),
                "With {people:implementation_team}, approach a university or research partner that can bring "
                "evaluation or content expertise, and agree one joint piece of work.",
            ),
            (
                (),
                "Approach a university or research partner that can bring evaluation or content expertise, and agree "
                "one joint piece of work.",
            ),
        ],
    ],
    "access_new_funding": [
        [
            (
                (FUNDER,),
                "Ask those who fund the work now whether they could extend or add to their funding, and which "
                "other funders they would suggest: {people:funder}.",
            ),
            ((), None),
        ],
        "List funding sources that match the innovation (grants, contracts, reimbursement) and agree who pursues the "
        "best two, within three months, with {people:leadership}.",
    ],
    "identify_and_prepare_champions": [
        [
            (
                (CHAMP,),
                "Agree what the champion role means in hours and tasks with {person:champion}, and ask whom they "
                "would invite as a second champion.",
            ),
            (
                (),
                "Ask the team who is already enthusiastic and respected among {people:frontline_staff}; invite one or "
                "two of them to champion the work, and agree what that means in hours and tasks.",
            ),
        ],
        "Give champions a short preparation session and a regular check-in.",
    ],
    "identify_early_adopters": [
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: who wants to start first? Support those who do closely, and let "
                "the others see what they learn.",
            ),
            (
                (),
                "Find the staff or units who want to start first, support them closely, and let others see what they "
                "learn.",
            ),
        ],
    ],
    "change_physical_structure_and_equipment": [
        [
            (
                (FRONT,),
                "With {people:frontline_staff}, list the space and equipment the innovation needs and compare "
                "them with what exists.",
            ),
            ((), None),
        ],
        [
            (
                (FRONT,),
                "Take the most limiting gap, with a costed fix, to {people:leadership}, and agree who fixes it "
                "and by when.",
            ),
            (
                (),
                "List the space and equipment the innovation needs and compare them with what exists; take the most "
                "limiting gap, with a costed fix, to {people:leadership}, and agree who fixes it and by when.",
            ),
        ],
    ],
    "conduct_local_consensus_discussions": [
        [
            (
                (NATION,),
                "Hold a facilitated discussion on whether the problem matters here and whether this innovation "
                "is the right response, on terms agreed beforehand with {person:tribal_government}; take its "
                "outcome back to them for their decision.",
            ),
            (
                (FRONT,),
                "Hold a facilitated discussion on whether the problem matters here and whether this innovation is "
                "the right response, with partners and with {people:frontline_staff}.",
            ),
            (
                (COMMUNITY,),
                "Hold a facilitated discussion on whether the problem matters here and whether this "
                "innovation is the right response, with staff, partners and {people:community_members}.",
            ),
            (
                (),
                "Hold a facilitated discussion with staff and partners on whether the problem matters here and whether "
                "this innovation is the right response.",
            ),
        ],
    ],
    "develop_resource_sharing_agreements": [
        [
            (
                (PARTNER_ORG,),
                "Ask {people:community_organization}: which staff, space, equipment or data could you "
                "share? Agree the sharing in writing, signed for the site by {people:leadership}.",
            ),
            (
                (TEAM,),
                "With {people:implementation_team}, list what the work lacks that a partner organization could "
                "share (staff, space, equipment or data), then agree the sharing with that partner in writing, "
                "signed for the site by {people:leadership}.",
            ),
            (
                (),
                "Agree with a partner organization to share staff, space, equipment or data, in writing, signed for "
                "the site by {people:leadership}.",
            ),
        ],
    ],
    "build_a_coalition": [
        [
            (
                (NATION,),
                "Before inviting anyone, let the Nation decide whether a coalition serves it here and who "
                "convenes it: ask {person:tribal_government}.",
            ),
            ((), None),
        ],
        [
            (
                (NATION,),
                "Bring together the organizations affected by the same barrier and agree one shared goal and one "
                "joint action.",
            ),
            (
                (FRONT,),
                "Ask {people:frontline_staff}: which other organizations do you see caught up in the same "
                "barrier? Bring those together and agree one shared goal and one joint action.",
            ),
            (
                (),
                "Bring together the organizations affected by the same barrier and agree one shared goal and one joint "
                "action.",
            ),
        ],
    ],
    "model_and_simulate_change": [
        [
            (
                (FRONT,),
                "Run a walk-through or role-play of the new way of working with {people:frontline_staff}, before "
                "it goes live, and fix what the simulation exposes.",
            ),
            (
                (),
                "Run a walk-through or role-play of the new way of working before it goes live, and fix what the "
                "simulation exposes.",
            ),
        ],
        [((ADVISORY,), "Have the recipients' part played or reviewed by {people:advisory_group}."), ((), None)],
    ],
    "provide_clinical_supervision": [
        [
            (
                (FRONT, "supervisors"),
                "Set up regular supervision for the people delivering the innovation, focused on "
                "its core components: {people:frontline_staff}, supervised by "
                "{people:supervisors}.",
            ),
            (
                (FRONT,),
                "Set up regular supervision for the people delivering the innovation, focused on its core "
                "components: {people:frontline_staff}.",
            ),
            (
                ("supervisors",),
                "Set up regular supervision for the people delivering the innovation, focused on its core "
                "components, with {people:supervisors}.",
            ),
            (
                (),
                "Set up regular supervision for the people delivering the innovation, focused on the innovation's core "
                "components.",
            ),
        ],
    ],
    "use_other_payment_schemes": [
        [
            (
                (FUNDER,),
                "Explore with {people:funder}, and with other funders, alternative payment arrangements "
                "(bundled, value-based, braided funding) that would cover the innovation.",
            ),
            (
                (),
                "Explore with funders alternative payment arrangements (bundled, value-based, braided funding) that "
                "would cover the innovation.",
            ),
        ],
    ],
    "fund_and_contract_for_the_clinical_innovation": [
        [
            (
                (FUNDER,),
                "Ask {people:funder}, and any purchaser of the service, to write the innovation into their "
                "contracts or funding agreements.",
            ),
            ((), "Ask the funder or purchaser to write the innovation into contracts or funding agreements."),
        ],
    ],
    "develop_and_organize_quality_monitoring_systems": [
        [
            (
                ("asset:data_system",),
                "Map where the data the team needs are collected, who owns them and how often they "
                "are reported, starting with the system the site already has "
                "({asset:data_system}).",
            ),
            ((), "Map where the data the team needs are collected, who owns them and how often they are reported."),
        ],
        "Set a regular reporting cycle, and agree a named owner for the quality data with {people:leadership}.",
    ],
    "audit_and_provide_feedback": [
        [
            (
                (FRONT,),
                "Pull one month of performance data on a key practice and share it, by team or clinic, with the "
                "people delivering it: {people:frontline_staff}.",
            ),
            (
                ("asset:data_system",),
                "Pull one month of performance data on a key practice from the system the site "
                "already has ({asset:data_system}), and share it with the people delivering it, by "
                "team or clinic.",
            ),
            (
                (),
                "Pull one month of performance data on a key practice and share it with the people delivering it, by "
                "team or clinic.",
            ),
        ],
        "Pair every feedback report with a short discussion of one thing to try next month.",
    ],
    "facilitate_relay_of_clinical_data_to_providers": [
        [
            (
                (FRONT,),
                "Get the data that matter (for example who missed follow-up) to the front-line staff within days, "
                "in the tool they already use: {people:frontline_staff}.",
            ),
            (
                (),
                "Get the data that matter (for example who missed follow-up) to front-line staff within days, in the "
                "tool they already use.",
            ),
        ],
    ],
    "obtain_and_use_patients_consumers_and_family_feedback": [
        [
            (
                (ADVISORY,),
                "Within a month of starting this work, and with the help of {people:advisory_group}, ask a small "
                "group of recipients and family members for feedback on their experience, in their language and setting.",
            ),
            (
                (),
                "Within a month of starting this work, ask a small group of recipients and family members for "
                "feedback on their experience, in their language and setting.",
            ),
        ],
        "Report back what was changed as a result.",
    ],
    "involve_patients_consumers_and_family_members": [
        [
            (
                (ADVISORY,),
                "With the help of {people:advisory_group}, recruit recipients and family members (paid for "
                "their time) to help shape the innovation and its implementation, with a real role in "
                "decisions.",
            ),
            (
                (),
                "Recruit recipients and family members (paid for their time) to help shape the innovation and its "
                "implementation, with a real role in decisions.",
            ),
        ],
    ],
    "prepare_patients_consumers_to_be_active_participants": [
        "Give recipients short, accessible information on what the innovation offers and what questions to ask, "
        "through channels they trust.",
        [((ADVISORY,), "Before it goes out, have the information checked by {people:advisory_group}."), ((), None)],
    ],
    "promote_adaptability": [
        "Separate the innovation's core components from the parts that can be adapted, in writing, with the "
        "developer's guidance if available.",
        [
            (
                (FRONT,),
                "Agree with the team, and with {people:frontline_staff}, how local adaptations are proposed, "
                "tested and recorded.",
            ),
            ((), "Agree with the team how local adaptations are proposed, tested and recorded."),
        ],
    ],
    "conduct_educational_meetings": [
        [
            (
                (FRONT,),
                "Hold a short meeting on the evidence for the innovation and what it means for their work, with "
                "time for questions, for {people:frontline_staff}.",
            ),
            (
                (),
                "Hold a short meeting for the people concerned on the evidence for the innovation and what it means "
                "for their work, with time for questions.",
            ),
        ],
    ],
    "conduct_educational_outreach_visits": [
        [
            (
                (FRONT,),
                "Visit the front-line staff in their own work setting to discuss the innovation one-to-one and "
                "answer their concerns: {people:frontline_staff}.",
            ),
            (
                (),
                "Visit staff in their own work setting to discuss the innovation one-to-one and answer their concerns.",
            ),
        ],
    ],
    "distribute_educational_materials": [
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: where do you look for help in the moment you need it? Put guides, "
                "protocols and answers to common questions there.",
            ),
            (
                (),
                "Put guides, protocols and answers to common questions where staff can find them in the moment they "
                "need them.",
            ),
        ],
    ],
    "develop_educational_materials": [
        [
            (
                (FRONT,),
                "Produce short, plain guides and job aids for the innovation with the people who will use them: "
                "{people:frontline_staff}.",
            ),
            ((), "Produce short, plain guides and job aids for the innovation with the people who will use them."),
        ],
    ],
    "revise_professional_roles": [
        [
            (
                (FRONT,),
                "Review job descriptions and workloads with {people:frontline_staff}, so the innovation's tasks "
                "sit with a named role and fit in the working day.",
            ),
            (
                (),
                "Review job descriptions and workloads so the innovation's tasks sit with a named role and fit in the "
                "working day.",
            ),
        ],
    ],
    "obtain_formal_commitments": [
        [
            (
                (LEAD,),
                "Ask {people:leadership}, and the site's partners, for a written commitment of time, staff or "
                "resources for the next year, made in the organization's name so it holds if people change.",
            ),
            ((), "Ask leaders and partners for a written commitment of time, staff or resources for the next year."),
        ],
    ],
    "conduct_local_needs_assessment": [
        [
            (
                (FRONT,),
                "Gather existing data and talk with recipients and with {people:frontline_staff}, to confirm the "
                "need the innovation is meant to meet, and for whom.",
            ),
            (
                (),
                "Gather existing data and talk with recipients and staff to confirm the need the innovation is meant "
                "to meet, and for whom.",
            ),
        ],
        [
            ((COMMUNITY,), "Ask {people:community_members}: do you see the same need, and whom does it affect most?"),
            ((), None),
        ],
    ],
    "visit_other_sites": [
        "Arrange a visit (in person or online) to a site that has implemented the innovation well, with a list of "
        "questions prepared by the team.",
        [
            (
                (FRONT,),
                "Take at least one person on the visit from among {people:frontline_staff}, so what is seen "
                "reaches those who deliver the work.",
            ),
            ((), None),
        ],
    ],
    "develop_and_implement_tools_for_quality_monitoring": [
        [
            (
                (FRONT,),
                "Agree three to five quality indicators for the innovation with the team and with "
                "{people:frontline_staff}, and build a one-page monthly tracking sheet.",
            ),
            (
                (),
                "Agree three to five quality indicators for the innovation with the team and build a one-page monthly "
                "tracking sheet.",
            ),
        ],
        "Pilot the sheet for one month and fix what is hard to fill in.",
    ],
    "alter_incentive_allowance_structures": [
        [
            ((FRONT,), "First ask {people:frontline_staff}: which recognition or reward would matter to you?"),
            ((), None),
        ],
        [
            (
                (LEAD,),
                "Identify one incentive (recognition, protected time, performance targets, pay) that can reward "
                "doing the innovation well, and change it, working with {people:leadership}.",
            ),
            (
                (),
                "Work with leaders to identify one incentive (recognition, protected time, performance targets, pay) "
                "that can reward doing the innovation well, and change it.",
            ),
        ],
    ],
    "create_new_clinical_teams": [
        [
            (
                (FRONT,),
                "Form a small team with the mix of roles the innovation needs, drawing on "
                "{people:frontline_staff}, and give it protected time.",
            ),
            ((), "Form a small team with the mix of roles the innovation needs and give it protected time."),
        ],
    ],
    "purposely_reexamine_the_implementation": [
        [
            (
                (FRONT,),
                "Before a review point in the next month, ask {people:frontline_staff}: what is actually "
                "happening, compared with the plan? Then decide together what to change.",
            ),
            (
                (),
                "Schedule a review point in the next month to compare the plan with what is actually happening, and "
                "decide what to change.",
            ),
        ],
    ],
    "promote_network_weaving": [
        [
            (
                (FRONT,),
                "Map who works with whom on the innovation, starting with {people:frontline_staff}, and broker at "
                "least two new working connections across groups within a month of starting this work.",
            ),
            (
                (),
                "Map who works with whom on the innovation and broker at least two new working connections across "
                "groups within a month of starting this work.",
            ),
        ],
    ],
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence": [
        [
            (
                ("recipients",),
                "Find out why some recipients do not start or drop out, asking {people:recipients}, and add "
                "one practical support (reminders, transport, flexible times).",
            ),
            (
                (),
                "Find out with recipients why some do not start or drop out, and add one practical support (reminders, "
                "transport, flexible times).",
            ),
        ],
    ],
    "inform_local_opinion_leaders": [
        [
            (
                ("elders",),
                "Ask {people:elders}: do you wish to hear about {innovation}, and how? Brief them in person if "
                "they agree.",
            ),
            (
                (CHAMP,),
                "Ask {person:champion}: whose view do your colleagues listen to? Brief the two or three people "
                "named personally on the innovation and what it asks of people.",
            ),
            (
                (FRONT,),
                "Ask {people:frontline_staff}: whose view on this do you listen to? Brief the two or three people "
                "named most often personally on the innovation and what it asks of people.",
            ),
            (
                (),
                "Identify the two or three people others listen to and brief them personally on the innovation and "
                "what it asks of people.",
            ),
        ],
        [
            (
                ("elders",),
                "Identify the two or three people others listen to and brief them personally on the innovation "
                "and what it asks of people.",
            ),
            ((), None),
        ],
    ],
    "create_a_learning_collaborative": [
        [
            (
                ("asset:peer_network",),
                "Bring teams (or sites) working on the same innovation together regularly to "
                "share data and solutions, building on the network the site already belongs to "
                "({asset:peer_network}).",
            ),
            (
                (),
                "Bring teams (or sites) working on the same innovation together regularly to share data and solutions.",
            ),
        ],
    ],
    "change_service_sites": [
        [
            (
                (COMMUNITY,),
                "Ask {people:community_members}: where do people already go (community centres, schools, "
                "homes)? Test delivering the innovation at one of those places.",
            ),
            (
                (),
                "Consider delivering the innovation where people already are (community centres, schools, drop-in and outreach settings) and "
                "test one new site.",
            ),
        ],
    ],
    "increase_demand": [
        [
            (
                ("asset:trusted_messenger",),
                "Tell potential recipients what the innovation offers and how to get it, "
                "through the messengers the community already trusts: "
                "{asset:trusted_messenger}.",
            ),
            (
                (),
                "Tell potential recipients, through trusted messengers, what the innovation offers and how to get it.",
            ),
        ],
    ],
}
"""ERIC strategy -> its action slots with the site-specific alternatives (for every row of the strategy)."""

EARLY_SITE_TEXTS = {
    "capture_and_share_local_knowledge": [
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: what do you already know about the problem, and how would "
                "{innovation} fit your work? Ask the people it is meant for the same.",
            ),
            ((), None),
        ],
        [
            (
                (FRONT,),
                "Ask two comparable sites or communities that already use {innovation} what made it work and what "
                "they would do differently; share what you hear from them and from the people here with the team "
                "and with {people:leadership}, in their words.",
            ),
            ((), EARLY["capture_and_share_local_knowledge"][0][0]),
        ],
    ],
}
"""The same for the rows of EARLY (before the innovation is in use)."""

ASSET_SITE_TEXTS = {
    "innovation.evidence_base": [
        [
            (
                (FRONT,),
                "Put the evidence people already accept, in one plain paragraph, into the briefings and job aids "
                "for {people:frontline_staff}.",
            ),
            ((), ASSET["innovation.evidence_base"][0]),
        ],
        [((CHAMP,), "Have it presented by {person:champion}."), ((), None)],
    ],
    "inner_setting.tension_for_change": [
        [
            (
                (LEAD,),
                "Use the shared sense that the current situation cannot continue to agree the next concrete step, and its "
                "date, with {people:leadership}.",
            ),
            (
                (TEAM,),
                "Use the shared sense that the current situation cannot continue to agree the next concrete step, and its "
                "date, with leaders and with {people:implementation_team}.",
            ),
            ((), ASSET["inner_setting.tension_for_change"][0]),
        ],
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: what in the current situation do you most want changed? Use their "
                "words when the innovation is explained to others.",
            ),
            ((), None),
        ],
    ],
    "inner_setting.mission_alignment": [
        [((), ASSET["inner_setting.mission_alignment"][0])],
        [
            ((NATION,), "Check that reading of the mission with {person:tribal_government}."),
            ((COMMUNITY,), "Check that reading of the mission with {people:community_members}."),
            ((), None),
        ],
    ],
    "individuals.innovation_deliverers": [
        [
            (
                (FRONT,),
                "Ask {people:frontline_staff}: who is most at ease with the innovation and willing to show colleagues how they "
                "work?",
            ),
            ((), ASSET["individuals.innovation_deliverers"][0]),
        ],
    ],
    "outer_setting.partnerships_connections": [
        [
            (
                (PARTNER_ORG,),
                "Ask existing partners, among them {people:community_organization}, to share referrals, "
                "data or staff for the innovation, starting with the strongest tie.",
            ),
            ((), ASSET["outer_setting.partnerships_connections"][0]),
        ],
        [
            ((NATION,), "Share any data with partners only on terms approved by {person:tribal_government}."),
            ((COMMUNITY,), "Find out which partners the community trusts most by asking {people:community_members}."),
            ((), None),
        ],
    ],
    "innovation.relative_advantage": [
        [
            (
                (FRONT,),
                "Ask the staff who see the innovation's advantage, among {people:frontline_staff}, to say in their "
                "own words what it does better than the current way.",
            ),
            ((), ASSET["innovation.relative_advantage"][0]),
        ],
        [((TEAM,), "Write those words into the plan with {people:implementation_team}."), ((), None)],
    ],
    "inner_setting.culture": [
        [((), ASSET["inner_setting.culture"][0])],
        [
            (
                (LEAD,),
                "Ask {people:leadership}, when they speak about the innovation, to name those values themselves.",
            ),
            ((), None),
        ],
    ],
    "inner_setting.available_resources": [
        [
            (
                (LEAD,),
                "List the resources already available for the innovation and agree their commitment in the plan "
                "with {people:leadership}, before they are used elsewhere.",
            ),
            ((), ASSET["inner_setting.available_resources"][0]),
        ],
    ],
    "process.engaging.recipients": [
        [
            (
                ("recipients",),
                "Keep recipients' engagement going: after each decision their input shaped, tell them what "
                "changed, starting with {people:recipients}.",
            ),
            ((), ASSET["process.engaging.recipients"][0]),
        ],
    ],
    "inner_setting.culture.recipient_centeredness": [
        [
            (
                (ADVISORY,),
                "Ask staff known for putting recipients first to shape how recipients are told about the "
                "innovation, together with {people:advisory_group}.",
            ),
            ((), ASSET["inner_setting.culture.recipient_centeredness"][0]),
        ],
    ],
    "innovation.trialability": [
        [((), ASSET["innovation.trialability"][0])],
        [((FRONT,), "Ask {people:frontline_staff}: which unit or group should try it first?"), ((), None)],
    ],
    "individuals.high_level_leaders": [
        [
            (
                (SPONSOR,),
                "Ask the work's sponsor to say in public why the innovation matters and to review its progress "
                "quarterly: {person:sponsor}.",
            ),
            ((), ASSET["individuals.high_level_leaders"][0]),
        ],
    ],
    "innovation.cost": [
        [
            (
                (LEAD, FUNDER),
                "Show leaders and funders the affordable cost early, with what it buys, to secure the budget "
                "line; start with {people:leadership}, then {people:funder}.",
            ),
            (
                (LEAD,),
                "Show leaders and funders the affordable cost early, with what it buys, to secure the budget line; "
                "start with {people:leadership}.",
            ),
            (
                (FUNDER,),
                "Show leaders and funders the affordable cost early, with what it buys, to secure the budget "
                "line; start with {people:funder}.",
            ),
            ((), ASSET["innovation.cost"][0]),
        ],
    ],
    "outer_setting.financing": [
        [
            (
                (FUNDER,),
                "Map the external funding that can pay for the innovation and plan to draw on it before current "
                "money ends; ask what more could come from {people:funder}.",
            ),
            ((), ASSET["outer_setting.financing"][0]),
        ],
    ],
    "individuals.opinion_leaders": [
        [
            (
                (CHAMP,),
                "Invite the respected colleagues who already support the innovation to share their view at team "
                "meetings, with {person:champion}.",
            ),
            ((), ASSET["individuals.opinion_leaders"][0]),
        ],
    ],
    "individuals.implementation_team_members": [
        [
            (
                (TEAM,),
                "Give the committed team members clear roles in the plan and time to meet: "
                "{people:implementation_team}.",
            ),
            ((), ASSET["individuals.implementation_team_members"][0]),
        ],
    ],
    "inner_setting.culture.deliverer_centeredness": [
        [
            (
                (FRONT,),
                "Use the organization's care for its staff to protect time and support for those who deliver the "
                "innovation: {people:frontline_staff}.",
            ),
            ((), ASSET["inner_setting.culture.deliverer_centeredness"][0]),
        ],
    ],
    "individuals.mid_level_leaders": [
        [
            (
                (FRONT,),
                "Ask supportive middle managers to protect the time of {people:frontline_staff}, and to report "
                "blocks upward.",
            ),
            ((), ASSET["individuals.mid_level_leaders"][0]),
        ],
    ],
    "inner_setting.available_resources.funding": [
        [
            (
                (SPONSOR,),
                "Ring-fence the funding already available for the innovation with {person:sponsor}, and plan "
                "with them how it will be replaced when it ends.",
            ),
            ((), ASSET["inner_setting.available_resources.funding"][0]),
        ],
    ],
    "inner_setting.communications": [
        [
            (
                ("asset:existing_meeting",),
                "Use the channels that already reach everyone (huddles, newsletters, team "
                "meetings) for the innovation's updates, starting with the meeting the site "
                "already holds ({asset:existing_meeting}).",
            ),
            ((), ASSET["inner_setting.communications"][0]),
        ],
    ],
    "outer_setting.local_attitudes": [
        [((), ASSET["outer_setting.local_attitudes"][0])],
        [
            (
                ("asset:trusted_messenger",),
                "Ask the messenger the community already trusts whether they would join "
                "them: {asset:trusted_messenger}.",
            ),
            ((), None),
        ],
    ],
    "individuals.innovation_recipients": [
        [((), ASSET["individuals.innovation_recipients"][0])],
        [((ADVISORY,), "Ask for help finding them from {people:advisory_group}."), ((), None)],
    ],
}
"""CFIR construct rated a facilitator -> its action slots: who holds the strength, named where natural."""


FALLBACKS = {
    "identify_and_prepare_champions": {"people:frontline_staff": "the staff"},
    "access_new_funding": {"people:leadership": "the site's leaders"},
    "change_physical_structure_and_equipment": {"people:leadership": "the site's leaders"},
    "develop_resource_sharing_agreements": {"people:leadership": "one of the site's leaders"},
    "capture_and_share_local_knowledge": {"people:leadership": "the site's leaders"},
    "develop_and_organize_quality_monitoring_systems": {"people:leadership": "the site's leaders"},
}
"""ERIC strategy -> the phrase for a group the case does not list, where the row's own action names the group
(every row of the strategy, early rows too)."""


def _need(key):
    """A need as a condition: the case lists someone of the group, or an asset of the kind."""
    if key.startswith("asset:"):
        kind = key.split(":", 1)[1]
        assert kind in sv.ASSET_KINDS, key
        return f"{{fact: assets.{kind}, equals: true}}"
    assert key in sv.PEOPLE_GROUPS, key
    return f"{{fact: people.{key}.count, gte: 1}}"


def site_variants(slots, default_actions):
    """[(needs, actions)]: one text variant per distinct choice of alternatives the cases can make, in an order
    where the first variant whose needs hold is the choice of the case's own people and assets.

    A case chooses, in each slot, the first alternative whose needs it states. A variant needs the union of its
    alternatives' needs; a case that states them chooses, in every slot, that alternative or an earlier one, so
    ordering the variants by the sum of their alternatives' positions puts the case's own choice first."""
    slots = [s if isinstance(s, list) else [((), s)] for s in slots]
    for s in slots:
        assert s[-1][0] == () and all(needs for needs, _ in s[:-1]), s
    keys = list(dict.fromkeys(k for s in slots for needs, _ in s for k in needs))
    choices = {}
    for n in range(len(keys) + 1):
        for have in combinations(keys, n):
            pick = tuple(next(i for i, (needs, _) in enumerate(s) if set(needs) <= set(have)) for s in slots)
            choices[pick] = tuple(dict.fromkeys(k for s, i in zip(slots, pick, strict=True) for k in s[i][0]))
    default = tuple(len(s) - 1 for s in slots)
    assert [s[-1][1] for s in slots if s[-1][1] is not None] == list(default_actions), default_actions
    out = []
    for pick in sorted(set(choices) - {default}, key=lambda p: (sum(p), p)):
        out.append((choices[pick], [s[i][1] for s, i in zip(slots, pick, strict=True) if s[i][1] is not None]))
    return out


def fallbacks_yaml(fallbacks, texts, indent):
    """A row's `fallbacks:` line: the phrases for the placeholders its texts use (none: no line)."""
    used = {k: x for k, x in fallbacks.items() if any("{" + k + "}" in t for t in texts)}
    if not used:
        return []
    return [f"{indent}fallbacks: {{{', '.join(f'{q(k)}: {q(x)}' for k, x in used.items())}}}"]


def texts_yaml(variants, indent):
    """A row's `texts:` block from site_variants."""
    if not variants:
        return []
    L = [f"{indent}texts:"]  # one line per variant: the pack must stay under the loader's size limit
    for needs, actions in variants:
        conds = [_need(k) for k in needs]
        when = conds[0] if len(conds) == 1 else f"{{all: [{', '.join(conds)}]}}"
        L.append(f"{indent}  - {{when: {when}, actions: [{', '.join(q(a) for a in actions)}]}}")
    return L


def row(rid, construct, strategy, score, priority, rationale, sources, extra, evidence_level=None):
    """The row (or rows) for one barrier-strategy pair: [(stages, yaml lines)]. A strategy in EARLY gives two
    rows with the same key: `...-early` for exploration and installation, and the usual one for later stages."""
    if strategy not in EARLY:
        return [_row(rid, construct, strategy, score, priority, rationale, sources, extra, evidence_level)]
    actions, target = EARLY[strategy]
    base, strong = (rid[:-2], "-2") if rid.endswith("-2") else (rid, "")
    later = tuple(st for st in STAGE_FIT[strategy][0] if st not in EARLY_STAGES)
    early = tuple(st for st in STAGE_FIT[strategy][0] if st in EARLY_STAGES)
    out = []
    if early:
        out.append(
            _row(
                f"{base}-early{strong}",
                construct,
                strategy,
                score,
                priority,
                rationale,
                sources,
                extra,
                evidence_level,
                stages=early,
                actions=actions,
                spec={**SPEC.get(strategy, {}), "target": target},
                site=EARLY_SITE_TEXTS.get(strategy),
            )
        )
    if later:
        out.append(
            _row(rid, construct, strategy, score, priority, rationale, sources, extra, evidence_level, stages=later)
        )
    return out


def _row(
    rid,
    construct,
    strategy,
    score,
    priority,
    rationale,
    sources,
    extra,
    evidence_level=None,
    stages=None,
    actions=None,
    spec=None,
    site=None,
):
    sname, default_actions, comps = S[strategy]
    if actions is None:  # the row's own actions, and the strategy's variants naming the site's people
        actions, site = default_actions, SITE_TEXTS.get(strategy)
    comps = list(dict.fromkeys(comps + extra.get("isp_competency", [])))
    tags = {
        "eric_strategy": [strategy],
        "cfir": [construct],
        "isp_competency": comps,
        "implementation_outcome": OUTCOME[strategy],
        "spectrum_level": SPECTRUM.get(strategy, []),
    }
    if extra.get("equity_element"):
        tags["equity_element"] = extra["equity_element"]
    stages = list(STAGE_FIT[strategy][0] if stages is None else stages)
    assert len(rid) <= 100, rid
    L = [
        f"      - id: {rid}",
        f"        construct: {construct}",
        f"        title: {q('ERIC strategy: ' + sname)}",
        f"        key: {item_key(strategy)}",
        f"        priority: {priority}",
        f"        score: {score}",
    ]
    if HAS_STAGES:
        L.append(f"        stages: [{', '.join(stages)}]")
    if HAS_EVIDENCE_LEVEL and evidence_level is not None:
        L.append(f"        evidence_level: {evidence_level}")
    # In a Nation, its approvals and data governance come before any strategy that gathers data or people.
    after = [*TRIBAL_FIRST, *(f'{{tag: "eric_strategy:{x}"}}' for x in FOLLOWS.get(strategy, ()))]
    L.append(f"        after: [{', '.join(after)}]")
    if strategy in WAITS_FOR_SOVEREIGNTY:
        L.append("        waits_for: [equity.tribal_sovereignty, events.critical_incident]")
    L.append("        actions:")
    L += [f"          - {q(a)}" for a in actions]
    variants = site_variants(site, actions) if site else []
    L += texts_yaml(variants, "        ")
    L += fallbacks_yaml(FALLBACKS.get(strategy, {}), [*actions, *(a for _, acts in variants for a in acts)], "        ")
    L.append("        tags:")
    L += tags_yaml(tags, "          ")
    L.append(f"        rationale: {q(rationale)}")
    L.append(f"        sources: [{', '.join(sources)}]")
    L += spec_yaml(SPEC.get(strategy, {}) if spec is None else spec, "        ")
    return tuple(stages), L


def spec_yaml(spec, indent):
    """A row's `specification:` block (actor, target, dose) from SPEC; nothing when SPEC states nothing."""
    if not spec:
        return []
    L = [f"{indent}specification:"]
    L += [f"{indent}  {k}: {q(spec[k])}" for k in ("actor", "target") if k in spec]
    dose = {k: spec[k] for k in ("frequency", "duration") if k in spec}
    if dose:
        L.append(f"{indent}  dose: {{{', '.join(f'{k}: {q(x)}' for k, x in dose.items())}}}")
    return L


STAGE_SET_NAMES = {  # table-name suffix for each stage set used in STAGE_FIT
    ALL: "any-stage",
    AFTER_DECISION: "after-decision",
    IN_USE: "in-use",
    (EX, INS, INI, FULL): "before-sustainment",
    (EX, INS): "early",
    (EX, INS, INI): "to-launch",
    (INS, INI, FULL): "installation-to-full",
    (INS, INI): "around-launch",
}


def table(tname, when, rows, desc, stages):
    """One decision table per evidence kind, severity and stage set: the stage gate is part of the template
    (a case with no stage keeps every row)."""
    L = [
        f"  # {desc} Stages: {', '.join(stages)}.",
        f"  - table: {tname}",
        "    vars: [construct]",
        "    category: implementation_strategy",
        "    when:",
        "      all:",
        f"        - {when}",
        "        - any:",
        f"            - {{fact: stage, in: [{', '.join(stages)}]}}",
        "            - {fact: stage, exists: false}",
        "    rows:",
    ]
    for r in rows:
        L += r
    return L


WHEN_STRONG = '{fact: "cfir.$construct", equals: -2}'
WHEN_BARRIER = '{fact: "cfir.$construct", in: [-1, mixed]}'


def where(strong):
    return "a strong barrier (-2)" if strong else "a barrier (-1) or mixed"


def rid_for(c, s, strong):
    return f"SM-{c}-{ABBR[s]}" + ("-2" if strong else "")


def sourced_rows(kind, strong):
    rows = []
    for c in ids:
        ms = [m for m in memberships.get(c, {}).values() if m["kind"] == kind]
        for m in sorted(ms, key=lambda m: (-(m["pct"] or 0), m["strategy"])):
            s, v1 = m["strategy"], m["v1"]
            if kind == "figure":
                lvl = m["level"]
                lvltxt = "Level 1, at least 50%" if lvl == 1 else "Level 2, 20-49%"
                rat = (
                    f"{m['pct']}% of the experts who rated the CFIR 1.0 barrier '{v1}' chose '{S[s][0]}' "
                    f"({lvltxt}; {m['prov']})."
                )
                prio = ("high" if lvl == 1 else "medium") if strong else ("medium" if lvl == 1 else "low")
                score, elevel = m["pct"], None
            elif kind == "level_only":
                rat = (
                    f"'{S[s][0]}' is a Level 1 or 2 strategy for the CFIR 1.0 barrier '{v1}' in the CFIR-ERIC "
                    f"Matching Tool output reported in {m['prov']}: at least 20% of experts (Level 1 or 2) chose "
                    "it; the source gives no exact figure."
                )
                prio, score, elevel = ("medium" if strong else "low"), 0, 2
            else:
                rat = (
                    f"{m['prov']} name '{v1}' as the CFIR 1.0 barrier the CFIR-ERIC Matching Tool expects "
                    f"'{S[s][0]}' to address (the tool read in reverse); no endorsement figure or level is "
                    "published for this pair."
                )
                prio, score, elevel = ("medium" if strong else "low"), 0, None
            rat += f" Applied to CFIR 2.0 '{name[c]}' ({c}), rated here as {where(strong)}."
            rows += row(rid_for(c, s, strong), c, s, score, prio, rat, m["sources"], {}, elevel)
    return rows


def judge_rows(strong):
    rows = []
    for c in ids:
        if c not in J:
            continue
        v1, strats, reason, extra = J[c]
        assert not set(strats) & set(memberships.get(c, {})), c  # never a judgement row beside a source for it
        for s in strats:
            rat = (
                f"No published CFIR-ERIC endorsement figure is available for '{name[c]}' ({c}; CFIR 1.0 source: {v1}). "
                f"This match of '{S[s][0]}' is the ISP Advisor authors' judgement, not an expert-panel figure: {reason}. "
                f"The site rates this as {where(strong)}."
            )
            prio = "medium" if strong else "low"
            rows += row(
                rid_for(c, s, strong),
                c,
                s,
                0,
                prio,
                rat,
                ["isp-advisor-authors-judgement", "powell-2015", "damschroder-2022"],
                extra,
            )
    return rows


def asset_rows():
    rows = []
    for c in ids:
        action, why = ASSET[c]
        L = [
            f"      - id: SM-ASSET-{c}",
            f"        construct: {c}",
            "        title: Build on the strengths already in place",
            "        key: cfir-assets",
            "        actions:",
            f"          - {q(action)}",
            *texts_yaml(site_variants(ASSET_SITE_TEXTS[c], [action]) if c in ASSET_SITE_TEXTS else [], "        "),
            "        tags:",
            f"          cfir: [{c}]",
            "          isp_competency: [assess_need_and_context]",
            f"          implementation_outcome: [{', '.join(ASSET_OUTCOME[c.split('.')[0]])}]",
            f"        rationale: {q(name[c] + ' (' + c + ') is rated a facilitator: ' + why + '.')}",
        ]
        rows.append(L)
    return rows


def main():
    out = [
        "# GENERATED by scripts/build_strategy_matching.py from the published CFIR-ERIC figures and memberships and the",
        "# authors' matches held in that script. Edit the script and regenerate rather than editing rows by hand.",
        "# See docs/knowledge-base.md for sources, the CFIR 1.0 -> 2.0 crosswalk and what is authors' judgement.",
        "ruleset: strategy_matching",
        "version: 2.0.0",
        "description: >-",
        "  CFIR 2.0 barriers matched to ERIC strategies. Published CFIR-ERIC endorsement figures (Waltz et al. 2019;",
        "  tool output in Allen et al. 2023) rank the strategies: the score is the percentage of experts, Level 1 >= 50%,",
        "  Level 2 = 20-49%. Memberships published without a figure (Level 1 or 2, PMC11446052 Table 4; the tool read in",
        "  reverse, Yakovchenko et al. 2023) have score 0 and say so. Figures were given for CFIR 1.0 constructs and are",
        "  applied to the CFIR 2.0 ids named in each rationale. Constructs with nothing published get reasoned matches",
        "  labelled as the authors' judgement (score 0). Each row fires only at the stages its strategy suits (or when",
        "  the stage is not stated). Facilitators (rated +1 or +2) are noted as assets to build on.",
        "tables:",
    ]
    counts = {}
    groups = [
        (f"cfir-eric-{t}", desc, rows)
        for t, desc, rows in [
            (
                "published-strong",
                "Published figures, construct rated -2: Level 1 high, Level 2 medium.",
                sourced_rows("figure", True),
            ),
            (
                "published",
                "Published figures, construct rated -1 or mixed: Level 1 medium, Level 2 low.",
                sourced_rows("figure", False),
            ),
            (
                "level-only-strong",
                "Published Level 1 or 2 (>= 20%), no figure, construct rated -2: medium.",
                sourced_rows("level_only", True),
            ),
            (
                "level-only",
                "Published Level 1 or 2 (>= 20%), no figure, construct rated -1 or mixed: low.",
                sourced_rows("level_only", False),
            ),
            (
                "tool-reverse-strong",
                "The tool read in reverse (no figure), construct rated -2: medium.",
                sourced_rows("tool_top", True),
            ),
            (
                "tool-reverse",
                "The tool read in reverse (no figure), construct rated -1 or mixed: low.",
                sourced_rows("tool_top", False),
            ),
            (
                "judgement-strong",
                "Authors' judgement (nothing published), construct rated -2: medium.",
                judge_rows(True),
            ),
            (
                "judgement",
                "Authors' judgement (nothing published), construct rated -1 or mixed: low.",
                judge_rows(False),
            ),
        ]
    ]
    for tname, desc, rows in groups:
        strong = tname.endswith("-strong")
        assert all(st in STAGE_SET_NAMES for st, _ in rows), tname
        for stages, suffix in STAGE_SET_NAMES.items():
            part = [lines for st, lines in rows if st == stages]
            if part:
                out += table(f"{tname}-{suffix}", WHEN_STRONG if strong else WHEN_BARRIER, part, desc, stages)
                counts[tname] = counts.get(tname, 0) + len(part)
    out += [
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
        out += r
    counts["cfir-assets"] = len(ids)
    target = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else OUT
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("wrote", target, "rows:", sum(counts.values()), counts, file=sys.stderr)
    if not HAS_STAGES or not HAS_EVIDENCE_LEVEL:
        print(
            "note: rule fields not in the engine yet, left out:",
            [f for f, ok in (("stages", HAS_STAGES), ("evidence_level", HAS_EVIDENCE_LEVEL)) if not ok],
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
