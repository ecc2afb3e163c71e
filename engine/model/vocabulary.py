"""Canonical vocabularies of the frameworks ISP Advisor reasons with.

These ids are the contract between case files, rule packs, output tags and tests. They encode
`shared/reference/frameworks.yaml` (CFIR 2.0, ERIC, the ISP Profile, equitable implementation,
the Spectrum of Community Engagement to Ownership); names are the frameworks' own.
"""

from __future__ import annotations

from typing import Literal, get_args

# The closed vocabularies of the case contract and the rule language, declared once as the types the
# models use; the tuples below are read from them (tests/test_vocabulary_declared.py).
Stage = Literal["exploration", "installation", "initial_implementation", "full_implementation", "sustainment"]
Level = Literal["low", "moderate", "high"]
EngagementLevel = Literal["ignore", "inform", "consult", "involve", "collaborate", "defer_to"]
DecisionMaking = Literal["solo_leader", "leadership_team", "shared", "community_led"]
ChallengeType = Literal["technical", "adaptive", "mixed"]
CulturalAdaptation = Literal["none", "planned", "done"]
Setting = Literal[
    "health_care",
    "behavioral_health",
    "public_health",
    "child_welfare",
    "education",
    "housing",
    "tribal_community",
    "community_based",
    "other",
]
Group = Literal["leadership", "staff", "community_members", "recipients", "partners", "funders", "other"]
Category = Literal["tailored_support", "facilitation", "equity", "capacity_building", "implementation_strategy"]
Priority = Literal["high", "medium", "low"]
Horizon = Literal["now", "next", "later"]

# CFIR 2.0 (Damschroder et al. 2022, Implementation Science 17:75): domain -> {id: name}
CFIR_DOMAINS: dict[str, str] = {
    "innovation": "Innovation",
    "outer_setting": "Outer Setting",
    "inner_setting": "Inner Setting",
    "individuals": "Individuals",
    "process": "Implementation Process",
}
CFIR_CONSTRUCTS: dict[str, str] = {
    "innovation.source": "Innovation Source",
    "innovation.evidence_base": "Innovation Evidence-Base",
    "innovation.relative_advantage": "Innovation Relative Advantage",
    "innovation.adaptability": "Innovation Adaptability",
    "innovation.trialability": "Innovation Trialability",
    "innovation.complexity": "Innovation Complexity",
    "innovation.design": "Innovation Design",
    "innovation.cost": "Innovation Cost",
    "outer_setting.critical_incidents": "Critical Incidents",
    "outer_setting.local_attitudes": "Local Attitudes",
    "outer_setting.local_conditions": "Local Conditions",
    "outer_setting.partnerships_connections": "Partnerships & Connections",
    "outer_setting.policies_laws": "Policies & Laws",
    "outer_setting.financing": "Financing",
    "outer_setting.external_pressure": "External Pressure",
    "inner_setting.structural_characteristics": "Structural Characteristics",
    "inner_setting.relational_connections": "Relational Connections",
    "inner_setting.communications": "Communications",
    "inner_setting.culture": "Culture",
    "inner_setting.tension_for_change": "Tension for Change",
    "inner_setting.compatibility": "Compatibility",
    "inner_setting.relative_priority": "Relative Priority",
    "inner_setting.incentive_systems": "Incentive Systems",
    "inner_setting.mission_alignment": "Mission Alignment",
    "inner_setting.available_resources": "Available Resources",
    "inner_setting.access_to_knowledge": "Access to Knowledge & Information",
    "individuals.high_level_leaders": "High-level Leaders",
    "individuals.mid_level_leaders": "Mid-level Leaders",
    "individuals.opinion_leaders": "Opinion Leaders",
    "individuals.implementation_facilitators": "Implementation Facilitators",
    "individuals.implementation_leads": "Implementation Leads",
    "individuals.implementation_team_members": "Implementation Team Members",
    "individuals.other_implementation_support": "Other Implementation Support",
    "individuals.innovation_deliverers": "Innovation Deliverers",
    "individuals.innovation_recipients": "Innovation Recipients",
    "individuals.need": "Need",
    "individuals.capability": "Capability",
    "individuals.opportunity": "Opportunity",
    "individuals.motivation": "Motivation",
    "process.teaming": "Teaming",
    "process.assessing_needs": "Assessing Needs",
    "process.assessing_context": "Assessing Context",
    "process.planning": "Planning",
    "process.tailoring_strategies": "Tailoring Strategies",
    "process.engaging": "Engaging",
    "process.doing": "Doing",
    "process.reflecting_evaluating": "Reflecting & Evaluating",
    "process.adapting": "Adapting",
}
CFIR_SUBCONSTRUCTS: dict[str, str] = {
    "outer_setting.external_pressure.societal": "Societal Pressure",
    "outer_setting.external_pressure.market": "Market Pressure",
    "outer_setting.external_pressure.performance_measurement": "Performance-Measurement Pressure",
    "inner_setting.structural_characteristics.physical_infrastructure": "Physical Infrastructure",
    "inner_setting.structural_characteristics.it_infrastructure": "Information Technology Infrastructure",
    "inner_setting.structural_characteristics.work_infrastructure": "Work Infrastructure",
    "inner_setting.culture.human_equality_centeredness": "Human Equality-Centeredness",
    "inner_setting.culture.recipient_centeredness": "Recipient-Centeredness",
    "inner_setting.culture.deliverer_centeredness": "Deliverer-Centeredness",
    "inner_setting.culture.learning_centeredness": "Learning-Centeredness",
    "inner_setting.available_resources.funding": "Funding",
    "inner_setting.available_resources.space": "Space",
    "inner_setting.available_resources.materials_equipment": "Materials & Equipment",
    "process.assessing_needs.deliverers": "Innovation Deliverers",
    "process.assessing_needs.recipients": "Innovation Recipients",
    "process.engaging.deliverers": "Innovation Deliverers",
    "process.engaging.recipients": "Innovation Recipients",
    "process.reflecting_evaluating.implementation": "Implementation",
    "process.reflecting_evaluating.innovation": "Innovation",
}
CFIR_IDS: dict[str, str] = {**CFIR_CONSTRUCTS, **CFIR_SUBCONSTRUCTS}

