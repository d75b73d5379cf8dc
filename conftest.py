"""Doctests of the package's docstrings get a ``round`` that refuses rounding edges
(see tests/rounding.py)."""

import pytest

from tests.rounding import edge_checked_round


@pytest.fixture(autouse=True)
def _edge_checked_round_in_doctests(doctest_namespace):
    doctest_namespace["round"] = edge_checked_round
