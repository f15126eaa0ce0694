"""evaluate(snapshot, checklist, policy) -> Assessment. Pure: no IO, no database."""

from refurb.assess.policy import Policy, default_policy, load_policy, policy_for
from refurb.assess.verdict import Assessment, Checklist, evaluate

__all__ = [
    "Assessment",
    "Checklist",
    "Policy",
    "default_policy",
    "evaluate",
    "load_policy",
    "policy_for",
]