RATING_VALUES: tuple[int, ...] = (-2, -1, 0, 1, 2)
MIXED = "mixed"

# ERIC (Powell et al. 2015; clusters from Waltz et al. 2015): cluster -> (name, strategy ids)
ERIC_CLUSTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "evaluative_iterative": (
        "Use evaluative and iterative strategies",
        (
            "assess_for_readiness_and_identify_barriers_and_facilitators",
            "audit_and_provide_feedback",
            "purposely_reexamine_the_implementation",
            "develop_and_implement_tools_for_quality_monitoring",
            "develop_and_organize_quality_monitoring_systems",
            "develop_a_formal_implementation_blueprint",
            "conduct_local_needs_assessment",
            "stage_implementation_scale_up",
            "obtain_and_use_patients_consumers_and_family_feedback",
            "conduct_cyclical_small_tests_of_change",
        ),
    ),
    "interactive_assistance": (
        "Provide interactive assistance",
        (
            "facilitation",
            "provide_local_technical_assistance",
            "provide_clinical_supervision",
            "centralize_technical_assistance",
        ),
    ),
    "adapt_tailor": (
        "Adapt and tailor to context",
        ("tailor_strategies", "promote_adaptability", "use_data_experts", "use_data_warehousing_techniques"),
    ),
    "stakeholder_interrelationships": (
        "Develop stakeholder interrelationships",
        (
            "identify_and_prepare_champions",
            "organize_clinician_implementation_team_meetings",
            "recruit_designate_and_train_for_leadership",
            "inform_local_opinion_leaders",
            "build_a_coalition",
            "obtain_formal_commitments",
            "identify_early_adopters",
            "conduct_local_consensus_discussions",
            "capture_and_share_local_knowledge",
            "use_advisory_boards_and_workgroups",
            "use_an_implementation_advisor",
            "model_and_simulate_change",
            "visit_other_sites",
            "involve_executive_boards",
            "develop_academic_partnerships",
            "promote_network_weaving",
            "develop_an_implementation_glossary",
        ),
    ),
    "train_educate": (
        "Train and educate stakeholders",
        (
            "conduct_ongoing_training",
            "provide_ongoing_consultation",
            "develop_educational_materials",
            "make_training_dynamic",
            "distribute_educational_materials",
            "use_train_the_trainer_strategies",
            "conduct_educational_meetings",
            "conduct_educational_outreach_visits",
            "create_a_learning_collaborative",
            "shadow_other_experts",
            "work_with_educational_institutions",
        ),
    ),
    "support_clinicians": (
        "Support clinicians",
        (
            "facilitate_relay_of_clinical_data_to_providers",
            "remind_clinicians",
            "develop_resource_sharing_agreements",
            "revise_professional_roles",
            "create_new_clinical_teams",
        ),
    ),
    "engage_consumers": (
        "Engage consumers",
        (
            "involve_patients_consumers_and_family_members",
            "intervene_with_patients_consumers_to_enhance_uptake_and_adherence",
            "prepare_patients_consumers_to_be_active_participants",
            "increase_demand",
            "use_mass_media",
        ),
    ),
    "financial": (
        "Utilize financial strategies",
        (
            "fund_and_contract_for_the_clinical_innovation",
            "access_new_funding",
            "place_innovation_on_fee_for_service_lists_formularies",
            "alter_incentive_allowance_structures",
            "make_billing_easier",
            "alter_patient_consumer_fees",
            "use_other_payment_schemes",
            "develop_disincentives",
            "use_capitated_payments",
        ),
    ),
    "infrastructure": (
        "Change infrastructure",
        (
            "mandate_change",
            "change_record_systems",
            "change_physical_structure_and_equipment",
            "change_service_sites",
            "create_or_change_credentialing_and_or_licensure_standards",
            "change_accreditation_or_membership_requirements",
            "change_liability_laws",
            "start_a_dissemination_organization",
        ),
    ),
}
ERIC_STRATEGIES: dict[str, str] = {s: c for c, (_, ss) in ERIC_CLUSTERS.items() for s in ss}

