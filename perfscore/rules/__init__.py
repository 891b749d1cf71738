"""Scoring rules: the YAML rule language (:mod:`.schema`) and its loader (:mod:`.loader`)."""

from .loader import DEFAULT_RULES, LoadedRules, check_rules_text, load_rules, parse_rules
from .schema import (
    Case,
    Category,
    Checklist,
    ChecklistItem,
    Condition,
    Credit,
    Grade,
    Item,
    Match,
    Rules,
    Settings,
)

__all__ = [
    "DEFAULT_RULES",
    "LoadedRules",
    "load_rules",
    "parse_rules",
    "check_rules_text",
    "Rules",
    "Category",
    "Item",
    "Match",
    "Condition",
    "Case",
    "Credit",
    "Grade",
    "Checklist",
    "ChecklistItem",
    "Settings",
]
