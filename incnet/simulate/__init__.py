"""Monte Carlo recruitment and time-critical search on incentive networks.

A referral mechanism creates an incentive to recruit at each depth
(:func:`recruitment_incentives`); people respond to it (:mod:`incnet.simulate.response`); the
simulation spreads recruitment over a network or a branching process and searches for hidden
targets before a deadline (:func:`simulate_recruitment`). The plain diffusion baselines
(:func:`independent_cascade`, :func:`linear_threshold`) and a maximum-likelihood fit of the
offspring law of an observed recruitment forest (:func:`fit_recruitment`) complete the topic.
"""

from .cascade import CascadeResult, independent_cascade, linear_threshold
from .fit import RecruitmentFit, fit_recruitment
from .incentives import RecruitmentIncentives, chain_payment_table, recruitment_incentives
from .response import (
    CallableResponse,
    ConstantResponse,
    ExponentialResponse,
    LinearResponse,
    Response,
    ThresholdResponse,
    as_response,
    response_table,
)
from .recruitment import SimulationResult, simulate_recruitment

__all__ = [
    "simulate_recruitment",
    "SimulationResult",
    "independent_cascade",
    "linear_threshold",
    "CascadeResult",
    "fit_recruitment",
    "RecruitmentFit",
    "recruitment_incentives",
    "RecruitmentIncentives",
    "chain_payment_table",
    "Response",
    "ConstantResponse",
    "ExponentialResponse",
    "LinearResponse",
    "ThresholdResponse",
    "CallableResponse",
    "as_response",
    "response_table",
]
