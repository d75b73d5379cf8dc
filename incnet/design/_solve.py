"""The one place where incnet's design problems meet cvxpy (private).

:func:`solve` runs a cvxpy problem, checks its status, translates cvxpy's exceptions into
incnet's, and returns the dual value of the budget constraint (the shadow price of the budget).
Every cvxpy problem in :mod:`incnet.design` is solved through it.
"""

import math
import os
import sys
import threading

from ..errors import IncnetError, InfeasibleDesignError

__all__ = ["solve", "OK_STATUSES"]

OK_STATUSES = ("optimal", "optimal_inaccurate")


_banner_lock = threading.Lock()
_banner_done = False


def _absorb_highs_banner():
    """Let HiGHS print its start-up banner into /dev/null, once per process.

    The HiGHS library writes "Running HiGHS ... Copyright ..." to the C-level standard output
    when its first solver object is created, before any option (cvxpy's ``verbose=False``) can
    apply. Creating that first object here, with file descriptor 1 pointed at /dev/null for the
    instant it takes, keeps solver output out of the user's stdout; later objects print nothing.
    """
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return
        _banner_done = True
        try:
            import highspy
        except ImportError:  # cvxpy without HiGHS: nothing to absorb
            return
        fd = 1  # the C library writes to file descriptor 1 whatever sys.stdout is
        try:
            sys.stdout.flush()
        except (AttributeError, OSError, ValueError):
            pass
        saved = os.dup(fd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
            highspy.Highs()
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            os.close(devnull)


def solve(problem, *, solver, what, budget_constraint=None, **options):
    """Solve ``problem`` with ``solver``; return ``(status, budget_dual)``.

    Parameters
    ----------
    problem : cvxpy.Problem
    solver : str
        A cvxpy solver name (``"HIGHS"`` for LPs and MILPs, ``"CLARABEL"`` or ``"SCS"`` for SDPs).
    what : str
        What the problem is, for error messages ("the activation LP", ...).
    budget_constraint : cvxpy.Constraint, optional
        The budget constraint whose dual value is returned (``nan`` when there is none, or for a
        MILP, whose constraints have no duals).
    **options
        Passed to ``problem.solve``.

    Raises
    ------
    InfeasibleDesignError
        When the problem is infeasible, unbounded, or the solver fails; ``status`` carries cvxpy's
        status (or ``"solver_error"``).
    """
    import cvxpy as cp

    if str(solver).upper() == "HIGHS":
        _absorb_highs_banner()
    try:
        problem.solve(solver=solver, **options)
    except cp.error.SolverError as e:
        raise InfeasibleDesignError(
            f"{what}: the solver {solver} failed ({e}); the data may be badly scaled "
            "(rescale costs and budget to order 1) or the problem too large for it",
            status="solver_error",
        ) from e
    except (cp.error.DCPError, cp.error.DGPError, cp.error.DPPError) as e:
        raise IncnetError(f"{what} is not a valid convex program ({e})") from e
    except (ValueError, ArithmeticError) as e:
        # cvxpy raises a bare ValueError when a solver ends without a solution it can unpack
        # (status UNKNOWN), typically on data beyond the solver's range (HiGHS treats 1e20 as inf)
        raise InfeasibleDesignError(
            f"{what}: the solver {solver} ended without a usable solution ({e}); the data may be "
            "badly scaled (rescale costs, thresholds and budget to order 1)",
            status="solver_error",
        ) from e
    status = problem.status
    if status not in OK_STATUSES:
        if status in ("infeasible", "infeasible_inaccurate"):
            hint = "no design meets every constraint; raise the budget or relax the requirements"
        elif status in ("unbounded", "unbounded_inaccurate"):
            hint = "the objective is unbounded; the model is missing a bound"
        else:
            hint = "the solver stopped without a solution"
        raise InfeasibleDesignError(f"{what}: solver {solver} returned status {status!r}; {hint}",
                                    status=status)
    dual = math.nan
    if budget_constraint is not None and budget_constraint.dual_value is not None:
        value = budget_constraint.dual_value
        try:
            dual = float(value)
        except TypeError:
            dual = float(value.ravel()[0])
    return status, dual
