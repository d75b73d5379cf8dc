"""Budget-constrained mechanism design: reward splits, activation, cascades and targeting.

Given a budget, design the incentives:

- :func:`optimal_split` chooses the reward schedule :math:`r_0, r_1, \\dots` of a referral chain
  on a branching-process :class:`RecruitmentModel`, evaluated exactly by generating functions, or
  on a :class:`Campaign` (a network and a scenario), against the campaign's own simulation with
  common random numbers and validated on fresh runs;
- :func:`min_cost_activation`, :func:`max_reach` and :func:`max_depth` pay people with
  interdependent payoffs to take part (LP and MILP);
- :func:`seed_rewards` buys the largest cascade of action in a threshold game (MILP indexed by
  best-response rounds; lazy greedy on large networks);
- :func:`targeting` changes standalone returns in a linear-quadratic game to maximise welfare
  (Galeotti, Golub & Goyal 2020: principal components, or the Shor relaxation).

Every function returns a :class:`DesignResult`.
"""

from .activation import budget_sweep, max_depth, max_reach, min_cost_activation
from .campaign import Campaign
from .cascade import seed_rewards
from .predict import CampaignPrediction, predict_campaign
from .result import DesignResult
from .scenarios import DARPA_DESIGN_OPTIONS, darpa_campaign
from .selfconsistent import self_consistent_incentives
from .splits import RecruitmentModel, optimal_split
from .targeting import targeting

__all__ = [
    "DesignResult",
    "RecruitmentModel",
    "Campaign",
    "self_consistent_incentives",
    "predict_campaign",
    "CampaignPrediction",
    "darpa_campaign",
    "DARPA_DESIGN_OPTIONS",
    "optimal_split",
    "min_cost_activation",
    "max_depth",
    "max_reach",
    "budget_sweep",
    "seed_rewards",
    "targeting",
]
