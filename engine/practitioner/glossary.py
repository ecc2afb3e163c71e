"""Plain-language glosses shown while a practitioner fills in a case.

The CFIR 2.0 glosses paraphrase the construct definitions of Damschroder et al. (2022),
Implementation Science 17:75, in a sentence each, so that someone rating a site in a meeting
can check what a construct means without leaving the terminal. They are short reminders, not
the definitions themselves: the paper is the authority.
"""

from __future__ import annotations

from engine.model import vocabulary as v
from engine.model.fields import FIELDS

RATING_SCALE = (
    "-2 strong barrier, -1 barrier, 0 neutral or no effect, +1 facilitator, +2 strong facilitator, "
    "mixed when it helps and hinders at once"
)

CFIR_DOMAIN_GLOSSES: dict[str, str] = {
    "innovation": "The thing being implemented: a program, practice, policy or tool.",
    "outer_setting": "The world the inner setting sits in: community, funders, laws, partners, wider systems.",
    "inner_setting": "The organisation or unit where the innovation is put in place.",
    "individuals": "The people involved: their roles and what drives their behaviour.",
    "process": "The activities and strategies used to put the innovation in place.",
}

CFIR_GLOSSES: dict[str, str] = {
    # Innovation
    "innovation.source": "How credible and trustworthy the people or group who built or backed the innovation seem.",
    "innovation.evidence_base": "How strong and believable the evidence is that the innovation works.",
    "innovation.relative_advantage": "Whether people see it as better than what they do now or other options.",
    "innovation.adaptability": "Whether it can be changed to fit local needs without losing what makes it work.",
    "innovation.trialability": "Whether it can be tried on a small scale first, and undone if it does not work.",
    "innovation.complexity": "How hard it is: steps, people, disruption. A complex innovation is usually a barrier.",
    "innovation.design": "How well it is packaged and presented: materials, look and feel, ease of use.",
    "innovation.cost": "What it costs to buy, run and keep running, relative to what the site can bear.",
    # Outer setting
    "outer_setting.critical_incidents": "Big disruptions from outside, such as a pandemic, disaster or sudden "
    "loss of funding.",
    "outer_setting.local_attitudes": "How the community and local culture view the innovation and the people "
    "it serves.",
    "outer_setting.local_conditions": "Local economic, environmental and social conditions that help or get in "
    "the way.",
    "outer_setting.partnerships_connections": "Links with outside organisations: networks, referral partners, "
    "collaborations.",
    "outer_setting.policies_laws": "Laws, regulations, professional standards and guidelines that bear on the work.",
    "outer_setting.financing": "Outside money for the work: grants, reimbursement, contracts.",
    "outer_setting.external_pressure": "Pressure from outside to adopt or carry on, from society, the market "
    "or performance targets.",
    "outer_setting.external_pressure.societal": "Pressure from advocacy, media or public campaigns.",
    "outer_setting.external_pressure.market": "Pressure from competitors or peers who already do it.",
    "outer_setting.external_pressure.performance_measurement": "Pressure from quality measures, benchmarks or "
    "accreditation.",
    # Inner setting
    "inner_setting.structural_characteristics": "The organisation's physical, IT and work infrastructure.",
    "inner_setting.structural_characteristics.physical_infrastructure": "Buildings, rooms and physical layout.",
    "inner_setting.structural_characteristics.it_infrastructure": "Technology systems: records, data, "
    "communication tools.",
    "inner_setting.structural_characteristics.work_infrastructure": "How work is organised: teams, roles, "
    "staffing, schedules.",
    "inner_setting.relational_connections": "Formal and informal ties, networks and teams within and across units.",
    "inner_setting.communications": "How information flows: meetings, channels, who hears what and when.",
    "inner_setting.culture": "Shared values, beliefs and norms across the organisation.",
    "inner_setting.culture.human_equality_centeredness": "Shared belief that all people have equal worth and "
    "deserve fair treatment.",
    "inner_setting.culture.recipient_centeredness": "Shared commitment to caring for the people the innovation serves.",
    "inner_setting.culture.deliverer_centeredness": "Shared commitment to the wellbeing of the staff who deliver it.",
    "inner_setting.culture.learning_centeredness": "Shared value on psychological safety, learning and improvement.",
    "inner_setting.tension_for_change": "How strongly people feel the current situation cannot go on.",
    "inner_setting.compatibility": "How well it fits existing workflows, systems and ways of working.",
    "inner_setting.relative_priority": "How important it is compared with everything else competing for attention.",
    "inner_setting.incentive_systems": "Rewards, recognition and sanctions that encourage or discourage the work.",
    "inner_setting.mission_alignment": "How well it fits the organisation's mission and stated goals.",
    "inner_setting.available_resources": "Whether there is enough funding, space, materials and equipment for it.",
    "inner_setting.available_resources.funding": "Money set aside inside the organisation for the work.",
    "inner_setting.available_resources.space": "Physical space for delivering and supporting it.",
    "inner_setting.available_resources.materials_equipment": "Supplies and equipment it needs.",
    "inner_setting.access_to_knowledge": "Ease of getting guidance, training and information about it.",
    # Individuals: roles
    "individuals.high_level_leaders": "Senior leaders with broad authority, such as executives and directors.",
    "individuals.mid_level_leaders": "Managers and supervisors who lead teams or units.",
    "individuals.opinion_leaders": "People whose views carry weight with colleagues, formally or not.",
    "individuals.implementation_facilitators": "People, often from outside, who guide and support the implementation.",
    "individuals.implementation_leads": "The people who lead the implementation effort day to day.",
    "individuals.implementation_team_members": "Members of the team who carry the implementation forward together.",
    "individuals.other_implementation_support": "Anyone else who supports the implementation: champions, "
    "coaches, admin staff.",
    "individuals.innovation_deliverers": "Those who deliver the innovation directly, such as clinicians or teachers.",
    "individuals.innovation_recipients": "Those who receive it, such as patients, families, students or residents.",
    # Individuals: characteristics
    "individuals.need": "Whether the people involved have needs the innovation would meet.",
    "individuals.capability": "Whether they have the knowledge and skills to play their part.",
    "individuals.opportunity": "Whether they have the time, access and support to play their part.",
    "individuals.motivation": "Whether they are willing and committed to play their part.",
    # Implementation process
    "process.teaming": "Working together as a team, with shared goals and clear roles, to carry out the "
    "implementation.",
    "process.assessing_needs": "Finding out what deliverers and recipients need and prefer.",
    "process.assessing_needs.deliverers": "Learning the needs and preferences of those who deliver it.",
    "process.assessing_needs.recipients": "Learning the needs and preferences of those who receive it.",
    "process.assessing_context": "Studying the barriers and facilitators in the setting before and during the work.",
    "process.planning": "Setting out roles, tasks, timelines and measures in advance.",
    "process.tailoring_strategies": "Choosing and fitting implementation strategies to the barriers and "
    "facilitators found.",
    "process.engaging": "Drawing people into the work and keeping them involved.",
    "process.engaging.deliverers": "Engaging those who deliver the innovation.",
    "process.engaging.recipients": "Engaging those who receive it, and their communities.",
    "process.doing": "Carrying out the plan in small steps, trials or phases.",
    "process.reflecting_evaluating": "Gathering and discussing information on how the implementation and "
    "innovation are going.",
    "process.reflecting_evaluating.implementation": "Reflecting on the implementation itself: what is working "
    "in how it is put in place.",
    "process.reflecting_evaluating.innovation": "Reflecting on the innovation: is it doing what was hoped.",
    "process.adapting": "Changing the innovation or the setting, on purpose, to fit better.",
}

