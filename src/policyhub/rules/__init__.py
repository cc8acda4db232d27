"""The API that policy pack rule scripts import.

    from policyhub.rules import Rule, derive, fact, m

See `policyhub.rules.model` for how rules and derive functions work together, and the shared
helpers in this package (dates, shares, ...) for the aggregates packs have in common.
"""

from durable.lang import m

from ..domain.errors import InvalidArgument
from ..domain.validation import parse_month
from ..domain.vocabulary import (
    AGENDA_SEGMENTS, AWARDS, BALLOT_OPTIONS, CHAIR_ROLES, CONSEQUENCES, FILING_PLACES, MEMBER_ROLES,
    ORGANIZATION_TYPES, PLEDGE_CATEGORIES, PREVIOUS_ITEM_STATUSES, PUBLICATION_CHANNELS, REVIEW_LEVELS,
    ROUND_NAMES, label,
)
from .hookspecs import RuleLibrary, hookimpl
from .model import KINDS, Context, Rule, derive, fact, message_field
from .thresholds import Thresholds, ThresholdError

__all__ = ["KINDS", "Context", "Rule", "Thresholds", "ThresholdError", "derive", "fact", "m", "message_field",
           # a pack's plugin module, the error a derive raises for bad input, the vocabulary's code lists
           "hookimpl", "RuleLibrary", "InvalidArgument", "parse_month", "label",
           "AGENDA_SEGMENTS", "AWARDS", "BALLOT_OPTIONS", "CHAIR_ROLES", "CONSEQUENCES", "FILING_PLACES",
           "MEMBER_ROLES", "ORGANIZATION_TYPES", "PLEDGE_CATEGORIES", "PREVIOUS_ITEM_STATUSES",
           "PUBLICATION_CHANNELS", "REVIEW_LEVELS", "ROUND_NAMES"]
