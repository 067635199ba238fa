"""Rules as versioned data: load a rule set and evaluate it on a plot's facts."""

from lahan_geo.rules.evaluate import condition_holds, fired_rules, outcome_of
from lahan_geo.rules.model import FACTS, OPERATORS, Rule, RuleSet, load_rules
from lahan_geo.rules.programme import APPLICANTS, Programme

__all__ = [
    "APPLICANTS",
    "FACTS",
    "OPERATORS",
    "Programme",
    "Rule",
    "RuleSet",
    "condition_holds",
    "fired_rules",
    "load_rules",
    "outcome_of",
]
