"""Shared fixtures and the deterministic hypothesis profile."""

import os

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Deterministic everywhere: a flaky test costs a whole submission.
settings.register_profile(
    "incnet", derandomize=True, deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "incnet"))


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


@pytest.fixture
def karate():
    return nx.karate_club_graph()