CHALLENGE_GLOSSES: dict[str, str] = {
    "technical": "The problem is clear and a known fix exists: experts can solve it (training, a form, a workflow "
    "tweak).",
    "adaptive": "No ready answer: solving it asks people to change values, habits, relationships or power; the "
    "people with the problem must learn their way to the solution.",
    "mixed": "Parts of it are technical and parts adaptive.",
}

ENGAGEMENT_GLOSSES: dict[str, str] = {
    "ignore": "Marginalization: the community is left out; decisions are made and kept from them.",
    "inform": "Placation: the community is told what has been decided.",
    "consult": "Tokenization: the community's views are gathered, but decisions stay elsewhere.",
    "involve": "Voice: the community helps shape the work, and its input is visibly used.",
    "collaborate": "Delegated power: the community shares in decisions and leadership.",
    "defer_to": "Community ownership: the community decides and leads; institutions support.",
}

STAGE_GLOSSES: dict[str, str] = {
    "exploration": "Deciding whether and what to adopt; assessing need and fit.",
    "installation": "Getting ready: staff, training, data systems, resources.",
    "initial_implementation": "First use; learning, fixing problems, awkward early days.",
    "full_implementation": "Used routinely and well by most of those intended.",
    "sustainment": "Keeping it going, funded and adapted over time.",
}

