"""The exception hierarchy: one root, diagnostics as attributes, one clean message."""

import numpy as np
import pytest

import incnet
from incnet.errors import (
    ConvergenceError,
    ForkedThreadPoolError,
    IllPosedNetworkError,
    IncnetError,
    InfeasibleDesignError,
    InvalidInputError,
)


def test_hierarchy():
    for cls in (InvalidInputError, IllPosedNetworkError, ConvergenceError, InfeasibleDesignError,
                ForkedThreadPoolError):
        assert issubclass(cls, IncnetError)
    assert issubclass(InvalidInputError, ValueError)
    assert not issubclass(IllPosedNetworkError, ValueError)
    assert incnet.InvalidInputError is InvalidInputError
    assert set(incnet.errors.__all__) == {
        "IncnetError", "InvalidInputError", "IllPosedNetworkError", "ConvergenceError",
        "InfeasibleDesignError", "CancelledError", "ForkedThreadPoolError",
    }


def test_diagnostics_are_attributes_and_args_stay_clean():
    last = np.arange(3.0)
    err = ConvergenceError("stopped", last_iterate=last, residual=0.5, iterations=7)
    assert err.args == ("stopped",) and str(err) == "stopped"
    assert err.last_iterate is last and err.residual == 0.5 and err.iterations == 7
    ill = IllPosedNetworkError("too big", spectral_radius=1.5)
    assert ill.args == ("too big",) and ill.spectral_radius == 1.5
    bad = InfeasibleDesignError("no", status="infeasible")
    assert bad.args == ("no",) and bad.status == "infeasible"
    plain = ConvergenceError("x")
    assert plain.last_iterate is None and plain.residual is None and plain.iterations is None


def test_errors_pickle_with_their_attributes():
    import pickle

    err = pickle.loads(pickle.dumps(IllPosedNetworkError("m", spectral_radius=2.0)))
    assert str(err) == "m" and err.spectral_radius == 2.0
    conv = pickle.loads(pickle.dumps(ConvergenceError("c", last_iterate=np.ones(2), residual=1.0,
                                                      iterations=3)))
    assert conv.residual == 1.0 and conv.iterations == 3 and np.all(conv.last_iterate == 1)
    design = pickle.loads(pickle.dumps(InfeasibleDesignError("d", status="infeasible")))
    assert design.status == "infeasible"


def test_catching_at_the_root():
    with pytest.raises(IncnetError):
        incnet.total_payoffs(np.array([[0, 2.0], [2.0, 0]]), [1.0, 1.0])
    with pytest.raises(ValueError):
        incnet.total_payoffs(np.zeros((2, 2)), [1.0, 1.0, 1.0])