# ISP Profile v3.0 (Metz, Louison, Ward & Burke 2020): domain -> (name, {competency: name})
ISP_DOMAINS: dict[str, tuple[str, dict[str, str]]] = {
    "co_creation": (
        "Co-Creation",
        {
            "co_learning": "Co-learning",
            "brokering": "Brokering",
            "address_power_differentials": "Address power differentials",
            "co_design": "Co-design",
            "tailored_support": "Tailored support",
        },
    ),
    "ongoing_improvement": (
        "Ongoing Improvement",
        {
            "assess_need_and_context": "Assess need and context",
            "apply_implementation_science": "Apply and integrate implementation science approaches",
            "improvement_cycles": "Conduct improvement cycles",
        },
    ),
    "sustaining_change": (
        "Sustaining Change",
        {
            "grow_relationships": "Grow and sustain relationships",
            "build_capacity": "Build capacity",
            "cultivate_leadership": "Cultivate leadership",
            "facilitation": "Facilitation",
        },
    ),
}
ISP_COMPETENCIES: dict[str, str] = {c: n for _, cs in ISP_DOMAINS.values() for c, n in cs.items()}

# Equitable implementation (Metz, Woo & Loper 2021)
EQUITY_ELEMENTS: dict[str, str] = {
    "build_trusting_relationships": "Build trusting relationships",
    "dismantle_power_structures": "Dismantle power structures",
    "invest_and_decide_for_equity": "Invest and make decisions to advance equity",
    "community_defined_evidence": "Develop community-defined evidence",
    "cultural_adaptation": "Make adaptations and cultural adaptations",
    "critical_perspectives": "Consider critical perspectives in implementation science",
}

# Spectrum of Community Engagement to Ownership (Gonzalez 2019), in rank order: id -> stance
ENGAGEMENT_LEVELS: dict[str, str] = {
    "ignore": "Marginalization",
    "inform": "Placation",
    "consult": "Tokenization",
    "involve": "Voice",
    "collaborate": "Delegated power",
    "defer_to": "Community ownership",
}

CHALLENGE_TYPES: tuple[str, ...] = get_args(ChallengeType)
FACILITATION_MODES: tuple[str, ...] = ("divergent", "convergent", "balanced")
PARTICIPATION_VALUES: tuple[str, ...] = (
    "full_participation",
    "mutual_understanding",
    "inclusive_solutions",
    "shared_responsibility",
)
CAPACITY_TYPES: dict[str, str] = {
    "intervention_specific": "Intervention/approach-specific capacity",
    "general": "General capacity",
    "analytic": "Analytic capacity",
    "adaptive": "Adaptive capacity",
}
IMPLEMENTATION_OUTCOMES: tuple[str, ...] = (
    "acceptability",
    "adoption",
    "appropriateness",
    "cost",
    "feasibility",
    "fidelity",
    "reach",
    "sustainability",
)
HORIZONS: dict[str, str] = {"now": "Start here (the first 30 days)", "next": "Next (this quarter)", "later": "Later"}
"""The plan's horizons, in order (docs/plan.md)."""
STAGES: tuple[str, ...] = get_args(Stage)

# Ordered scales of the case contract (compared by rank).
LEVELS: tuple[str, ...] = get_args(Level)
DECISION_MAKING: tuple[str, ...] = get_args(DecisionMaking)
CULTURAL_ADAPTATION: tuple[str, ...] = get_args(CulturalAdaptation)
SETTINGS: tuple[str, ...] = get_args(Setting)
CATEGORIES: tuple[str, ...] = get_args(Category)
CATEGORY_TITLES: dict[str, str] = {
    "tailored_support": "Tailored support",
    "facilitation": "Facilitation",
    "equity": "Equity",
    "capacity_building": "Capacity building",
    "implementation_strategy": "Implementation strategies (ERIC)",
}
PRIORITIES: tuple[str, ...] = get_args(Priority)

# Tag key -> the ids it accepts.
TAG_VOCABULARIES: dict[str, frozenset[str]] = {
    "isp_competency": frozenset(ISP_COMPETENCIES),
    "equity_element": frozenset(EQUITY_ELEMENTS),
    "eric_strategy": frozenset(ERIC_STRATEGIES),
    "cfir": frozenset(CFIR_IDS),
    "facilitation_mode": frozenset(FACILITATION_MODES),
    "capacity_type": frozenset(CAPACITY_TYPES),
    "participation_value": frozenset(PARTICIPATION_VALUES),
    "implementation_outcome": frozenset(IMPLEMENTATION_OUTCOMES),
    "spectrum_level": frozenset(ENGAGEMENT_LEVELS),
}
TAG_KEYS: tuple[str, ...] = tuple(TAG_VOCABULARIES)


def cfir_domain(cfir_id: str) -> str:
    """The CFIR domain an id belongs to (its first segment)."""
    return cfir_id.split(".", 1)[0]


GROUPS: tuple[str, ...] = get_args(Group)
"""The groups whose views a case may record (perspectives)."""
