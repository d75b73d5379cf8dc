"""Referral reward mechanisms, their properties, and query incentive networks.

A mechanism decides who is paid what when someone deep in a recruitment forest delivers. Every
mechanism is an immutable :class:`Mechanism` with a ``budget``, ``payments(parents,
contributions)`` over a referral forest and ``chain_payments(length)`` for one finder at the end of
a chain.
"""

from ._base import Mechanism, ReferralForest, as_forest
from .literature import AlmostUniformScheme, HybridScheme
from .properties import (
    Counterexample,
    MechanismReport,
    PropertyResult,
    check_budget,
    check_collusion_proof,
    check_contribution_incentive,
    check_individual_rationality,
    check_subtree_locality,
    check_sybil_proof,
    check_unbounded_reward,
    mechanism_report,
)
from .query import (
    QueryIncentiveResult,
    SplitContractResult,
    query_incentive_equilibrium,
    split_contract_equilibrium,
    success_supremum,
)
from .referral import FinderOnly, FixedSchedule, GeometricMLM, RecursiveSplit, SplitContract, TopDownSplit
from .sybil_proof import DirectReferral, LengthDiscountedSplit

__all__ = [
    "Mechanism",
    "ReferralForest",
    "as_forest",
    "FinderOnly",
    "RecursiveSplit",
    "FixedSchedule",
    "GeometricMLM",
    "SplitContract",
    "TopDownSplit",
    "DirectReferral",
    "LengthDiscountedSplit",
    "AlmostUniformScheme",
    "HybridScheme",
    "check_budget",
    "check_individual_rationality",
    "check_sybil_proof",
    "check_collusion_proof",
    "check_contribution_incentive",
    "check_unbounded_reward",
    "check_subtree_locality",
    "mechanism_report",
    "PropertyResult",
    "Counterexample",
    "MechanismReport",
    "query_incentive_equilibrium",
    "success_supremum",
    "QueryIncentiveResult",
    "split_contract_equilibrium",
    "SplitContractResult",
]
