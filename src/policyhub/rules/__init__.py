"""The API that policy pack rule scripts import.

    from policyhub.rules import Rule, derive, fact, m

See `policyhub.rules.model` for how rules and derive functions work together, and the shared
helpers in this package (dates, shares, ...) for the aggregates packs have in common.
"""

from durable.lang import m

from .model import KINDS, Context, Rule, derive, fact, message_field
from .thresholds import Thresholds, ThresholdError

__all__ = ["KINDS", "Context", "Rule", "Thresholds", "ThresholdError", "derive", "fact", "m", "message_field"]