DECISION_GLOSSES: dict[str, str] = {
    "solo_leader": "one leader decides",
    "leadership_team": "a leadership team decides",
    "shared": "leaders and community members decide together",
    "community_led": "the community decides",
}

CULTURAL_ADAPTATION_GLOSSES: dict[str, str] = {
    "none": "no cultural adaptation so far",
    "planned": "cultural adaptation is planned",
    "done": "the innovation has been culturally adapted",
}

CAPACITY_GLOSSES: dict[str, str] = {
    c: next(f.help for f in FIELDS if f.path == f"capacity.{c}") for c in v.CAPACITY_TYPES
}

QUESTION_HELP: dict[str, str] = {f.path: f.help for f in FIELDS}
"""What '?' prints for each question that is not a CFIR rating (those use CFIR_GLOSSES)."""

KEYS_HELP = (
    "Keys: Enter skips (or keeps the value in [brackets]), '<' goes back one question, '-' clears the "
    "value, '.' skips the rest of the section, Ctrl-C stops (every answer is already saved)."
)

BARRIERS_HELP = (
    "Name the CFIR constructs that hold this site back most, by name or id, separated by ';' or ','; "
    "for example 'complexity; available resources'. Each one named is then rated -1 or -2. "
    "Constructs not named stay unrated. The CFIR constructs, by domain:"
)

FACILITATORS_HELP = (
    "Name the CFIR constructs that help this site most, by name or id, separated by ';' or ','; "
    "for example 'tension for change, mission alignment'. Each one named is then rated +1 or +2. "
    "The CFIR constructs, by domain:"
)


def cfir_domain_help(domain: str, constructs: int) -> str:
    """What '?' prints for the question 'rate this CFIR domain?'."""
    return (
        f"{v.CFIR_DOMAINS[domain]}: {CFIR_DOMAIN_GLOSSES[domain]} Answer y to rate its {constructs} constructs "
        f"one by one (Enter skips any of them), n to leave the whole domain unrated."
    )


def cfir_gloss(cfir_id: str) -> str:
    """The gloss of a CFIR id, with its name and domain, for the interview's '?' answer."""
    name = v.CFIR_IDS[cfir_id]
    domain = v.CFIR_DOMAINS[v.cfir_domain(cfir_id)]
    return f"{name} ({domain}): {CFIR_GLOSSES[cfir_id]}"


__all__ = [
    "CFIR_GLOSSES",
    "CFIR_DOMAIN_GLOSSES",
    "CHALLENGE_GLOSSES",
    "ENGAGEMENT_GLOSSES",
    "STAGE_GLOSSES",
    "DECISION_GLOSSES",
    "CULTURAL_ADAPTATION_GLOSSES",
    "CAPACITY_GLOSSES",
    "RATING_SCALE",
    "cfir_gloss",
    "QUESTION_HELP",
    "KEYS_HELP",
    "BARRIERS_HELP",
    "FACILITATORS_HELP",
    "cfir_domain_help",
]
